"""The adapter Export dialog exports a second format without being closed and reopened: when an export
ends (written, or failed) its Export button is on again, and a second export in another format writes
its file. The real dialog on the window's training lane, the tiny model's adapter, real SQLite."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.adapter_export import ExportDialog  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_model_export import _setup  # noqa: E402


def _format(dialog, fmt: str) -> None:
    dialog.format.setCurrentIndex(next(i for i in range(dialog.format.count()) if dialog.format.itemData(i)[0] == fmt))


def _export(qtbot, dialog) -> None:
    assert dialog.export_button.isEnabled()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=WAIT_MS)


def test_export_is_on_again_after_an_export_and_a_second_format_writes(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()  # loaded first: two loads at once race (torch's meta tensors)
    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    try:
        dialog = ExportDialog(store, paths, aid, window.finetune.tasks.training, window)
        qtbot.addWidget(dialog)
        dialog.show()
        _format(dialog, "peft")
        dialog.path.setText(str(tmp_path / "first-peft"))
        _export(qtbot, dialog)
        assert dialog.status.text().startswith("Wrote "), dialog.status.text()
        assert dialog.export_button.isEnabled(), "a second format needed the dialog closed and reopened"
        _format(dialog, "merged")
        dialog.path.setText(str(tmp_path / "second-merged"))
        _export(qtbot, dialog)
        assert dialog.status.text().startswith("Wrote "), dialog.status.text()
        assert (tmp_path / "first-peft").is_dir() and (tmp_path / "second-merged").is_dir()
        dialog.path.setText(str(tmp_path / "second-merged"))  # there already: the export fails, and says so
        _export(qtbot, dialog)
        assert not dialog.status.text().startswith("Wrote ")
        assert dialog.export_button.isEnabled()
    finally:
        store.close()
