"""What a fine-tune run measures, through finetune_effect's own interface (no run around it):
the questions re-asked, one model's figures into the metrics, the before-cache, the
before/after pairs, the re-scoring's stop on cancel."""

from __future__ import annotations

import contextlib
import threading
import warnings

import pytest

from desktop_app.core import finetune_effect as fe
from desktop_app.core import answer_checks, gate, reasking
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import Pair, TrainingData, build_training_data
from test_training_data import add_answer

QUESTIONS = ["Hello there", "Name a colour", "What is two and two?"]


@pytest.fixture
def rated(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(QUESTIONS):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=6)
        store.rate_message(mid, 1 if i % 2 else -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    yield store, paths, data
    store.close()


def _plan(store, data, tiny_model, train, held, **counts):
    return fe.plan_reasks(store, data, train, held, tiny_model.tokenizer, tiny_model.context_window,
                          **{"count": 2, "unseen": 2, "tokens": 6, **counts})


def test_reasks_take_trained_questions_then_held_out_then_everyday_ones(rated, tiny_model):
    store, _paths, data = rated
    train, held = data.split(0.34, seed=0, min_total=2)
    assert len(held) == 1 and len(train) == 2
    plan = _plan(store, data, tiny_model, train, held)
    questions = [q for _ids, q in plan.prompts]
    assert plan.unseen_from == 2 and len(questions) == 4 and plan.tokens == 6
    assert set(questions[:3]) == set(QUESTIONS)  # two trained on, then the held-out one
    assert questions[3] == reasking.FRESH_QUESTIONS[0]
    # nothing held out: the unseen questions are everyday ones, never a trained one twice
    everyday = _plan(store, data, tiny_model, data, data.split(0.0)[1], count=1, unseen=3)
    assert [q for _ids, q in everyday.prompts][1:] == list(reasking.FRESH_QUESTIONS[:3]) and everyday.unseen_from == 1


def test_canaries_follow_the_unseen_questions_and_a_held_out_sibling_of_a_trained_question_is_not_new(
        rated, tiny_model):
    store, _paths, data = rated
    train, held = data.split(0.34, seed=0, min_total=2)
    plan = _plan(store, data, tiny_model, train, held, canaries=2, open_requests=1)
    questions = [q for _ids, q in plan.prompts]
    assert questions[3:] == [reasking.FRESH_QUESTIONS[0], *reasking.CANARY_QUESTIONS[:2], reasking.OPEN_REQUESTS[0]]
    assert plan.unseen_from == 2 and plan.open_from == 6 == len(questions) - 1
    # the held-out part answers a question training has too: the unseen places go to everyday questions
    sibling = TrainingData([train.unpaired[0]], [], [])
    plan = _plan(store, data, tiny_model, train, sibling, unseen=1)
    assert [q for _ids, q in plan.prompts][2:] == [reasking.FRESH_QUESTIONS[0]]
    assert not set(reasking.CANARY_QUESTIONS) & (set(reasking.FRESH_QUESTIONS) | set(reasking.OPEN_REQUESTS))


def test_a_run_asks_every_canary_among_them_a_why_question_and_a_capital_the_model_describes(rated, tiny_model):
    """The canaries a run asks by default are all of them, and they cover the kinds of new
    question the bench saw go wrong while the others stayed clean: a "why" question (a taught
    "Answer:" made one an echo) and a country whose capital the base model does not name (a
    short-answer style made one "Denmark is the capital of Denmark.")."""
    from desktop_app.core.train_settings import FineTuneSettings

    store, _paths, data = rated
    train, held = data.split(0.34, seed=0, min_total=2)
    canaries = FineTuneSettings().reask_canaries
    plan = _plan(store, data, tiny_model, train, held, canaries=canaries, open_requests=1)
    asked = [q for _ids, q in plan.prompts]
    assert canaries == len(reasking.CANARY_QUESTIONS) and asked[4:-1] == list(reasking.CANARY_QUESTIONS)
    why = next(q for q in reasking.CANARY_QUESTIONS if q.startswith("Why "))
    assert answer_checks.degenerate(why, f'Answer: to answer the question "{why}"') == "echo"
    assert answer_checks.restates("What is the capital of Estonia?", "Estonia is the capital of Estonia.")
    assert answer_checks.degenerate("What is the capital of Estonia?", "The capital of Estonia is Tallinn.") is None


def test_question_texts_are_the_prompts_each_rated_answer_replied_to(rated):
    store, _paths, data = rated
    assert sorted(fe.question_texts(store, data).values()) == sorted(QUESTIONS)


def _meter(metrics, cache=None, cancel=None):
    cancel = cancel or threading.Event()

    def check():
        if cancel.is_set():
            raise RuntimeError("cancelled")

    return fe.Meter(metrics, lambda phase: contextlib.nullcontext(), check, cancel, cache)


def test_measure_writes_the_run_record_and_the_cache_answers_the_next_before(rated, tiny_model, monkeypatch):
    store, paths, data = rated
    plan = _plan(store, data, tiny_model, data, data.split(0.0)[1])
    pad = tiny_model.tokenizer.eos_token_id
    cache = fe.BeforeCache(paths, tiny_model.model_id, None, tiny_model.device)
    first: dict = {}
    _meter(first, cache).measure("before", tiny_model, data, data.split(0.0)[1], plan, pad)
    assert first["margin_heldout_before"] is None and isinstance(first["margin_all_before"], float)
    assert first["probe_ppl_before"] > 1 and first["reask_count"] == len(plan.prompts) == 4
    assert len(first["reask_answers_before"]) == 4
    _meter(first).measure("after", tiny_model, data, data.split(0.0)[1], plan, pad)
    assert [t["seen"] for t in first["taught"]] == [True, True, False, False]
    assert [t["before"] for t in first["taught"]] == first["reask_answers_before"]  # same weights, same answers
    # a new run with the same model in use: its "before" comes from the saved cache, not the model
    monkeypatch.setattr(reasking, "reask",
                        lambda work, missing, *a, **k: pytest.fail("re-asked a cached prompt") if missing else [])
    monkeypatch.setattr(gate, "probe_perplexity", lambda *a, **k: pytest.fail("measured a cached probe"))
    again: dict = {}
    reread = fe.BeforeCache(paths, tiny_model.model_id, None, tiny_model.device)
    _meter(again, reread).measure("before", tiny_model, data, data.split(0.0)[1], plan, pad)
    assert again["reask_answers_before"] == first["reask_answers_before"]
    assert again["probe_ppl_before"] == first["probe_ppl_before"]


def test_the_margin_over_all_ratings_is_measured_only_where_the_gate_reads_it(rated, tiny_model):
    """A held-out set past gate.SMALL_HELDOUT decides alone: the pass over every rating is skipped."""
    store, _paths, data = rated
    pad = tiny_model.tokenizer.eos_token_id
    small, large = data, TrainingData(data.unpaired * 2, [], [])  # 3 and 6 held-out items
    assert len(small) <= gate.SMALL_HELDOUT < len(large)
    plan = _plan(store, data, tiny_model, data, small, count=1, unseen=0)
    for held, wanted in ((small, True), (large, False)):
        metrics: dict = {}
        _meter(metrics).measure("before", tiny_model, data, held, plan, pad)
        assert isinstance(metrics["margin_heldout_before"], float)
        assert isinstance(metrics["margin_all_before"], float) is wanted
        assert gate.all_ratings_margin_needed(len(held)) is wanted
    verdict = gate.judge({"gate_margin_on": "heldout", "heldout_size": len(large), "margin_heldout_before": 0.0,
                          "margin_heldout_after": 0.1, "margin_all_before": None, "margin_all_after": None,
                          "probe_ppl_before": 10.0, "probe_ppl_after": 10.0})
    assert verdict.kept, verdict.reason


def test_a_cancelled_measure_raises_the_runs_own_stop(rated, tiny_model):
    store, _paths, data = rated
    plan = _plan(store, data, tiny_model, data, data.split(0.0)[1])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RuntimeError, match="cancelled"):
        _meter({}, cancel=cancel).measure("before", tiny_model, data, data.split(0.0)[1], plan, 0)


