"""usertest25: the Text tab's Open… started in the process's working folder while its Export dialogs
started in Documents (or the last export's folder). Both start in one place now, and a text opened
from a folder makes that folder the next dialog's. The real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)


def test_open_starts_where_exports_go_and_remembers_the_folder(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop_app.gui import save_folder

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("A short text about the sea.")
    asked: list[str] = []

    def chooser(_parent, _title, folder, _filter):
        asked.append(folder)
        return str(texts / "a.txt"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(chooser))
    exports_folder = str(save_folder.start_folder(window.text_view))
    assert window.text_view.open_file()
    assert asked == [exports_folder]
    assert save_folder.start_folder(window.text_view) == texts, "the Export dialogs open there next"
