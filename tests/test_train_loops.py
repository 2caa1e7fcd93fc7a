"""Unlikelihood on the model's own repeats (core.train_loops): the repeat finder marks the
tokens that complete a repeated n-gram, the term lowers a repeated token's probability, and a
run with it on looks, penalises and reports (tiny model)."""

from __future__ import annotations

import warnings

import pytest
import torch

from desktop_app.core import answer_checks, reasking
from desktop_app.core import train_loops as T
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_logps import pad_batch, per_token_logps
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer


def test_the_repeat_finder_marks_the_tokens_that_complete_a_repeated_ngram():
    assert T.repeat_positions([1, 2, 3, 4, 1, 2, 3, 4, 5], n=2) == [5, 6, 7]
    # "STRANGE STRANGE STRANGE ...": the second run of n of one token, and each after it, completes a seen n-gram
    assert T.repeat_positions([9, 7, 7, 7, 7, 7, 7], n=3) == [4, 5, 6]
    assert T.repeat_positions([1, 2, 3, 4, 5, 6], n=3) == []
    assert T.repeat_positions([1, 2, 3, 1, 2], n=3) == []  # a repeated pair is no repeated triple
    assert T.repeat_positions([1, 2], n=4) == []


def test_the_loop_questions_are_none_of_the_gates():
    """The gate's re-asks judge the run this term trains: they must not be its questions."""
    gates = set(reasking.CANARY_QUESTIONS) | set(reasking.OPEN_REQUESTS) | set(reasking.FRESH_QUESTIONS)
    assert not set(T.LOOP_QUESTIONS) & gates


@pytest.fixture
def peft_tiny(tiny_model):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model.folder, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        return get_peft_model(base, config).eval()


def test_the_term_lowers_the_repeated_tokens_probability(peft_tiny, tiny_model):
    """A look finds the greedy answers' loop tokens; descending the term makes the repeated
    tokens at those positions less likely."""
    tok = tiny_model.tokenizer
    pad = tok.eos_token_id
    prompts = [tok("User: Tell me about the sea\nAssistant:")["input_ids"]]
    loops = T.LoopPenalty(prompts, None, pad, every=1, per_look=1, tokens=40, n=2)
    loops.look(peft_tiny, "cpu")
    if not loops.positions:  # the random tiny model need not loop greedily: give it a looping answer
        prompt = prompts[0]
        answer = tok(" the sea the sea the sea the sea")["input_ids"]
        loops.seqs = [(prompt, answer)]
        loops.positions = [(0, len(prompt) + i - 1) for i in T.repeat_positions(answer, 2)]
    assert loops.positions

    def repeated_logp() -> float:
        with torch.no_grad():
            logps, _m = per_token_logps(peft_tiny, pad_batch(loops.seqs, pad, "cpu"))
        return float(sum(logps[r, c] for r, c in loops.positions))

    before = repeated_logp()
    params = [p for p in peft_tiny.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=0.5)
    for _ in range(5):
        loss = loops.loss(peft_tiny, "cpu")
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert repeated_logp() < before - 0.1
    assert loops.penalised == 5 * len(loops.positions)


def test_a_run_with_the_term_looks_and_reports(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Name a colour", "What is two and two?", "Say hello"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=6)
        store.rate_message(mid, 1 if i % 2 else -1)
    settings = FineTuneSettings(max_steps=3, min_steps=3, epochs=1, lr=3e-3, reask_count=1, reask_unseen=1,
                                reask_open=0, reask_canaries=0, reask_tokens=4, heldout_fraction=0.0, rescore=False,
                                guard_ppl_rise=0, loop_weight=1.0, loop_every=2, loop_questions=2, loop_tokens=12)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.status in ("kept", "discarded"), result.reason
    m = result.metrics
    assert m["loop_looks"] == 1  # before update 2
    assert m["steps"] == 3
    assert m["loop_tokens_penalised"] <= 3 * m["loop_tokens_found"]
    assert "loops" in m["phase_cpu_s"]
    store.close()


def test_only_loops_keeps_answers_the_gate_calls_a_loop():
    """loop_only_loops: an answer with a repeat or two is left alone, a loop is penalised."""
    assert answer_checks.looping([5, 6, 7, 8] * 5)
    assert not answer_checks.looping([1, 2, 3, 4, 9, 1, 2, 3, 4] + list(range(10, 30)))  # one repeated phrase
    assert answer_checks.degenerate("Tell me about cats.", "CATS CATS CATS", [7] * 9) == "loop"


def test_a_waiting_term_arms_at_the_first_real_loop_then_presses_on_every_repeat():
    """loop_wait: answers with a repeat or two arm nothing and give no term; the first look with an
    answer answer_checks.looping calls a loop arms it, and from then on every repeat is penalised."""
    loops = T.LoopPenalty([[1, 2]], None, 0, n=2, wait_for_loop=True)
    repeat_once = [5, 6, 7, 5, 6, 8, 9, 10, 11]  # "5 6" twice: a repeat, not a loop
    assert T.repeat_positions(repeat_once, 2) and not answer_checks.looping(repeat_once)
    assert loops.take([[1, 2]], [repeat_once], step=4) == 0
    assert loops.armed_at is None and not loops.positions
    assert loops.loss(None, "cpu") is None  # no term: the update is the one without it
    loop = [5, 6, 7, 8] * 5
    assert loops.take([[1, 2], [3, 4]], [repeat_once, loop], step=8) > 0
    assert loops.armed_at == 8
    assert {row for row, _col in loops.positions} == {0, 1}  # the ordinary repeat too, once armed
    assert loops.take([[1, 2]], [repeat_once], step=12) > 0 and loops.armed_at == 8
    summary = loops.summary()
    assert summary["loop_armed_at"] == 8 and summary["loop_tokens_per_look"][0] == 0


def test_a_run_whose_looks_never_loop_trains_as_without_the_term(tmp_path, tiny_model, one_thread):
    """Answers of 6 tokens cannot be a loop to answer_checks.looping: the waiting term never arms, and the run's
    updates are the ones it makes without the term, to the last digit."""
    def run(name: str, **loop) -> dict:
        paths = AppPaths.resolve(tmp_path / name).ensure()
        store = Store.open(paths.db_path)
        for i, q in enumerate(["Name a colour", "What is two and two?", "Say hello"]):
            _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=6)
            store.rate_message(mid, 1 if i % 2 else -1)
        settings = FineTuneSettings(max_steps=4, min_steps=4, epochs=1, lr=3e-3, reask_count=1, reask_unseen=1,
                                    reask_open=0, reask_canaries=0, reask_tokens=4, heldout_fraction=0.0,
                                    rescore=False, guard_ppl_rise=0, **loop)
        metrics = run_finetune(store, tiny_model, paths, settings).metrics
        store.close()
        return metrics

    plain = run("plain")
    waiting = run("waiting", loop_weight=2.0, loop_wait=True, loop_every=2, loop_questions=2, loop_tokens=6)
    assert waiting["loop_looks"] == 2 and waiting["loop_armed_at"] is None
    assert waiting["loop_tokens_penalised"] == 0
    assert waiting["grad_norms"] == plain["grad_norms"] and waiting["final_loss"] == plain["final_loss"]
