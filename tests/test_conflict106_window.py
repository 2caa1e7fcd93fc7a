"""conflict106, the window's part: ratings that disagree said on the Fine-tune tab before a run, each side a
link that opens it in Compare, and the compare view's "expect green" replaced by what the two ratings did.
pytest-qt, offscreen, the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from conflict106_helpers import answer, conversation_of  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)


def _disagreeing(window, qtbot) -> tuple[int, int]:
    """"Paris." liked in one conversation and disliked in another, to the same question; the counts re-read."""
    store = window.chat.store
    liked, disliked = answer(store, "Capital of France?", "Paris."), answer(store, "Capital of France?", "Paris.")
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    window.writer.recount()
    qtbot.waitUntil(lambda: window.finetune_panel.disagree_label.text() != "", timeout=WAIT_MS)
    return liked, disliked


def test_the_fine_tune_tab_says_ratings_that_disagree_before_a_run(window, qtbot):
    liked, disliked = _disagreeing(window, qtbot)
    window.show_finetune()
    label = window.finetune_panel.disagree_label
    qtbot.waitUntil(label.isVisible)
    said = label.text()
    assert "2 ratings disagree:" in said and "learns neither" in said
    store = window.chat.store
    assert f'<a href="{liked}">conversation {conversation_of(store, liked)}</a>' in said
    assert f'<a href="{disliked}">conversation {conversation_of(store, disliked)}</a>' in said


def test_a_rating_that_disagrees_opens_in_chat_from_the_keyboard(window, qtbot):
    liked, disliked = _disagreeing(window, qtbot)
    window.show_finetune()
    label = window.finetune_panel.disagree_label
    qtbot.waitUntil(label.isVisible)
    label.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(label, Qt.Key.Key_Tab)  # the first link, then the second
    qtbot.keyClick(label, Qt.Key.Key_Tab)
    qtbot.keyClick(label, Qt.Key.Key_Return)
    store = window.chat.store
    qtbot.waitUntil(lambda: window.chat.conversation_id == conversation_of(store, disliked), timeout=WAIT_MS)
    assert window.mode == "chat"
    card = next(c for c in window.transcript.cards if c.message_id == disliked)
    qtbot.waitUntil(card.view.hasFocus, timeout=WAIT_MS)  # ringed and given the keyboard (chat_search.reveal)
    assert card.rating.down.isChecked(), "its thumb, there to be taken away"
    assert liked not in [c.message_id for c in window.transcript.cards]


def test_a_token_that_disagrees_opens_in_chat_on_its_branch_with_the_token_in_the_inspector(window, qtbot):
    store = window.chat.store
    up = answer(store, "Capital of France?", ["It", " is", " Paris", "."])
    asked = store.get_message(up)["parent_id"]
    records = store.token_records(up)[:2] + [store.token_records(up)[2]]
    down = store.add_message(conversation_of(store, up), "assistant", "It is Paris", parent_id=asked,
                             model_id="tiny", records=records, settings={"finish_reason": "eos"})
    store.rate_token(up, 2, 1)
    store.rate_token(down, 2, -1)
    newer = store.add_message(conversation_of(store, up), "assistant", "Lyon.", parent_id=asked)  # shown first
    window.writer.recount()
    qtbot.waitUntil(lambda: window.finetune_panel.disagree_label.text() != "", timeout=WAIT_MS)
    assert f'href="{up}:2"' in window.finetune_panel.disagree_label.text()
    window.finetune_panel.disagree_label.linkActivated.emit(f"{up}:2")  # as a click on "conversation N" sends it
    card = next(c for c in window.transcript.cards if c.role == "assistant")
    assert card.message_id == up != newer, "the branch that holds the rated answer, not the newest"
    qtbot.waitUntil(lambda: card.view.selected == 2, timeout=WAIT_MS)
    assert (window.inspector.message_id, window.inspector.index) == (up, 2), "the token, where its rating is cleared"


def test_no_disagreement_no_line(window, qtbot):
    store = window.chat.store
    store.rate_message(answer(store, "Capital of France?", "Paris."), 1)
    window.writer.recount()
    qtbot.waitUntil(lambda: window.finetune_panel.counts.get("total") == 1, timeout=WAIT_MS)
    assert window.finetune_panel.disagree_label.text() == ""
    assert window.finetune_panel.disagree_label.isHidden()


def test_compare_says_the_ratings_disagree_instead_of_expect_green(window, qtbot, tiny_model_dir):
    liked, disliked = _disagreeing(window, qtbot)
    wear_adapter(qtbot, window, tiny_model_dir)
    window.open_compare(liked)
    view = window.compare_dialog.view
    qtbot.waitExposed(window.compare_dialog)
    qtbot.waitUntil(lambda: view.message_id == liked and view.expect_label.isVisible(), timeout=WAIT_MS)
    said = view.expect_label.text()
    assert "You liked this answer, so expect" not in said, "not the liked answer's own 'so expect green'"
    assert f"but disliked the same text in conversation {conversation_of(window.chat.store, disliked)}" in said
    assert "expect little change" in said
    window.open_compare(disliked)
    qtbot.waitUntil(lambda: view.message_id == disliked and view.expect_label.isVisible(), timeout=WAIT_MS)
    assert "You disliked this answer, but liked the same text" in view.expect_label.text()


def test_compare_says_a_token_rated_the_other_way_after_the_same_words(window, qtbot, tiny_model_dir):
    store = window.chat.store
    up = answer(store, "Capital of France?", ["It", " is", " Paris", "."])
    down = answer(store, "Capital of France?", ["It", " is", " Paris", "!"])
    store.rate_token(up, 2, 1)
    store.rate_token(down, 2, -1)
    wear_adapter(qtbot, window, tiny_model_dir)
    window.open_compare(up)
    view = window.compare_dialog.view
    qtbot.waitUntil(lambda: view.message_id == up and view.expect_label.isVisible(), timeout=WAIT_MS)
    said = view.expect_label.text()
    assert "Tokens you rated are underlined" in said
    assert (f"\u201c Paris\u201d you rated here was rated the other way in conversation "
            f"{conversation_of(store, down)}, after the same words") in said
