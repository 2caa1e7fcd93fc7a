"""A long prompt (pytest-qt, offscreen, the tiny random GPT-2, the real store): the answer card
says the model is reading it, and how far, before the first token; stopped then, the context
meter still counts the prompt that stays on screen (what Regenerate would send)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import fast_decode  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401

PROMPT = "The lighthouse keeper climbed the stairs every night and lit the lamp. " * 2


@pytest.fixture
def small_chunks(monkeypatch):
    """The prompt is read 8 tokens a pass (512 on a real model), so the tiny model's prompt
    takes several passes, as an 8,000-token paste does."""
    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 8)


def test_the_card_says_the_prompt_is_being_read_and_how_far(make_window, qtbot, small_chunks):
    window = make_window(max_new_tokens=4)
    seen = []  # (read, total, the streaming card's line then)
    window.chat.prompt_reading.connect(lambda read, total: seen.append((read, total, window.cards.streaming.meta.text())))
    window.prompt.setPlainText(PROMPT)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    read, total, line = seen[0]
    assert read == 0 and total > 24 and line == f"reading {total:,} tokens\u2026"
    reads = [r for r, _t, _line in seen[1:]]
    assert reads[0] == 8 and reads == sorted(set(reads)) and reads[-1] < total, "how far, chunk by chunk"
    assert len(seen) >= 3 and seen[1][2] == f"reading: 8 of {total:,} tokens\u2026"
    card = window.cards.streaming or [c for c in window.transcript.cards if c.role == "assistant"][-1]
    assert "reading" not in card.meta.text(), "the first token replaces it"


def test_stopped_while_reading_the_meter_counts_the_prompt_still_shown(make_window, qtbot, small_chunks):
    window = make_window(max_new_tokens=4)
    meter = window.context_meter.label
    window.prompt.setPlainText(PROMPT)
    qtbot.waitUntil(lambda: meter.isVisible() and meter.text().split(" ")[0] != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "tokens of context" in meter.text(), timeout=WAIT_MS)
    before = meter.text()
    window.chat.prompt_reading.connect(lambda read, _total: read == 8 and window.stop())  # Esc while it reads
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as done:
        window.send()
    assert done.args[0]["message_id"] is None and done.args[0]["finish_reason"] == "cancelled"
    assert window.prompt.toPlainText() == "" and window.chat.thread()[-1]["text"] == PROMPT.strip()
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    window.context_meter.refresh()  # what its timer does once the model lane is free
    QApplication.processEvents()
    assert meter.isVisible() and meter.text() == before + " \u00b7 Regenerate sends the prompt above", \
        "the prompt on screen is what Regenerate sends: the meter counts it, and says so under the empty box"
    assert meter.property("kind") == "info"
