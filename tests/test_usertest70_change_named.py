"""usertest70, finding 3: at 1024x640 the Text tab's "Fine-tune's change" is an arrow alone; a writer who had just
fine-tuned looked for it by name, hovered the arrow and read "Off: no adapter is on, this is the base model…",
which said neither what the button is nor what it does. Each of its tooltips now starts with its name and what it
does, and names the colours as they are painted: up is green, where it had said red (the real window, the tiny
GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.off_words import change_tip  # noqa: E402
from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)

NAME = "Fine-tune's change: colours the text by what your fine-tune changed"


def test_every_form_of_its_tooltip_names_it():
    for loaded, adapter in ((False, False), (True, False), (True, True)):
        assert change_tip(loaded=loaded, adapter=adapter).startswith(NAME), (loaded, adapter)
    assert "no adapter is on" in change_tip(loaded=True, adapter=False)  # and why it is off, as before
    # its colours as they are painted (palette.change_color: up is green); the tooltip had said red
    assert "more (green) or less (purple)" in change_tip(loaded=True, adapter=True)


def test_the_arrow_alone_says_its_name_on_hover(window, qtbot):
    window.resize(1024, 640)
    toggle = window.text_view.change_mode.toggle
    qtbot.waitUntil(lambda: toggle.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, timeout=5000)
    assert not toggle.isEnabled()  # the base model: nothing to show yet
    assert toggle.toolTip().startswith(NAME), toggle.toolTip()
