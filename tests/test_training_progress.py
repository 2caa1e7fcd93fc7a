"""A fine-tune's phases after and before its steps report counts of their work (core.work_meter):
the gate's re-asks token by token, the probe part by part, the ratings scored batch by batch."""

from __future__ import annotations

from desktop_app.core import train_run_progress, train_run_setup, train_step_loop, work_meter
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401  (a fixture)


def _counts(seen, phase: str, start: str) -> list:
    return [p for p in seen if p.phase == phase and p.total and p.message.startswith(start)]


def _rising(reports) -> bool:
    steps = [p.step for p in reports]
    return len(steps) >= 3 and steps == sorted(steps) and len({p.total for p in reports}) == 1


def test_measuring_and_scoring_report_rising_counts_with_totals(env, tiny_model, monkeypatch):  # noqa: F811
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)  # every count, however fast the tiny model is
    store, paths = env
    seen = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert result.status in ("kept", "discarded"), result.reason
    for stage in ("measuring your current model", "measuring the new adapter"):
        reasks = _counts(seen, "evaluating", f"{stage}: re-asking")
        assert _rising(reasks), [p.message for p in reasks]
        assert reasks[0].total == FAST["reask_tokens"] and reasks[-1].step <= reasks[-1].total
        assert "1 of at most 12 tokens of each answer" in " | ".join(p.message for p in reasks)
        assert _counts(seen, "evaluating", f"{stage}: reading general text: ")
    timed = [p for p in _counts(seen, "evaluating", "measuring the new adapter: re-asking") if p.step]
    assert all(p.eta_s is not None and p.eta_s >= 0 for p in timed)
    scoring = _counts(seen, "preparing", "scoring the ")
    assert scoring and scoring[-1].step == scoring[-1].total


def test_counts_reach_only_the_thread_that_listens():
    heard = []
    work_meter.advance("nobody listens", 1, 2)
    with work_meter.listening(lambda *a: heard.append(a)):
        work_meter.advance("re-asking 3 questions at once: {done} of at most {total} tokens", 1, 4)
    work_meter.advance("after it", 1, 2)
    assert heard == [("re-asking 3 questions at once: {done} of at most {total} tokens", 1, 4)]
    assert work_meter.words(*heard[0]) == "re-asking 3 questions at once: 1 of at most 4 tokens"
    assert work_meter.words("scoring your ratings", 3, 8) == "scoring your ratings 3 of 8"


def test_measuring_counts_from_its_start_and_the_steps_time_left_waits_for_a_pace(env, tiny_model,  # noqa: F811
                                                                                  monkeypatch):
    """usertest 8, A4: "measuring your current model…" showed a bar with no count for minutes
    (the first count came after the first batch of answers was scored), and the time left
    told after two steps swung by minutes."""
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)
    store, paths = env
    seen = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert result.status in ("kept", "discarded"), result.reason
    start = next(i for i, p in enumerate(seen) if p.message == "Measuring the new adapter")
    first = seen[start + 1]
    assert first.total and first.step == 0, first
    assert first.message.startswith("measuring the new adapter: scoring the ")
    assert first.message.endswith(f" answers your examples compare: 0 of {first.total}")
    steps = [p for p in seen if p.phase == "training" and p.step]
    early = [p for p in steps if p.step < train_step_loop.ETA_AFTER_STEPS]
    assert early and all(p.eta_s is None for p in early)
    assert all(p.eta_s is not None for p in steps if p.step >= train_step_loop.ETA_AFTER_STEPS)


def test_getting_ready_counts_answers_pairs_and_tokens_from_zero_in_words(tiny_model):
    """usertest 9, B2: "Getting ready: scoring your ratings 1 of 1 · almost done" for minutes
    beside "4 examples ready": the 1 was a batch-sized count of answer texts, and the pairs and
    rated tokens read after it said nothing. Each reading now counts from 0 and names its unit."""
    import torch

    from desktop_app.core.train_measure import distinct_sequence_logps
    from desktop_app.core.train_packing import packed_pair_sums
    from desktop_app.core.train_references import token_references

    model, pad = tiny_model.model, tiny_model.tokenizer.eos_token_id
    seqs = [([5, 6, 7], [8, 9]), ([5, 6], [10]), ([11, 12], [13, 14, 15])]
    heard = []
    with torch.no_grad(), work_meter.listening(lambda *a: heard.append(work_meter.words(*a))):
        distinct_sequence_logps(model, seqs, pad, "cpu", batch_size=1)
        packed_pair_sums(model, [(p, c, [20, 21]) for p, c in seqs[:2]], pad, "cpu", batch_size=1)
        token_references(model, [type("T", (), {"prompt_ids": p, "completion_ids": c})() for p, c in seqs[:2]],
                         pad, "cpu", top=4, batch_size=1)
    assert heard[:4] == [f"scoring the 3 answers your examples compare: {i} of 3" for i in range(4)], heard
    assert heard[4:6] == [f"scoring your preferred answers against the ones they beat: {i} of 2 pairs"
                          for i in range(2)], heard
    reading = heard[6:]  # in the answers' tokens (2 + 1), inside each pass too, to the whole count
    assert reading[0] == "reading the answers you rated token by token: 0 of 3 tokens", heard
    assert reading[-1] == "reading the answers you rated token by token: 3 of 3 tokens", heard
    assert all(line.startswith("reading the answers you rated token by token: ") for line in reading), heard


def test_the_generating_parts_of_getting_ready_say_what_they_do():
    from desktop_app.core.progress_words import STEP_WORDS, phase_line

    for said in (train_run_setup.ANSWERING_REQUESTS, train_run_setup.WRITING_PRACTICE):
        line = phase_line(train_run_progress.TrainProgress("training", message=said, step=0))
        assert line == f"Getting ready: {STEP_WORDS[said]}\u2026", line
