"""usertest44: switching a waiting adapter on and off from the adapter history. The run's card moved
between its place above the count tiles (waiting for the person's word) and its place under the
progress (in use), its question's lines came and went, and the history's buttons jumped away from
the pointer, "Use base model" out of the view. The history now stays where it was in the view
(pytest-qt, a real window, store and run on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_fact_consent import sure_of_all, waiting_run  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402


def top_in_view(panel, widget) -> int:
    return widget.mapTo(panel.viewport(), QPoint(0, 0)).y()


def click_keeps_history_in_place(qtbot, window, button, adapter_wanted) -> None:
    """Clicks ``button`` of the history and checks the history's buttons did not move in the view."""
    panel = window.finetune_panel
    before = top_in_view(panel, button)
    assert 0 <= before <= panel.viewport().height() - button.height()  # in view, where the person clicks
    button.setFocus()  # as a real click gives it
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == adapter_wanted
                    and panel.history.active_id() == adapter_wanted, timeout=WAIT_MS)
    settle(window)
    assert top_in_view(panel, button) == before


def test_the_history_stays_under_the_pointer_while_a_waiting_adapter_is_switched(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    panel = window.finetune_panel
    result = waiting_run(qtbot, window)
    settle(window)
    history = panel.history
    history.list.setCurrentRow(0)
    panel.ensureWidgetVisible(history.base_button, 0, 0)
    settle(window)
    assert not panel.consent_box.isHidden()  # the card asks: it stands above the count tiles
    click_keeps_history_in_place(qtbot, window, history.use_button, result.adapter_id)
    assert panel.consent_box.isHidden()  # in use now: the card moved under the progress, its question gone
    click_keeps_history_in_place(qtbot, window, history.base_button, None)
    assert not panel.consent_box.isHidden()  # waiting again, the card above the tiles again
