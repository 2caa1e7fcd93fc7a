"""The step back's search for a clean checkpoint stops decoding at the first answer that ended
wrong (reasking.reask(until=), train_verdict.clean_check): the same verdict as the whole batch,
for fewer forward passes. A tiny model taught to end one question at once (an empty answer,
degenerate) while the other runs to the token limit."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core import reasking
from desktop_app.core.finetune_effect import Reasks
from desktop_app.core.train_verdict import clean_check

ENDS = "What is the capital of Croatia?"  # answered with end-of-text at once: empty
RUNS = "Tell me about cats."  # answered up to the limit
TOKENS = 12


@pytest.fixture(scope="module")
def ending_model(tiny_model_dir, session_paths):
    """The tiny GPT-2, its own copy, trained until its greedy answer to ENDS is the end-of-text
    token and to RUNS is anything else."""
    import torch

    from desktop_app.core.models import open_model

    loaded = open_model(str(tiny_model_dir), session_paths, device="cpu", precision="exact")
    tok, model = loaded.tokenizer, loaded.model
    eos = tok.eos_token_id
    colon = tok.encode(":")[0]
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(200):
        loss = 0.0
        for question, target in ((ENDS, eos), (RUNS, colon)):
            ids = torch.tensor([reasking.fresh_prompt(tok, question, loaded.context_window, TOKENS)])
            logits = model(input_ids=ids).logits[0, -1]
            loss = loss + torch.nn.functional.cross_entropy(logits[None], torch.tensor([target]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if loss.item() < 0.01:
            break
    model.eval()
    return loaded


def prompts_for(loaded, questions):
    return [(reasking.fresh_prompt(loaded.tokenizer, q, loaded.context_window, TOKENS), q) for q in questions]


def counted_passes(loaded):
    """The model's forward passes from now on (a hook on the real model)."""
    calls = []
    handle = loaded.model.register_forward_hook(lambda *_a: calls.append(1))
    return calls, handle


def test_reask_stops_where_an_ended_answer_settles_it_and_that_answer_is_the_whole_batchs(ending_model):
    prompts = prompts_for(ending_model, [RUNS, ENDS])
    calls, handle = counted_passes(ending_model)
    try:
        whole = reasking.reask(ending_model, prompts, TOKENS)
        passes_whole = len(calls)
        calls.clear()
        seen = []
        stopped = reasking.reask(ending_model, prompts, TOKENS, until=lambda i, a: seen.append((i, a.answer)) or True)
        passes_stopped = len(calls)
    finally:
        handle.remove()
    assert whole[1].answer == "" and whole[1].problem == "empty"  # the fixture's premise
    assert whole[0].answer and whole[0].problem == "loop"  # RUNS ran on to the limit
    assert seen == [(1, "")], "asked once, for the answer that ended"
    assert stopped[1] == whole[1]
    assert passes_whole == TOKENS and passes_stopped == 1
    assert len(stopped[0].answer) < len(whole[0].answer)  # the other answer was cut short


def test_reask_runs_to_the_end_when_no_ended_answer_settles_it(ending_model):
    prompts = prompts_for(ending_model, [RUNS, ENDS, RUNS])
    asked = []
    answers = reasking.reask(ending_model, prompts, TOKENS, until=lambda i, a: asked.append(i) or False)
    assert answers == reasking.reask(ending_model, prompts, TOKENS)
    assert asked == [1]


def test_the_clean_check_gives_the_whole_batchs_verdict_for_fewer_passes(ending_model):
    """An answer fine before training and empty now refuses the checkpoint after one pass;
    one that was empty before training too is not watched: the batch runs on, and the
    verdict is the one the loop on the other answer gives."""
    prompts = prompts_for(ending_model, [RUNS, ENDS])
    reasks = Reasks(prompts, unseen_from=0, tokens=TOKENS)
    whole = reasking.reask(ending_model, prompts, TOKENS)

    def taught(before: list[str], after: list[reasking.Reask]) -> list[dict]:
        return [{"question": q, "before": b, "after": a.answer, "problem_after": a.problem}
                for q, b, a in zip([RUNS, ENDS], before, after)]

    fine = "A fine answer about something else entirely."
    calls, handle = counted_passes(ending_model)
    try:
        empty_now = clean_check(ending_model, reasks, taught([fine, fine], whole), threading.Event())
        assert empty_now() is False and len(calls) == 1
        assert empty_now.answers[1] == whole[1] and len(empty_now.answers[0].answer) < len(whole[0].answer)
        calls.clear()
        empty_before = clean_check(ending_model, reasks, taught([fine, ""], whole), threading.Event())
        assert empty_before() is (whole[0].problem is None) and len(calls) == TOKENS
        assert empty_before.answers == whole  # what the measure after a step back takes (Meter.reasked)
    finally:
        handle.remove()
