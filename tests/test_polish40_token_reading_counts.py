"""Getting ready to fine-tune on an answer rated token by token counts finer than answers: its
tokens, inside the pass too, up to the whole count; then it says the first step is being taken.
User test 15 read "reading the answers you rated token by token: 0 of 1 answers" for ~12 s on the
bundled model before the first step (the count never reached 1, and the first step said nothing
until it ended). The tiny model and a real store; the core and the panel's Qt-free words."""

from __future__ import annotations

import torch

from desktop_app.core import train_step_loop, work_meter
from desktop_app.core.train_references import READING_TOKENS, token_references
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from desktop_app.core.progress_words import STEP_WORDS, count_words, phase_line
from test_training import FAST, env  # noqa: F401  (a fixture)
from test_training_data import add_answer


def test_one_answer_is_counted_in_tokens_as_its_pass_goes(tiny_model):
    model, pad = tiny_model.model, tiny_model.tokenizer.eos_token_id
    answer = type("T", (), {"prompt_ids": [5, 6, 7], "completion_ids": list(range(20, 32))})()
    heard = []
    with torch.no_grad(), work_meter.listening(lambda what, done, total: heard.append((what, done, total))):
        refs = token_references(model, [answer], pad, "cpu", top=4)
    assert len(refs) == 1 and refs[0].ids.shape == (12, 4)
    assert {what for what, _d, _t in heard} == {READING_TOKENS}
    counts = [done for _w, done, _t in heard]
    assert {total for _w, _d, total in heard} == {12}, "counted in the answer's tokens"
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == 12, counts
    assert any(0 < done < 12 for done in counts), f"one answer's pass is counted as it goes: {counts}"
    assert work_meter.words(*heard[-1]) == "reading the answers you rated token by token: 12 of 12 tokens"


def test_the_run_says_the_first_step_is_under_way_after_the_reading(env, tiny_model):  # noqa: F811
    store, paths = env
    _c, _u, mid, _p = add_answer(store, tiny_model, "Name a planet.", seed=3)
    store.rate_token(mid, 1, -1)
    seen = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert result.status in ("kept", "discarded"), result.reason
    said = [p.message for p in seen]
    reading = [i for i, m in enumerate(said) if m.startswith("reading the answers you rated token by token")]
    assert reading, said
    first = said.index(train_step_loop.FIRST_STEP)
    step_one = next(i for i, p in enumerate(seen) if p.phase == "training" and p.step == 1)
    assert reading[-1] < first < step_one, said[reading[0]:step_one + 1]
    done = seen[reading[-1]]
    assert done.step == done.total, "the reading's count ends whole"
    n = f"{done.total}/{done.total}"  # the status bar names the unit (it had said "reading 0/22 answers")
    assert count_words(done) == (f"{n} tokens of rated answers", f"reading {n} rated tokens")
    assert phase_line(seen[first]) == f"Getting ready: {STEP_WORDS[train_step_loop.FIRST_STEP]}\u2026"
