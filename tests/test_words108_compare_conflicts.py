"""words108, Compare and the ratings that disagree: the picker's hover text says what the view says (not "expect
green" over an answer liked here and disliked elsewhere), and the conflicts are found on the store lane, not on
the window's thread; their words still arrive, and a window gone meanwhile is left alone. pytest-qt, the real
window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from conflict106_helpers import answer, conversation_of  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)


def _liked_and_disliked(store) -> tuple[int, int]:
    liked, disliked = answer(store, "Capital of France?", "Paris."), answer(store, "Capital of France?", "Paris.")
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    return liked, disliked


def _tip_of(view, message_id: int) -> str:
    combo = view.answer_combo
    return combo.itemData(combo.findData(message_id), Qt.ItemDataRole.ToolTipRole)


def _compare_opened_on_the_liked_one(window, qtbot, tiny_model_dir):
    """The same text liked and disliked, an adapter worn and Compare opened on the liked answer:
    (the store, the liked answer, the disliked one, Compare's view)."""
    store = window.chat.store
    liked, disliked = _liked_and_disliked(store)
    wear_adapter(qtbot, window, tiny_model_dir)
    window.open_compare(liked)
    return store, liked, disliked, window.compare_dialog.view


def test_the_pickers_hover_text_says_the_ratings_disagree(window, qtbot, tiny_model_dir):
    store, liked, disliked, view = _compare_opened_on_the_liked_one(window, qtbot, tiny_model_dir)
    qtbot.waitUntil(lambda: "disliked the same text" in (_tip_of(view, liked) or ""), timeout=WAIT_MS)
    tip = _tip_of(view, liked)
    assert "expect it to have become more likely (green)" not in tip
    assert f"conversation {conversation_of(store, disliked)}" in tip and "expect little change" in tip
    assert "<b" not in tip, "a tooltip's plain words, no tags"
    assert "You disliked this answer, but liked the same text" in _tip_of(view, disliked)
    assert "You liked this answer, but disliked" in view.answer_combo.toolTip(), "the closed box's tip too"


def test_the_conflicts_are_found_on_the_store_lane_and_their_words_arrive(window, qtbot, tiny_model_dir):
    store, liked, _disliked, view = _compare_opened_on_the_liked_one(window, qtbot, tiny_model_dir)
    assert view.conflicts_task is not None and view.conflicts_task in (
        window.chat.tasks.store.find("conflicts") + [window.chat.tasks.store.running]), "asked of the store lane"
    qtbot.waitUntil(lambda: "expect little change" in view.expect_label.text(), timeout=WAIT_MS)
    assert "You liked this answer, so expect" not in view.expect_label.text()
    assert [c.kind for c in view.conflicts] == ["answer"]


def test_a_compare_window_deleted_before_the_conflicts_arrive_is_left_alone(window, qtbot, tiny_model_dir):
    from shiboken6 import delete

    store = window.chat.store
    liked, _disliked = _liked_and_disliked(store)
    wear_adapter(qtbot, window, tiny_model_dir)
    window.open_compare(liked)  # no event runs between this and the delete: the conflicts' answer is still to come
    dialog = window.compare_dialog
    task = dialog.view.conflicts_task
    window.finetune_side.compare_dialog = None  # the window opens a new one next time
    dialog.close()
    delete(dialog)
    qtbot.waitUntil(task.handled.is_set, timeout=WAIT_MS)  # its callback ran, on a view no longer there
    QApplication.processEvents()
    assert window.isVisible(), "the window goes on"
