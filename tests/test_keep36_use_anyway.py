"""A run the gate discarded for degenerate re-asks alone (margin up, general text within the limit)
keeps its adapter saved, not in use, for the person to use anyway (usertest 12: four runs that learned
what they were taught, all discarded for one re-asked answer). Runs discarded for the margin or the
perplexity save nothing. The tiny model's re-asks loop; its "before" answers are made clean through
the run's own before-cache, as after an earlier run of a model whose answers were fine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core import adapters, gate
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import (USE_ANYWAY, settle_consent, trying_words, used_over_check,
                                            waiting_for_consent)
from desktop_app.core.training import run_finetune
from app_dirs import isolate_app_dirs, put_back, set_aside
from test_training import FAST
from test_training_data import rate_three_answers

SETTINGS = dict(FAST, rescore=False)
CLEAN = "A calm and ordinary answer to this."


def answers_were_clean(paths) -> None:
    """Every re-ask the model in use answered in an earlier run (the before-cache) reads as a clean
    answer: the run's looping answers after training then are new, as in the user test."""
    cache = paths.cache_dir / fe.BeforeCache.FILE
    table = json.loads(cache.read_text(encoding="utf-8"))
    cache.write_text(json.dumps({k: [CLEAN, None] if "|reask:" in k else v for k, v in table.items()}),
                     encoding="utf-8")


def folders(paths) -> list[Path]:
    return [p for p in Path(paths.adapters_dir).iterdir() if not p.name.startswith(".")]


@pytest.fixture(scope="module")
def made_runs(tmp_path_factory, tiny_model):
    """The two runs, made once for the module (two real fine-tunes): (paths, the first run, the
    second, its reports, a copy of the data folder as the runs left it)."""
    folder = tmp_path_factory.mktemp("keep36")
    with pytest.MonkeyPatch.context() as mp:  # before any test's own folders are set
        isolate_app_dirs(mp, folder)
        paths = AppPaths.resolve(folder / "data").ensure()
        with Store.open(paths.db_path) as store:
            rate_three_answers(store, tiny_model, first_seed=10)
            first = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**SETTINGS, "lr": 0.0}))
            answers_were_clean(paths)
            seen = []
            second = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS), progress=seen.append)
    return paths, first, second, seen, set_aside(paths.data_dir)


@pytest.fixture
def pending(made_runs):
    """(store, paths, the first run: discarded for its margin, the second: for degenerate answers alone).
    The runs are the module's; the data folder is put back as they left it for each test."""
    paths, first, second, seen, as_made = made_runs
    put_back(as_made, paths.data_dir)
    store = Store.open(paths.db_path)
    yield store, paths, first, second, seen
    store.close()


def test_a_run_discarded_for_degenerate_answers_alone_offers_its_adapter_and_using_it_activates_it(pending, tiny_model):
    store, paths, first, result, seen = pending
    assert result.status == "discarded" and not result.kept
    assert gate.judge(result.metrics, FineTuneSettings().max_ppl_rise).failed == ["degenerate"], result.reason
    assert result.usable_anyway and result.needs_consent and result.adapter_id is not None
    assert result.metrics[USE_ANYWAY] is True
    bad = result.metrics["degenerate_answers"]
    assert bad and all(b["problem"] and b["before"] == CLEAN and not b["before_too"] for b in bad)
    assert store.active_adapter(tiny_model.model_id) is None  # nothing is activated on its own
    run = store.get_run(result.run_id)
    assert run["status"] == "discarded" and run["adapter_id"] == result.adapter_id and waiting_for_consent(run, None)
    # not in the history until used; its files are there
    assert adapters.list_adapters(store, tiny_model.model_id) == []
    waiting = adapters.list_adapters(store, tiny_model.model_id, waiting=True)
    assert [(a["id"], a["waiting"], a["present"]) for a in waiting] == [(result.adapter_id, True, True)]

    row = settle_consent(store, result.run_id, use=True, model_id=tiny_model.model_id)
    assert row["id"] == result.adapter_id == store.active_adapter(tiny_model.model_id)["id"]
    run = store.get_run(result.run_id)
    assert run["status"] == "discarded" and run["metrics"]["consent"] == "used"
    assert used_over_check(run["status"], run["metrics"]) and not waiting_for_consent(run, None)
    shown = adapters.list_adapters(store, tiny_model.model_id)
    assert [(a["id"], a["waiting"], a["active"]) for a in shown] == [(result.adapter_id, False, True)]
    # a later run keeps a used adapter: it is the parent now
    later = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**SETTINGS, "lr": 0.0}))
    assert store.get_run(later.run_id)["parent_adapter_id"] == result.adapter_id
    assert store.get_adapter(result.adapter_id)["path"]


