"""User test 13, #3: after run 1 the person corrected two answers and ran again; run 2's card showed
before -> after pairs for old questions only, the two fresh corrections neither re-asked nor shown, and
nothing said that run 2 started from adapter 1. The ratings new since the previous run are now re-asked
(core.finetune_effect.plan_reasks), shown first and marked (the card, ``finetune --json``), the card and
the tab say which adapter a run starts from, and a discarded run whose new ratings' answers moved no
nearer the person's answers says they may pull against older ratings."""

from __future__ import annotations

import json

import pytest

from desktop_app.core import finetune_effect as fe
from desktop_app.core import reasking
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from app_dirs import isolate_app_dirs, put_back, set_aside
from test_training import FAST
from test_training_data import THREE_QUESTIONS, add_answer, rate_three_answers

NEW = {"Write a haiku about rain.": "Soft rain on the roof\nthe garden drinks in silence\nmorning smells of earth",
       "Tell me about dogs.": "Dogs are loyal, playful animals."}


def _correct_two(store, loaded) -> set[int]:
    ids = set()
    for i, (question, better) in enumerate(NEW.items()):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=40 + i)
        store.set_correction(mid, better)
        ids.add(mid)
    return ids


def _adapter_of(store, loaded, paths, run_id: int) -> int:
    """A real (untrained) LoRA adapter on the tiny model, saved and put in use as run ``run_id``'s."""
    import copy

    from peft import LoraConfig, get_peft_model

    folder = paths.adapters_dir / "from-run-1"
    model = get_peft_model(copy.deepcopy(loaded.model), LoraConfig(r=2, target_modules=["c_attn"], fan_in_fan_out=True))
    model.save_pretrained(folder)
    adapter = store.add_adapter(str(folder), base_model=loaded.model_id, run_id=run_id)
    store.set_active_adapter(adapter, loaded.model_id)
    return adapter


@pytest.fixture(scope="module")
def run_one_made(tmp_path_factory, tiny_model):
    """Three answers rated and run 1 finished, once for the module (a real fine-tune): (paths, run 1's
    id, a copy of the data folder as the run left it)."""
    folder = tmp_path_factory.mktemp("newfirst38")
    with pytest.MonkeyPatch.context() as mp:  # before any test's own folders are set
        isolate_app_dirs(mp, folder)
        paths = AppPaths.resolve(folder / "data").ensure()
        with Store.open(paths.db_path) as store:
            rate_three_answers(store, tiny_model, first_seed=10)
            first = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "lr": 0.0, "rescore": False}))
    return paths, first.run_id, set_aside(paths.data_dir)


@pytest.fixture
def after_run_one(run_one_made):
    """(store, paths, run 1's id): three answers rated, run 1 finished (the data folder put back as
    the run left it: a test corrects answers and runs again)."""
    paths, run_one, as_made = run_one_made
    put_back(as_made, paths.data_dir)
    store = Store.open(paths.db_path)
    yield store, paths, run_one
    store.close()


def test_the_new_ratings_are_re_asked_first_within_two_more_re_asks(after_run_one, tiny_model):
    from desktop_app.core.train_counts import new_since_previous

    store, _paths, run_one = after_run_one
    corrected = _correct_two(store, tiny_model)
    since, new = new_since_previous(store, None, tiny_model.model_id)
    assert since == run_one and corrected <= new
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    train, held = data.split(0.0)
    plan = fe.plan_reasks(store, data, train, held, tiny_model.tokenizer, tiny_model.context_window,
                          count=2, unseen=1, tokens=6, new=new)
    rated = [q for _ids, q in plan.prompts[:plan.unseen_from]]
    assert set(rated[:2]) == set(NEW) and plan.news[:2] == (True, True), rated
    assert len(rated) == 2 + 2 and set(rated[2:]) <= set(THREE_QUESTIONS)  # two old ones still asked
    assert not any(plan.news[2:])
    # without new ratings: as before, two rated questions
    plain = fe.plan_reasks(store, data, train, held, tiny_model.tokenizer, tiny_model.context_window,
                           count=2, unseen=1, tokens=6)
    assert plain.unseen_from == 2 and not any(plain.news)


