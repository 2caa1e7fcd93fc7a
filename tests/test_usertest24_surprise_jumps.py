"""The Surprises list's Previous / Next over an empty list (pytest-qt, the real window, the tiny model):
"Known by heart" on a text with no such passage listed nothing, and Previous / Next stayed on and did nothing
when clicked (usertest 24). They are now off, saying why, and on again for an order with rows."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui import surprise_words  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_inspector47_gui_recited import TEXT, analysed, chose_recited  # noqa: E402


def test_previous_and_next_are_off_over_an_empty_list_and_say_why(window, qtbot):
    view = window.text_view
    analysed(qtbot, window, TEXT)
    chose_recited(qtbot, view)  # the tiny model's random weights know nothing by heart
    panel = view.surprises.panel
    assert view.surprises.found == []
    for button in (panel.previous_button, panel.next_button):
        assert not button.isEnabled()
        assert button.toolTip() == surprise_words.NOTHING_TO_JUMP_TIP

    panel.order.setCurrentIndex(panel.order.findData("least_likely"))
    qtbot.waitUntil(lambda: view.surprises.current(), timeout=WAIT_MS)
    assert view.surprises.found  # every token of a text is among its least likely ones
    assert panel.next_button.isEnabled() and panel.next_button.toolTip() == surprise_words.NEXT_TIP
    assert panel.previous_button.isEnabled() and panel.previous_button.toolTip() == surprise_words.PREVIOUS_TIP
