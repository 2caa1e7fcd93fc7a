"""usertest15: which branch of a conversation shows when it opens, and where a switch of
branches leaves the chat (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

from desktop_app.core.conversation_export import newest_branch


def _message(mid: int, role: str, parent: int | None) -> dict:
    return {"id": mid, "role": role, "parent_id": parent, "text": f"message {mid}"}


def _forked_early() -> list[dict]:
    """Two turns; answer 2 got a sibling (5, a branch tried and left); the person went back
    to answer 4 and wrote two more turns after it (6, 7: the newest messages)."""
    return [_message(1, "user", None), _message(2, "assistant", 1),
            _message(3, "user", 2), _message(4, "assistant", 3),
            _message(5, "assistant", 3),
            _message(6, "user", 4), _message(7, "assistant", 6)]


def test_the_default_path_leads_to_the_newest_message_not_to_the_newest_sibling():
    """User test 15: a conversation reopened on a branch tried and left (the newest child of
    its fork), which hid the five turns written after it on the older child."""
    path = [m["id"] for m in newest_branch(_forked_early())]
    assert path == [1, 2, 3, 4, 6, 7]


def test_a_branch_picked_this_session_still_wins():
    path = [m["id"] for m in newest_branch(_forked_early(), {3: 5})]
    assert path == [1, 2, 3, 5]


def test_a_fork_off_the_newest_path_takes_its_newest_child():
    messages = _forked_early() + [_message(8, "assistant", 6)]  # answer 7 regenerated: 8 is the newest
    assert [m["id"] for m in newest_branch(messages)] == [1, 2, 3, 4, 6, 8]
    assert [m["id"] for m in newest_branch(messages, {3: 5})] == [1, 2, 3, 5]


pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui_ux20_fixes import window  # noqa: E402,F401  (the chat window on the tiny model)


def stored_conversation(store, turns: int, fork_at: int) -> tuple[int, int, int]:
    """``turns`` questions and answers; answer ``fork_at`` (0-based) gets a sibling written
    before the later turns' newest ones. Returns (conversation id, the first answer at the
    fork, its sibling)."""
    cid = store.create_conversation("Forked")
    parent, first = None, None
    for turn in range(turns):
        question = store.add_message(cid, "user", f"Question {turn}?", parent_id=parent)
        parent = store.add_message(cid, "assistant", f"Answer {turn}.", parent_id=question)
        if turn == fork_at:
            first, fork_question = parent, question
    sibling = store.add_message(cid, "assistant", "Another answer.", parent_id=fork_question)
    # the person went back to the first answer and wrote one more turn after it
    question = store.add_message(cid, "user", "One more question?", parent_id=parent)
    store.add_message(cid, "assistant", "The newest answer.", parent_id=question)
    return cid, first, sibling


def test_a_reopened_conversation_shows_the_path_with_its_newest_turn(window):
    cid, _first, _sibling = stored_conversation(window.chat.store, turns=3, fork_at=1)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    texts = [m["text"] for m in window.chat.thread()]
    assert texts[-1] == "The newest answer."
    assert "Another answer." not in texts
    assert [c.message["text"] for c in window.transcript.cards][-1] == "The newest answer."
