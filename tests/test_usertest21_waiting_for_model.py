"""usertest21: a question sent while the model still loads (the first start converts it for minutes)
says under it that its answer waits for the model; before, nothing showed under the question and
the status bar's words were far from it. pytest-qt, offscreen, the tiny model, a real store."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _question_card(window):
    QApplication.processEvents()
    users = [c for c in window.transcript.cards if c.role == "user"]
    return users[-1] if users else None


def _waiting_shown(card) -> bool:
    label = getattr(card, "waiting_label", None) if card is not None else None
    return label is not None and label.isVisibleTo(card)


def test_a_question_sent_while_the_model_loads_says_its_answer_waits_for_it(make_window, qtbot, monkeypatch):
    from desktop_app.core import session

    gate, real_open = threading.Event(), session.open_model

    def slow_open(*args, **kwargs):  # the first start's conversion: the load takes a while
        gate.wait(120)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(session, "open_model", slow_open)
    window = make_window(wait=False)
    try:
        window.set_mode("chat")
        window.prompt.setPlainText("early bird")
        window.send()
        qtbot.waitUntil(lambda: _waiting_shown(_question_card(window)), timeout=WAIT_MS)
        card = _question_card(window)
        words = card.waiting_label.text()
        assert "load" in words and "answer" in words, words
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            gate.set()
    finally:
        gate.set()
    assert not _waiting_shown(_question_card(window)), "the answer came: the line goes"
    assert any(c.role == "assistant" for c in window.transcript.cards)