def test_the_step_back_says_which_checkpoint_it_tries(pending):
    _store, _paths, _first, result, seen = pending
    tried = [p for p in seen if p.stepping_back]
    back = result.metrics["phase_s"].get("step_back")
    assert back is not None and tried, [p.message for p in seen if p.phase == "evaluating"]
    step, trained = tried[0].stepping_back
    assert 0 < step < trained == result.metrics["steps"]
    assert tried[0].message.startswith(trying_words(tried[0].message.split(",")[0], step, trained, 1,
                                                    int(tried[0].message.split("at most ")[1].split(")")[0])))
    assert "so trying the adapter from step" in tried[0].message
    assert any("re-asking" in p.message for p in tried)  # the count of its re-asks, under the same words


def test_leave_it_deletes_the_files_and_a_later_run_removes_an_unanswered_one(pending, tiny_model):
    store, paths, first, result, _seen = pending
    assert first.status == "discarded" and "margin" in first.reason
    assert first.adapter_id is None and not first.usable_anyway  # the margin's refusal saves nothing
    folder = Path(store.get_adapter(result.adapter_id)["path"])
    assert folder.is_dir() and folders(paths) == [folder]
    assert settle_consent(store, result.run_id, use=False) is None
    assert not folder.exists() and folders(paths) == [] and store.list_adapters() == []
    run = store.get_run(result.run_id)
    assert run["metrics"]["consent"] == "declined" and not waiting_for_consent(run, None)

    # another offer, unanswered: the next run's verdict removes it
    again = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    assert again.usable_anyway, again.reason
    later = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**SETTINGS, "lr": 0.0}))
    assert later.adapter_id is None and folders(paths) == [] and store.list_adapters() == []
    assert not waiting_for_consent(store.get_run(again.run_id), None)


def test_a_run_discarded_for_perplexity_saves_nothing(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    with Store.open(paths.db_path) as store:
        rate_three_answers(store, tiny_model, first_seed=10)
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS, max_ppl_rise=-0.99))
        assert "perplexity" in gate.judge(result.metrics, -0.99).failed
        assert result.adapter_id is None and not result.usable_anyway and not result.needs_consent
        assert USE_ANYWAY not in result.metrics and store.list_adapters() == [] and folders(paths) == []


def test_the_cli_json_carries_the_offer_and_its_words_say_how(tmp_path, tiny_model, tiny_model_dir, capsys):
    from desktop_app.cli import main

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    train = ["--max-steps", "12", "--heldout", "0"]
    assert main(["finetune", "--json", *train, "--lr", "0", *common]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "discarded" and not first["usable_anyway"] and first["use_with"] is None
    answers_were_clean(paths)
    assert main(["finetune", "--json", *train, "--lr", "0.003", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "discarded" and not out["kept"] and out["usable_anyway"], out["reason"]
    assert out["needs_consent"] and out["activated"] is False
    assert out["use_with"] == f"gpt2-desk adapters activate {out['adapter_id']}"
    assert out["leave_with"] == f"gpt2-desk adapters delete {out['adapter_id']}"
    assert out["degenerate_answers"] == out["metrics"]["degenerate_answers"] != []
    assert store.active_adapter(tiny_model.model_id) is None

    # in words: a later run (its verdict removes the earlier offer) offers its own, and says how
    assert main(["finetune", *train, "--lr", "0.003", *common]) == 0
    text = capsys.readouterr().out
    run = store.list_runs()[0]
    assert store.list_adapters()[0]["id"] == run["adapter_id"] and len(store.list_adapters()) == 1
    assert f"saved as adapter {run['adapter_id']}, NOT in use" in text and "before: " + CLEAN in text
    assert f"Use it anyway with: gpt2-desk adapters activate {run['adapter_id']}" in text
    assert main(["adapters", "list", *common]) == 0
    assert "discarded by the check, not used" in capsys.readouterr().out
    assert main(["adapters", "activate", str(run["adapter_id"]), *common]) == 0
    assert store.active_adapter(tiny_model.model_id)["id"] == run["adapter_id"]
    assert store.get_run(run["id"])["metrics"]["consent"] == "used"
    capsys.readouterr()
    assert main(["adapters", "list", *common]) == 0
    assert "(used over the check)" in capsys.readouterr().out
    store.close()
