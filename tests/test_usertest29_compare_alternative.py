"""usertest 29: two tokens could be compared only by reading two bars. Picking an alternative in the
inspector's chart now says it against the written token: both log-probabilities, their difference and
how many times as likely. The bundled model scores a text; the figures are worked out here from the
model's own logits with torch, and the row is picked with the keyboard."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

TEXT = "The cat sat on the mat. It was happy."


def logprobs_after(loaded, ids: list[int], at: int):
    import torch

    from desktop_app.core.prompts import plain_text_start

    with torch.no_grad():
        logits = loaded.model(torch.tensor([plain_text_start(loaded.tokenizer) + ids[:at]])).logits[0, -1].float()
    return torch.log_softmax(logits, -1)


def test_a_picked_alternative_is_said_against_the_written_token(qtbot, bundled_model):
    from PySide6.QtCore import Qt

    from desktop_app.core.percent_words import likelier_words
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    ids, records = score_text(bundled_model, TEXT)
    index = next(i for i, r in enumerate(records) if r.rank > 1)  # a token with a likelier alternative
    record = records[index]
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(None, index, record, can_branch=False)
    assert inspector.versus.isHidden()
    inspector.chart.setFocus()
    qtbot.keyClick(inspector.chart, Qt.Key.Key_Home)  # the likeliest token, not the written one
    top = inspector.selected_alternative()
    logprobs = logprobs_after(bundled_model, ids, len(ids) - len(records) + index)
    difference = float(logprobs[top.id] - logprobs[record.id])
    said = inspector.versus.text()
    assert not inspector.versus.isHidden() and f"id {top.id}" in said
    assert f"{float(logprobs[top.id]):.3f} vs {float(logprobs[record.id]):.3f}" in said
    assert f"{difference:+.3f}" in said and f"{likelier_words(math.exp(difference))}." in said
    assert "\u00d7 as likely" not in said  # one readable form, the way up (text67)
    inspector.show_token(None, index + 1, records[index + 1], can_branch=False)
    assert inspector.versus.isHidden()  # the next token: nothing picked yet
