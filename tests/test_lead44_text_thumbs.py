"""The Text tab's pressed thumb fills in its colour, as an answer's does in the chat (usertest 20: the
Text tab's 👎 kept its outline, only tinted, and read as not pressed)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from desktop_app.gui.theme import LIGHT
from gui_windows import answered_window
from test_geom41_dark_icons import close_to, ink


def test_the_text_tabs_pressed_thumbs_fill_in_green_and_red(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        panel = window.text_view.branch_panel
        for button, role in ((panel.up_button, "good"), (panel.down_button, "bad")):
            pressed = button.icon().pixmap(16, 16, QIcon.Mode.Normal, QIcon.State.On)
            loose = button.icon().pixmap(16, 16, QIcon.Mode.Normal, QIcon.State.Off)
            assert close_to(ink(pressed), LIGHT[role]), f"a pressed {role} thumb is filled in its colour"
            assert close_to(ink(loose), LIGHT["text"]), "unpressed, it keeps the text's ink"