def test_the_cli_json_lists_the_new_ones_first_marked_and_names_the_adapter_it_starts_from(
        after_run_one, tiny_model, tiny_model_dir, capsys):
    from desktop_app.cli import main

    store, paths, run_one = after_run_one
    adapter = _adapter_of(store, tiny_model, paths, run_one)
    _correct_two(store, tiny_model)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--json", "--max-steps", "2", "--heldout", "0", "--lr", "0", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["started_from_adapter"] == adapter and out["new_since_run"] == run_one
    taught = out["taught"]
    assert {t["question"] for t in taught[:2]} == set(NEW) and all(t["new"] for t in taught[:2]), taught
    assert not any(t["new"] for t in taught[2:])
    rated = {t["question"] for t in taught if t["seen"]}
    assert set(NEW) < rated and len(rated) <= FineTuneSettings().reask_count + fe.NEW_EXTRA  # bounded: 2 more at most
    stored = store.get_run(out["run_id"])["metrics"]["taught"]  # the card reads the run's stored pairs
    assert {t["question"] for t in stored if t["new"]} == set(NEW)
    assert main(["finetune", "--max-steps", "2", "--heldout", "0", "--lr", "0", *common]) == 0
    text = capsys.readouterr().out
    assert f"started from adapter {adapter}" in text
    first = next(line for line in text.splitlines() if line.strip().startswith("["))
    assert first.strip().startswith(f"[new since run {run_one}, wrote an answer]") and any(q in first for q in NEW), text


# ---------------------------------------------------------------- the card's words and pairs

def _run_two_pairs(moved: bool) -> list[dict]:
    """Run 2's re-asks as core.finetune_effect.taught makes them: two old questions right before and
    after, the two new corrections first asked, their new answers nearer the person's or not."""
    asked = [("Write a haiku about rain.", "Answer: Rain.", NEW["Write a haiku about rain."] if moved
              else "Answer: Rain falls."),
             ("Tell me about dogs.", "Answer: Dogs.", "Dogs are loyal, playful animals!" if moved else "Answer: Dogs."),
             ("What is the capital of Japan?", "Answer: Tokyo.", "Answer: Tokyo."),
             ("Who wrote Hamlet?", "Answer: William Shakespeare.", "Answer: William Shakespeare."),
             ("Write a short story about a robot who learns to paint.", "Answer: In the year 2023",
              "Answer: In the year 2023")]
    after = [reasking.Reask(q, a, None) for q, _b, a in asked]
    rights = (NEW["Write a haiku about rain."], NEW["Tell me about dogs."], "Answer: Tokyo.",
              "Answer: William Shakespeare.")
    # the order a run without this change had: old ones first (a card shows three rated questions)
    order = [2, 3, 0, 1, 4]
    pairs = fe.taught([asked[i][1] for i in order], [after[i] for i in order], unseen_from=4, open_from=4,
                      rights=tuple(rights[i] for i in order[:4]), news=(False, False, True, True))
    return pairs


def _metrics(moved: bool) -> dict:
    return {"taught": _run_two_pairs(moved), "started_from_adapter": 1, "new_since_run_id": 1,
            "margin_before": 2.167, "margin_after": 1.894, "gate_margin_on": "all"}


def test_the_card_shows_the_new_ones_first_and_says_where_the_run_started():
    from desktop_app.gui.finetune_words import describe_run, pick_pairs

    m = _metrics(moved=True)
    assert [p["question"] for p in pick_pairs(m["taught"])][:2] == list(NEW)
    _title, body = describe_run("discarded", "the held-out margin did not move the right way (2.167 -> 1.894)", m)
    assert "This run started from adapter 1, the one in use" in body
    assert "pull against" not in body  # they moved toward the person's answers: no hint
    _title, kept = describe_run("kept", None, m, 2)
    assert "This run started from adapter 1" in kept and "pull against" not in kept


def test_a_discarded_run_whose_new_ratings_did_not_move_says_they_may_pull_against_older_ones():
    from desktop_app.gui.finetune_words import describe_run

    _title, body = describe_run("discarded", "the held-out margin did not move the right way (2.167 -> 1.894)",
                                _metrics(moved=False))
    assert ("the answers to what you rated since run 1 did not move toward your answers: "
            "they may pull against older ratings") in body
    _title, kept = describe_run("kept", None, _metrics(moved=False), 2)
    assert "pull against" not in kept  # a kept run is not told what would have gone wrong


def test_the_tab_says_a_new_run_starts_from_the_adapter_in_use():
    from desktop_app.gui.ready_words import news_words

    counts = {"total": 23, "last_run": 1, "new_since_run": 7, "active_adapter_id": 1}
    assert "A new run starts from adapter 1, the one in use" in news_words(counts)
    assert "starts from" not in news_words({**counts, "active_adapter_id": None})


def test_the_card_widget_lists_the_new_ones_first_marked(qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.taught_view import TaughtView

    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(_metrics(moved=False)["taught"], since_run=1)
    questions = [w.text() for w in view.question_labels()]
    assert questions[0].startswith("\u201cWrite a haiku about rain.\u201d \u00b7 new since run 1 \u00b7 you rated this")
    assert questions[1].startswith("\u201cTell me about dogs.\u201d \u00b7 new since run 1 \u00b7 you rated this")
    assert "new since run" not in questions[2]
