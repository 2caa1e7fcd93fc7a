"""Practice in capitals (core.case_practice) on the tiny model: which corrections switch it on,
the texts it makes from the base model's own answers, its loss, and that a run whose
corrections are in ordinary case trains exactly as without it."""

from __future__ import annotations

import pytest
import torch
from tiny_model import fresh_lora
from transformers import AutoTokenizer

from desktop_app.core import case_practice as P
from desktop_app.core import reasking
from desktop_app.core.train_data import Pair


@pytest.fixture(scope="module")
def tok(tiny_model_dir):
    return AutoTokenizer.from_pretrained(tiny_model_dir)


def _pair(tok, chosen: str, source: str = "correction") -> Pair:
    return Pair(tok.encode("User: What is the capital of France?\nAssistant:"), tok.encode(chosen) + [tok.eos_token_id],
                tok.encode("The capital of France is Paris."), source, 1, 2, 1)


def test_capitals_are_told_from_ordinary_text():
    assert P.is_capitals("THE CAPITAL OF FRANCE IS PARIS.")
    assert P.is_capitals("THE CAPITAL OF FRANCE IS PARIS, mostly")  # 0.8 of the letters
    assert not P.is_capitals("The capital of France is Paris.")
    assert not P.is_capitals("Answer: OK.")
    assert not P.is_capitals("A.")  # fewer than 3 letters


def test_only_corrections_mostly_in_capitals_switch_it_on(tok):
    caps, plain = _pair(tok, "THE CAPITAL OF FRANCE IS PARIS."), _pair(tok, "Paris.")
    assert P.in_capitals(tok, [caps, caps, plain])
    assert not P.in_capitals(tok, [caps, plain])  # half is not most
    assert not P.in_capitals(tok, [_pair(tok, "THE CAPITAL OF FRANCE IS PARIS.", "siblings")])  # not a correction
    assert not P.in_capitals(tok, [])


def test_first_sentence_keeps_its_mark_and_drops_a_cut_answer():
    assert P.first_sentence(" The capital is Paris. It is big.") == "The capital is Paris."
    assert P.first_sentence("It costs 3.5 euros! Yes.") == "It costs 3.5 euros!"
    assert P.first_sentence("The capital is") == ""


def test_practice_texts_are_first_sentences_upper_cased_and_learnable(tok, tiny_model_dir):
    prompt = reasking.fresh_prompt(tok, "What is the capital of Spain?", 256, 8)
    practice = P.practice_rows(tok, [("What is the capital of Spain?", prompt, " The capital of Spain is Madrid. It is"),
                                     ("Why?", prompt, "Because it"), ("Sum?", prompt, "3 + 4 = 7.")],
                               [tok.eos_token_id])
    assert practice.texts == [("What is the capital of Spain?", "THE CAPITAL OF SPAIN IS MADRID.")]
    (seq_prompt, ids), = practice.seqs
    assert seq_prompt == prompt and ids[-1] == tok.eos_token_id
    assert tok.decode(ids[:-1]) == "THE CAPITAL OF SPAIN IS MADRID."
    model = fresh_lora(tiny_model_dir).eval()
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-2)
    first = float(practice.loss(model, 0, pad, "cpu").detach())
    for _ in range(8):
        practice.loss(model, 0, pad, "cpu").backward()
        optimizer.step()
        optimizer.zero_grad()
    assert float(practice.loss(model, 0, pad, "cpu").detach()) < first


def test_the_bases_practice_leaves_out_the_gates_own_questions(tok, tiny_model_dir):
    model = fresh_lora(tiny_model_dir).eval()
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    rated = ["What is the capital of France?", reasking.CANARY_QUESTIONS[0]]
    with model.disable_adapter():
        questions = P.make_up_questions(model, tok, "cpu", pad, rated, 4, seed=0)
        practice = P.build_case_practice(model, tok, 256, "cpu", pad, rated, made_up=4, eos_suffix=[])
    assert len(questions) <= 4 and all(q.endswith("?") for q in questions)
    assert practice is None or reasking.CANARY_QUESTIONS[0] not in [q for q, _a in practice.texts]


def _corrected_run(tmp_path, tiny_model, correction: str, **settings):
    from test_training_data import add_answer

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.training import FineTuneSettings, run_finetune

    paths = AppPaths.resolve(tmp_path).ensure()
    store = Store.open(paths.db_path)
    for i, question in enumerate(["What is the capital of France?", "Hello, how are you?"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, question, seed=20 + i)
        store.set_correction(mid, correction)
    fast = dict(max_steps=4, min_steps=4, lr=3e-3, reask_count=1, reask_unseen=0, reask_canaries=0, reask_open=0,
                reask_tokens=4, heldout_fraction=0.0, guard_ppl_rise=0.0)
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**fast, **settings))
    store.close()
    return result.metrics


def test_a_run_with_ordinary_corrections_trains_exactly_as_without_the_setting(tmp_path, tiny_model, one_thread):
    with_setting = _corrected_run(tmp_path / "on", tiny_model, "The capital of France is Paris.", case_practice=4)
    without = _corrected_run(tmp_path / "off", tiny_model, "The capital of France is Paris.")
    assert with_setting["case_practice_rows"] == 0
    assert with_setting["grad_norms"] == without["grad_norms"]
    assert with_setting["final_loss"] == without["final_loss"]


def test_a_run_with_caps_corrections_builds_its_practice(tmp_path, tiny_model):
    metrics = _corrected_run(tmp_path, tiny_model, "THE CAPITAL OF FRANCE IS PARIS.", case_practice=4)
    assert "case_practice" in metrics["phase_cpu_s"]  # the base was asked for its practice texts
    assert len(metrics.get("case_practice_texts", [])) == metrics["case_practice_rows"]
