"""usertest49: the export and open dialogs (Qt's own file dialog, X11 without a desktop's) showed
their Back, Forward, Up, New folder, List and Detail buttons as blank boxes: the style sheet's
button padding (5 px 12 px) left a 26 px square button no room for its icon."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def _colours_in_middle(button) -> int:
    """How many colours the middle of ``button`` shows: one for a blank box, more with an icon."""
    image = button.grab().toImage()
    cx, cy = image.width() // 2, image.height() // 2
    return len({image.pixel(x, y) for x in range(cx - 5, cx + 5) for y in range(cy - 5, cy + 5)})


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("focused", [False, True])
def test_the_file_dialogs_tool_buttons_show_their_icons(qtbot, qapp, dark, focused):
    from PySide6.QtWidgets import QFileDialog, QToolButton

    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=dark)
    try:
        dialog = QFileDialog(None, "Export the heatmap as PNG")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        if focused:
            dialog.activateWindow()
            qtbot.waitActive(dialog)
        names = ("backButton", "toParentButton", "newFolderButton", "listModeButton", "detailModeButton")
        buttons = [dialog.findChild(QToolButton, name) for name in names]
        assert all(button is not None and button.isVisible() for button in buttons)
        for button in buttons:
            assert not button.icon().isNull()
            if focused and button.isEnabled():  # the focus ring's padding must leave the icon its room too
                button.setFocus()
                qtbot.waitUntil(button.hasFocus)
            assert _colours_in_middle(button) > 2, f"{button.objectName()} shows no icon"
        dialog.close()
    finally:
        apply_theme(qapp, dark=False)