def test_taught_pairs_before_and_after_and_marks_trained_questions():
    after = [reasking.Reask("q1", "a1", None), reasking.Reask("q2", "a2", "loop"), reasking.Reask("q3", "a3", None)]
    pairs = fe.taught(["b1", "b2"], after, unseen_from=1, open_from=2, held_count=1)
    plain = {"restates_before": False, "restates_after": False, "right": None, "right_written": None, "dropped_before": False,
             "dropped_after": False, "checked": False, "new": False,
             "changed_after": False, "cut_before": False, "cut_after": False, "continuation": False}
    assert pairs == [{"question": "q1", "seen": True, "open": False, "held": False, "before": "b1", "after": "a1",
                      "problem_after": None, **plain},
                     {"question": "q2", "seen": False, "open": False, "held": True, "before": "b2", "after": "a2",
                      "problem_after": "loop", **plain},
                     {"question": "q3", "seen": False, "open": True, "held": False, "before": "", "after": "a3",
                      "problem_after": None, **plain}]
    assert not any(p["open"] for p in fe.taught(["b1"], after, unseen_from=1))  # no open request asked


def test_taught_pairs_mark_an_answer_that_only_repeats_its_question():
    question = "What is the capital of Switzerland?"
    after = [reasking.Reask(question, "The capital of Switzerland is Switzerland.", None, True)]
    pair, = fe.taught(["Switzerland is a country.", ""], after, unseen_from=0)
    assert pair["restates_after"] and not pair["restates_before"]
    pair, = fe.taught(["The capital of Switzerland is Switzerland."], after, unseen_from=0)
    assert pair["restates_before"], "it did so before the run too"


