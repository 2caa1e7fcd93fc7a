"""An imported answer's scoring running when its conversation is deleted stores nothing and says
nothing: not "There is no message …" on the store lane, not a failed scoring for a card that is gone."""

from __future__ import annotations

import logging

from test_text43_running_scoring_release import _scoring_held, window  # noqa: F401 (a fixture)


def test_a_scoring_whose_conversation_is_deleted_while_it_runs_is_not_stored(window, qtbot, monkeypatch, caplog):
    chat = window.chat
    failed, stored = [], []
    chat.answer_scoring_failed.connect(lambda mid, why: failed.append(why))
    chat.answer_scored.connect(lambda mid, shown: stored.append(mid))
    submit = chat.tasks.store.submit
    monkeypatch.setattr(chat.tasks.store, "submit", lambda task: stored.append(task.name) or submit(task))
    conversation, gate, _part = _scoring_held(window, qtbot, monkeypatch)
    with caplog.at_level(logging.INFO):
        chat.delete(conversation)
        gate.go.set()  # the scoring goes on to its end, as one already past its last part would
        gate.parts.clear()
        qtbot.waitUntil(lambda: not chat.lane.busy and not chat.tasks.store.busy and not chat.unwritten_asked,
                        timeout=30_000)
    assert "store answer scoring" not in stored and failed == [], (stored, failed)
    assert not [r for r in caplog.records if "no message" in r.getMessage() or r.levelno >= logging.WARNING]
    assert chat.unwritten_stopped.kept is None and chat.unwritten_stopped.running is None
