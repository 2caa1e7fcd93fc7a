"""usertest49: in the "Heatmap as PNG…" dialog (Qt's own, on X11 without a desktop's) the name
"after_fix" typed over the suggested one was saved as a file with no extension, which no image
viewer opened. A name typed without one now gets the export's; one the person typed stays."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def _answer_the_dialog_with(qapp, typed: str, seen: list) -> None:
    """Type ``typed`` into the save dialog once it shows, and press Save (as a person would)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog

    def answer():
        dialog = qapp.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)  # not shown yet: look again
            return
        seen.append(dialog.windowTitle())
        dialog.selectFile(typed)
        dialog.accept()

    QTimer.singleShot(0, answer)


@pytest.mark.parametrize("typed_name,saved_name", [("after_fix", "after_fix.png"), ("notes.v2.png", "notes.v2.png"),
                                                   ("picture.jpeg", "picture.jpeg")])
def test_a_name_typed_without_an_extension_gets_the_exports(qtbot, qapp, tmp_path, typed_name, saved_name):
    from PySide6.QtWidgets import QWidget

    from desktop_app.gui import save_folder

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list = []
    _answer_the_dialog_with(qapp, str(tmp_path / typed_name), seen)
    path = save_folder.ask_save_path(parent, "Export the heatmap as PNG", "The quick brown fox.png",
                                     "PNG image (*.png)")
    assert seen == ["Export the heatmap as PNG"]  # the real dialog was shown and answered
    assert path == str(tmp_path / saved_name)
