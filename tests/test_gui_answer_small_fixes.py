"""Usertest 6, small items on an answer card: the thumbs' tooltips said "click again to clear"
on an answer not rated yet; an answer the person stopped said "stopped" only in a tooltip (the
header elided it) and had no Continue. Real widgets, the tiny model."""

from __future__ import annotations

import threading
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _answer_card(window):
    return [c for c in window.transcript.cards if c.role == "assistant"][-1]


def test_the_thumbs_say_click_again_to_clear_only_once_rated(make_window, qtbot):
    window = make_window()
    window.prompt.setPlainText("Hello there")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    rating = _answer_card(window).rating
    assert rating.up.toolTip() == "Rate this answer good (Ctrl+Shift+\u2191)" and "clear" not in rating.down.toolTip()
    qtbot.mouseClick(rating.up, Qt.MouseButton.LeftButton)
    assert rating.up.toolTip() == "You rated this answer good: click again to clear (Ctrl+Shift+\u2191)"
    assert rating.down.toolTip() == "Rate this answer bad instead (Ctrl+Shift+\u2193)"
    qtbot.mouseClick(rating.up, Qt.MouseButton.LeftButton)
    assert rating.up.toolTip() == "Rate this answer good (Ctrl+Shift+\u2191)"


def test_a_stopped_answer_says_so_in_view_and_offers_continue(make_window, qtbot, monkeypatch):
    from desktop_app.core import generation
    from desktop_app.gui.answer_words import STOPPED_WORDS, TOKEN_LIMIT_WORDS

    window = make_window(max_new_tokens=60)
    stopped = threading.Event()

    def stop_at_first_token(_batch):
        if window.chat.generating:
            window.stop()
            stopped.set()

    window.chat.tokens.connect(stop_at_first_token)
    # the next token waits for the Stop: on a loaded machine the first tokens' signal once
    # reached the window after all 60 tokens were written (finish_reason "length")
    real_pause = generation.Generation._pause

    def wait_for_stop(self, team):  # between two tokens, once the first is out
        stopped.wait(30)
        real_pause(self, team)

    monkeypatch.setattr(generation.Generation, "_pause", wait_for_stop)
    window.prompt.setPlainText("Hello there")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        window.send()
    assert stopped.is_set()
    assert blocker.args[0]["finish_reason"] == "cancelled"
    qtbot.waitUntil(lambda: _answer_card(window).message is not None, timeout=WAIT_MS)
    card = _answer_card(window)
    assert card.interrupted_label.text() == STOPPED_WORDS
    qtbot.waitUntil(card.continue_button.isVisible, timeout=5000)  # shown once the layout takes it in
    assert "stopped" in card.meta.text() and card.meta.minimumWidth() >= card.meta.fontMetrics().horizontalAdvance(
        card.meta.text().split(" \u00b7 ")[0] + " \u00b7 stopped")
    window.chat.tokens.disconnect()
    stopped_len = len(card.records)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(card.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _answer_card(window).message is not None, timeout=WAIT_MS)
    card = _answer_card(window)
    assert len(card.records) > stopped_len
    # no longer "stopped"; a continuation that reached Max new tokens says that instead (usertest 19)
    label = getattr(card, "interrupted_label", None)
    assert label is None or label.text() == TOKEN_LIMIT_WORDS
