"""usertest15: while a long prompt is read, its answer card says how long is left at the pace
so far (pytest-qt, offscreen, the tiny random GPT-2 read 8 tokens a pass, a real store)."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import fast_decode  # noqa: E402
from desktop_app.gui import chat_card_stream  # noqa: E402
from desktop_app.gui.chat_cards import reading_left, reading_line  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401

PROMPT = "The lighthouse keeper climbed the stairs every night and lit the lamp. " * 2


def test_the_line_says_the_time_left_once_a_part_is_read():
    """User test 15 watched "reading: 2,560 of 8,064 tokens…" for minutes, not knowing for how long."""
    assert reading_line(0, 8064, None) == "reading 8,064 tokens\u2026"
    assert reading_line(1024, 8064, None) == "reading: 1,024 of 8,064 tokens\u2026"
    left = reading_left(2560, 30.0, 8064 - 2560)  # 2,560 tokens in 30 s: 5,504 more take 64.5 s
    assert left == pytest.approx(64.5)
    assert reading_line(2560, 8064, left) == "reading: 2,560 of 8,064 tokens \u00b7 about 1 min left"
    assert reading_line(7680, 8064, 4.0) == "reading: 7,680 of 8,064 tokens\u2026", "a few seconds: not worth the room"
    assert reading_left(0, 5.0, 8064) is None


def test_the_streaming_card_counts_the_time_left_from_when_reading_began(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 8)  # several passes, as an 8,000-token paste makes
    ticks = itertools.count(0, 20)  # each report 20 s after the one before
    monkeypatch.setattr(chat_card_stream, "clock", lambda: float(next(ticks)))
    window = make_window(max_new_tokens=4)
    seen = []  # (read, total, the streaming card's line then)
    window.chat.prompt_reading.connect(lambda read, total: seen.append((read, total, window.cards.streaming.meta.text())))
    window.prompt.setPlainText(PROMPT)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    read, total, line = seen[1]
    assert read == 8 and total > 24
    expected = reading_line(8, total, 20 / 8 * (total - 8))
    assert line == expected and "left" in line, line
