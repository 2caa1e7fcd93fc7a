"""Words a person met in GPT-2 Desk (words67), with real widgets and the tiny model: the model
dialog saying what Fast gives on this computer, the context meter keeping one form and staying
while an answer is written, a thumbs-up beside a better answer in the Fine-tune tab's words, and
the inspector's word probe (the sampler's note on a probed word, a remembered word probed again)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401

COUNT_FIRST = re.compile(r"^\d[\d,]* / 128 tokens of context( \u00b7 .+)?$")


def test_the_context_meter_keeps_its_form_and_stays_while_an_answer_is_written(make_window, qtbot):
    window = make_window(max_new_tokens=12)
    meter = window.context_meter.label
    window.prompt.setPlainText("Hello there")
    window.context_meter.refresh()
    typed = meter.text()
    assert COUNT_FIRST.match(typed), typed
    while_streaming = []
    window.chat.tokens.connect(lambda _batch: while_streaming.append((meter.isVisible(), meter.text())))
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    assert while_streaming and all(shown for shown, _text in while_streaming), "the line stays while it streams"
    texts = [text for _shown, text in while_streaming]
    assert all(COUNT_FIRST.match(t) and t.endswith("the answer being written") for t in texts), texts
    counts = [int(t.split(" ")[0].replace(",", "")) for t in texts]
    assert counts == sorted(counts) and counts[0] > int(typed.split(" ")[0]), "it grows from the prompt sent"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    window.context_meter.refresh()
    assert COUNT_FIRST.match(meter.text()) and meter.text().endswith("the conversation so far"), meter.text()