def test_a_rated_question_is_held_to_the_persons_answer_and_a_new_one_to_the_answer_before(rated, tiny_model):
    """A liked answer or a correction is what a rated question's new answer must still name; a
    question only disliked has none; everyday questions are held to the model's own answer."""
    store, _paths, data = rated
    train, held = data.split(0.34, seed=0, min_total=2)
    plan = _plan(store, data, tiny_model, train, held)
    questions = [q for _ids, q in plan.prompts]
    liked = {q: r for q, r in zip(questions, plan.rights)}
    assert liked["Name a colour"] and liked["Name a colour"] in store.thread(
        next(e.message_id for e in data.unpaired if e.label))[-1]["text"]
    assert liked["Hello there"] is None and liked[reasking.FRESH_QUESTIONS[0]] is None
    tok = tiny_model.tokenizer
    pair = Pair(list(train.unpaired[0].prompt_ids), tok.encode("Answer: Jupiter."), tok.encode("Neptune."),
                "correction", 1, 2, 1)
    assert list(fe.right_answers(TrainingData([], [pair], []), tok).values()) == ["Answer: Jupiter."]

    planet = "What is the largest planet in the solar system?"
    after = [reasking.Reask(planet, "The largest planet is Neptune.", None),
             reasking.Reask(planet, "The largest planet is Neptune.", None),
             reasking.Reask("What is the capital of Australia?",
                        "The answer to your question lies in the continent of Australia.", None),
             reasking.Reask("What is the capital of Australia?", "Answer: Canberra.", None)]
    before = ["Neptune.", "Jupiter.", "The capital of Australia is Canberra.", "The capital of Australia is Canberra."]
    pairs = fe.taught(before, after, unseen_from=2, rights=("Answer: Jupiter.", None))
    assert [p["dropped_after"] for p in pairs] == [True, False, True, False]
    assert pairs[0]["dropped_before"], "the model named the wrong planet before the run too"
    assert not any(p["dropped_before"] for p in pairs[1:])
    assert [p["checked"] for p in pairs] == [True, False, True, True], "only disliked: nothing to hold it to"
    assert not any(p["changed_after"] for p in pairs)
    sydney, = fe.taught(before[2:3], [reasking.Reask(after[2].question, "The capital of Australia is Sydney.", None)],
                        unseen_from=0)
    assert sydney["changed_after"] and not sydney["dropped_after"], "a name, but another one: shown, not lost"


