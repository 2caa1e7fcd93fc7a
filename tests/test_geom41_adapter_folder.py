"""The adapter history's Import… opens where the person last imported an adapter from or exported
one to (it opened in the process's working folder), and Export… suggests that folder too. Real
window, real history and export dialog, tiny GPT-2; only the modal folder dialog is stood in for."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gui_windows import WAIT_MS
from test_gui import make_window  # noqa: F401
from test_gui_export import _history_with_adapter


def test_import_opens_where_the_last_adapter_came_from_or_went(make_window, qtbot, tmp_path, tiny_model_dir,
                                                               monkeypatch):
    window = make_window()
    history, aid = _history_with_adapter(window, tiny_model_dir)
    starts, chosen = [], [tmp_path / "from-elsewhere" / "not-an-adapter"]
    chosen[0].mkdir(parents=True)

    def folder_dialog(_parent, _title, start=""):  # the modal dialog itself cannot run in a test
        starts.append(start)
        return str(chosen[0])

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", folder_dialog)
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.last_message is not None, timeout=WAIT_MS)  # not an adapter: a warning
    history.last_message.close()
    assert starts[0] and Path(starts[0]) != Path.cwd(), "not the process's working folder"
    qtbot.waitUntil(history.import_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    assert Path(starts[1]) == tmp_path / "from-elsewhere", "where the last import came from"
    qtbot.waitUntil(lambda: history.last_message is not None and history.last_message.isVisible(), timeout=WAIT_MS)
    history.last_message.close()
    qtbot.waitUntil(history.import_button.isEnabled, timeout=WAIT_MS)
    history.select(aid)
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    assert Path(dialog.path.text()).parent == tmp_path / "from-elsewhere", "Export suggests that folder too"
    dialog.format.setCurrentIndex(3)  # a PEFT folder
    out = tmp_path / "exports" / "mine"
    out.parent.mkdir()
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT_MS)
    dialog.close()
    qtbot.mouseClick(history.import_button, Qt.MouseButton.LeftButton)
    assert Path(starts[2]) == out.parent, "where the last export went"
    qtbot.waitUntil(lambda: history.last_message is not None and history.last_message.isVisible(), timeout=WAIT_MS)
    history.last_message.close()
