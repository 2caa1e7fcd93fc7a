"""Usertest 19: an answer cut at Max new tokens ended mid-sentence ("… under specific conditions
such as those") with "token limit" in its header and no way on but raising the setting and asking
again. Its card now says so under the text and offers Continue (the same answer goes on from its
last token, in its own row) and Regenerate, as a stopped answer's does. Real widgets, the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def _answer_card(window):
    return [c for c in window.transcript.cards if c.role == "assistant"][-1]


def test_an_answer_cut_at_the_token_limit_offers_continue(make_window, qtbot):
    from desktop_app.gui.answer_words import TOKEN_LIMIT_WORDS

    window = make_window(max_new_tokens=5)
    answer = ask(qtbot, window)
    if answer["finish_reason"] != "length":
        pytest.skip("the tiny model ended this answer before the limit")
    qtbot.waitUntil(lambda: _answer_card(window).message is not None, timeout=WAIT_MS)
    card = _answer_card(window)
    assert card.interrupted_label.text() == TOKEN_LIMIT_WORDS
    qtbot.waitUntil(lambda: card.continue_button.isVisible() and card.regenerate_button.isVisible(),
                    timeout=5000)  # shown once the layout takes them in
    message_id, written = card.message_id, len(card.records)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(card.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _answer_card(window).message is not None
                    and len(_answer_card(window).records) > written, timeout=WAIT_MS)
    card = _answer_card(window)
    assert card.message_id == message_id  # the same answer went on, not a new sibling



def test_continue_on_an_earlier_answer_leaves_the_view_at_that_answer(make_window, qtbot):
    """Continue on the first of three answers: the turns after it come back when it ends, and the view
    had followed them to the chat's end, another answer on screen than the one gone on."""
    from PySide6.QtWidgets import QApplication

    window = make_window(max_new_tokens=5)
    window.resize(900, 600)
    answers = [ask(qtbot, window, question) for question in ("Hello there", "And then?", "Why so?")]
    if answers[0]["finish_reason"] != "length":
        pytest.skip("the tiny model ended the first answer before the limit")
    first = next(c for c in window.transcript.cards if c.role == "assistant" and c.message_id == answers[0]["message_id"])
    qtbot.waitUntil(first.continue_button.isVisible, timeout=5000)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(first.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.transcript.cards) == 6, timeout=WAIT_MS)
    card = next(c for c in window.transcript.cards if c.message_id == answers[0]["message_id"])
    for _ in range(5):
        QApplication.processEvents()
    bar = window.transcript.verticalScrollBar()
    assert bar.value() < bar.maximum()  # not the chat's end
    viewport = window.transcript.viewport()
    top = card.view.mapTo(viewport, card.view.rect().topLeft()).y()
    bottom = card.view.mapTo(viewport, card.view.rect().bottomLeft()).y()
    assert bottom > 0 and top < viewport.height()  # the answer gone on is on screen