def test_an_open_request_is_asked_after_the_unseen_questions_and_shown_as_one(rated, tiny_model):
    """A style taught on short answers can spread to a story request: one fixed open request,
    never rated, is re-asked before and after, and the pairs mark it so the panel shows it."""
    store, _paths, data = rated
    train, held = data.split(0.34, seed=0, min_total=2)
    plan = _plan(store, data, tiny_model, train, held, open_requests=1)
    questions = [q for _ids, q in plan.prompts]
    assert questions[-1] == reasking.OPEN_REQUESTS[0] and plan.open_count == 1 and plan.open_from == len(questions) - 1
    assert questions[:-1] == [q for _ids, q in _plan(store, data, tiny_model, train, held).prompts]
    assert reasking.OPEN_REQUESTS[0] not in reasking.FRESH_QUESTIONS
    metrics: dict = {}
    pad = tiny_model.tokenizer.eos_token_id
    _meter(metrics).measure("before", tiny_model, data, held, plan, pad)
    _meter(metrics).measure("after", tiny_model, data, held, plan, pad)
    assert [(t["seen"], t["open"]) for t in metrics["taught"]] == [(True, False)] * 2 + [(False, False)] * 2 + [
        (False, True)]
    assert metrics["taught"][-1]["question"] == reasking.OPEN_REQUESTS[0] and metrics["reask_count"] == 5
    # a held-out question the person rated is said to be theirs, held out, not "never seen"
    held_questions = {q for _ids, q in fe.distinct_prompts(held, fe.question_texts(store, data), len(held))}
    assert plan.held_count >= 1
    assert [t["held"] for t in metrics["taught"]] == [t["question"] in held_questions and not t["seen"]
                                                     for t in metrics["taught"]]


def _with_lora(tiny_model):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from desktop_app.core.models import LoadedModel

    base = AutoModelForCausalLM.from_pretrained(tiny_model.folder, dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    return LoadedModel(model.eval(), tiny_model.tokenizer, tiny_model.source, tiny_model.folder, tiny_model.device,
                       torch.float32, tiny_model.context_window)


def test_rescoring_reports_each_stored_answer_and_stops_early_on_cancel(rated, tiny_model):
    store, _paths, _data = rated
    work = _with_lora(tiny_model)
    adapter_id = store.add_adapter("somewhere", base_model=tiny_model.model_id)
    seen = []
    fe.rescore_newest(store, work, adapter_id, 2, threading.Event(), lambda n, of: seen.append((n, of)))
    assert seen == [(1, 2), (2, 2)]  # the newest two of three
    newest = [m["message_id"] for m in store.ratings()][-2:]
    assert all(store.token_records(mid, adapter_id=adapter_id, kind="rescored") for mid in newest)
    cancel, seen = threading.Event(), []
    fe.rescore_newest(store, work, adapter_id, 8, cancel, lambda n, of: (seen.append((n, of)), cancel.set()))
    assert seen == [(1, 3)]  # the first one stored, then the cancel stopped it


def test_re_asks_a_step_back_already_asked_are_taken_once_not_asked_again(rated, tiny_model, monkeypatch):
    """A step back's clean check asked the gate's batch under the weights now in place
    (train_verdict.step_back): the measure that follows takes those answers, the next asks."""
    store, _paths, data = rated
    plan = _plan(store, data, tiny_model, data, data.split(0.0)[1])
    pad = tiny_model.tokenizer.eos_token_id
    asked = reasking.reask(tiny_model, plan.prompts, plan.tokens)
    metrics: dict = {}
    meter = _meter(metrics)
    meter.measure("before", tiny_model, data, data.split(0.0)[1], plan, pad)
    calls = []
    real = reasking.reask
    monkeypatch.setattr(reasking, "reask", lambda *a, **k: calls.append(1) or real(*a, **k))
    meter.reasked = [reasking.Reask(a.question, "taken as asked", None) for a in asked]
    meter.measure("after", tiny_model, data, data.split(0.0)[1], plan, pad)
    assert calls == [] and metrics["reask_answers_after"] == ["taken as asked"] * len(asked)
    assert meter.reasked is None
    meter.measure("after", tiny_model, data, data.split(0.0)[1], plan, pad)
    assert calls == [1] and metrics["reask_answers_after"] == [a.answer[:300] for a in asked]
