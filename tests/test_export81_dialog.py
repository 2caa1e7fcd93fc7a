"""The export dialog once an export is written (export81): an "Open folder" button opens the folder that
holds it, and a long result's height goes again when a shorter text replaces it (it had stayed, the
status "Exporting…" under a tall empty space). The real dialog in the window, the tiny model's adapter,
a real GGUF export on the training lane; only the desktop's openUrl is caught, so no file manager opens."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDesktopServices  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_export import _history_with_adapter  # noqa: E402


def _open_dialog(window, qtbot, tiny_model_dir):
    history, _aid = _history_with_adapter(window, tiny_model_dir)
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _export(qtbot, dialog, out) -> None:
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None and dialog.result is not None, timeout=WAIT_MS)


def test_open_folder_appears_once_written_and_opens_the_export_s_folder(make_window, qtbot, tmp_path, tiny_model_dir,
                                                                       monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window = make_window()
    dialog = _open_dialog(window, qtbot, tiny_model_dir)
    assert dialog.open_folder_button.isHidden(), "nothing is written yet"
    (tmp_path / "my exports").mkdir()
    out = tmp_path / "my exports" / "tuned.gguf"
    _export(qtbot, dialog, out)
    assert out.is_file() and dialog.open_folder_button.isVisible()
    qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "my exports"))]
    assert dialog.isVisible(), "opening the folder leaves the dialog open"
    dialog.path.setText(str(tmp_path / "my exports" / "other.gguf"))  # a new choice: the last result goes
    assert dialog.open_folder_button.isHidden()
    dialog.close()


def test_the_dialog_shrinks_back_when_the_long_result_goes(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    dialog = _open_dialog(window, qtbot, tiny_model_dir)
    qtbot.waitUntil(lambda: dialog.height() >= dialog.minimumSizeHint().height(), timeout=WAIT_MS)
    short = dialog.height()
    _export(qtbot, dialog, tmp_path / "first.gguf")
    qtbot.waitUntil(lambda: dialog.height() > short, timeout=WAIT_MS)
    status = dialog.status
    assert status.height() >= status.heightForWidth(status.width()), "the long result is shown whole"
    dialog.path.setText(str(tmp_path / "second.gguf"))  # what a person does before exporting again
    qtbot.waitUntil(lambda: dialog.height() <= short, timeout=WAIT_MS)  # it had kept the long result's height
    assert dialog.format.height() >= dialog.format.minimumSizeHint().height()
    dialog.close()


def test_the_offered_name_passes_over_a_card_left_beside_an_earlier_gguf(tmp_path):
    """The export refuses to replace a GGUF's card as it refuses its Modelfile: the dialog offers past it."""
    from desktop_app.gui.adapter_export import free_name

    (tmp_path / "adapter-1-f16.README.md").write_text("a card whose GGUF was moved away", encoding="utf-8")
    assert free_name(tmp_path, "adapter-1-f16", ".gguf") == tmp_path / "adapter-1-f16-2.gguf"
