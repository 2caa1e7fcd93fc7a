"""Sampler-cut alternatives (expert review, session 55): the stored top alternatives did not say
which ones the answer's sampler (temperature, top-k, top-p, min-p) could not have picked. Checked
against the sampler's own kept set on the bundled model's real next-token logits."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import MAY, cut_for_answer, cut_words, sampler_cut
from desktop_app.core.sampler_facts import sampler_facts

PROMPTS = ["The capital of France is", "Once upon a time, there was a", "My favourite colour is",
           "To make bread, you need"]
SETTINGS = [SamplingSettings(temperature=0.4, top_k=50, top_p=0.95, min_p=0.1),
            SamplingSettings(temperature=1.0, top_k=0, top_p=0.3),
            SamplingSettings(temperature=0.7, top_k=4, top_p=1.0),
            SamplingSettings(temperature=1.3, top_k=0, top_p=0.6, min_p=0.05)]


def _next_token(bundled_model, prompt: str):
    ids = bundled_model.tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        logits = bundled_model.model(ids).logits[0, -1].float()
    probs = torch.softmax(logits, -1)
    top = torch.topk(probs, 10)
    return logits, [Alternative(int(i), "", float(p)) for p, i in zip(top.values, top.indices)]


@pytest.mark.parametrize("settings", SETTINGS)
def test_the_cut_said_is_the_samplers_own(bundled_model, settings):
    said = 0
    for prompt in PROMPTS:
        logits, top = _next_token(bundled_model, prompt)
        found = sampler_cut(top, settings, vocab=logits.shape[-1])
        for alt in top:
            kept = sampler_facts(logits, alt.id, settings).kept
            why = found.cut.get(alt.id)
            if why is None:
                assert kept, (prompt, alt)
            elif not why.startswith(MAY):
                assert not kept, (prompt, alt, why)
                said += 1
    assert said  # something was cut where it should be


def test_greedy_unknown_settings_forced_tokens_and_the_penalty():
    top = (Alternative(1, "a", 0.5), Alternative(2, "b", 0.3), Alternative(3, "c", 0.01))
    assert sampler_cut(top, SamplingSettings(greedy=True)).cut == {2: "cut by greedy decoding",
                                                                    3: "cut by greedy decoding"}
    assert "cannot be known" in sampler_cut(top, None).note
    assert sampler_cut(top, SamplingSettings(), sampled=False).cut == {}
    penalised = sampler_cut(top, SamplingSettings(temperature=1.0, top_k=0, top_p=0.5, min_p=0.1,
                                                  repetition_penalty=1.1), seen=[1])
    assert "top-p's cut cannot be known" in penalised.note
    # min-p's floor from the likeliest token the penalty did not touch (b), which only rises
    assert penalised.cut == {3: "cut by min-p 0.1"}


def test_an_answer_token_never_calls_its_own_written_token_cut():
    top = (Alternative(1, "a", 0.9), Alternative(2, "b", 0.02))
    records = [TokenRecord(2, "b", -3.9, 2, 0.5, top, "float32")]
    message = {"model_id": "bundled:x", "settings": SamplingSettings(temperature=1.0, min_p=0.1).to_dict()}
    found = cut_for_answer(message, records, 0)
    assert found.cut == {}
    records = [TokenRecord(1, "a", -0.1, 1, 0.5, top, "float32")]
    found = cut_for_answer(message, records, 0)
    assert found.cut == {2: "cut by min-p 0.1"}
    assert cut_words(found, top) == "1 dimmed: the sampler could not have picked it (cut by min-p 0.1)."
    assert "not sampled" in cut_for_answer({**message, "model_id": None}, records, 0).note


def test_the_inspector_dims_what_the_sampler_cut_and_says_why(qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.chat_cards import answer_cut
    from desktop_app.gui.inspector import InspectorPanel
    from desktop_app.gui.message_card import MessageCard

    top = (Alternative(1, "Paris", 0.7), Alternative(2, "Lyon", 0.2), Alternative(3, "Nice", 0.02))
    records = [TokenRecord(1, "Paris", -0.36, 1, 0.9, top, "float32")]
    settings = SamplingSettings(temperature=1.0, top_k=50, top_p=0.95, min_p=0.1).to_dict()
    card = MessageCard("assistant", {"id": 4, "text": "Paris", "model_id": "bundled:x", "settings": settings})
    qtbot.addWidget(card)
    card.view.set_records(records)
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(4, 0, records[0], can_branch=True, model_id="bundled:x", cut=answer_cut(card, 0, None))
    assert inspector.chart.dimmed() == [False, False, True]  # 0.02 / 0.7 is under min-p's 0.1
    assert inspector.sampler_note.text() == "1 dimmed: the sampler could not have picked it (cut by min-p 0.1)."
    assert not inspector.sampler_note.isHidden()
    inspector.pick(2)
    assert inspector.versus.text().endswith("The answer's sampler could not have picked it (cut by min-p 0.1).")
    inspector.pick(1)
    assert "sampler" not in inspector.versus.text()
    prompt = MessageCard("user", {"id": 3, "text": "Paris", "model_id": None})
    qtbot.addWidget(prompt)
    prompt.view.set_records(records)
    inspector.show_token(3, 0, records[0], can_branch=False, cut=answer_cut(prompt, 0, None))
    assert inspector.chart.dimmed() == [False, False, False] and inspector.sampler_note.isHidden()
