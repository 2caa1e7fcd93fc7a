"""A kept run that changed facts on questions nobody rated waits for the person's word (usertest 7):
saved in the adapter history, not put in use; the person uses it anyway or keeps the model in use.
The verdict is the real one (core.training's run on the tiny model, its before-answers taken from
the run's own before-cache, as after an earlier run), and the predicates over before/after pairs
built by finetune_effect.taught."""

from __future__ import annotations

import json

import pytest

from desktop_app.core import fact_changes as fc
from desktop_app.core import finetune_effect as fe
from desktop_app.core import answer_checks, reasking
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import RunResult, note_activated, settle_consent, waiting_for_consent
from desktop_app.core.training import run_finetune
from test_training import FAST
from test_training_data import rate_three_answers

AUSTRALIA = "What is the capital of Australia?"
CANBERRA = "The capital of Australia is Canberra."


def _pairs(before: list[str], after: list[str], questions: list[str], unseen_from: int = 0, open_from=None,
           held: int = 0) -> list[dict]:
    answers = [reasking.Reask(q, a, answer_checks.degenerate(q, a), answer_checks.restates(q, a))
               for q, a in zip(questions, after)]
    return fe.taught(before, answers, unseen_from, open_from, held)


def test_a_changed_or_lost_fact_on_a_never_rated_question_is_listed_and_a_shorter_format_is_not():
    questions = [AUSTRALIA, "What is the capital of Switzerland?", "What is the capital of Croatia?",
                 "How many legs does a spider have?", "Tell me about cats.", "Why is the sky blue?"]
    before = [CANBERRA, "The capital of Switzerland is Bern.", "The capital of Croatia is Zagreb.",
              "A spider has eight legs.", "Cats are Felidae.", "The answer lies in the scattering of light."]
    after = ["The capital of Australia is Sydney.", "The capital of Switzerland is Switzerland.", "Answer: Zagreb.",
             "Answer: 8.", "Dogs are nice.", "The sky blue."]
    changed = fc.facts_changed(_pairs(before, after, questions))
    assert [(c["question"], c["how"]) for c in changed] == [
        (AUSTRALIA, "changed"), ("What is the capital of Switzerland?", "dropped"), ("Why is the sky blue?", "restated")]
    assert changed[0]["before"] == CANBERRA and changed[0]["after"] == "The capital of Australia is Sydney."
    assert fc.facts_judged(_pairs(before, after, questions)) == 6
    # an answer that repeated the question before the run too is no change
    assert not fc.facts_changed(_pairs(["The sky blue."], ["The sky blue."], ["Why is the sky blue?"]))
    for fine in ("Answer: Canberra.", "Canberra.", "It is Canberra, not Sydney.", "The capital is Canberra."):
        assert not fc.facts_changed(_pairs([CANBERRA], [fine], [AUSTRALIA])), fine


def test_a_results_changed_facts_are_the_ones_its_metrics_keep():
    """One source: the run's metrics (its stored row, which the fine-tune card reads) hold the
    changed facts, and the result the CLI and the status bar read says the same from them."""
    changed = [{"question": AUSTRALIA, "before": CANBERRA, "after": "Sydney.", "how": "changed"}]
    waiting = RunResult(1, True, 2, "kept", {"facts_changed": changed}, "kept")
    assert waiting.facts_changed is changed and waiting.needs_consent and not waiting.activated
    clean = RunResult(1, True, 2, "kept", {"facts_changed": []}, "kept")
    assert clean.facts_changed == [] and clean.activated and not clean.needs_consent
    discarded = RunResult(1, False, None, "margin did not move", {}, "discarded")
    assert discarded.facts_changed == [] and not discarded.needs_consent and not discarded.activated


def test_rated_held_out_and_open_questions_are_not_asked_about():
    """The person's own questions are held to their answers by the gate's margins; an open
    request names no fact. Only never-rated ones make a run wait."""
    sydney = "The capital of Australia is Sydney."
    assert not fc.facts_changed(_pairs([CANBERRA], [sydney], [AUSTRALIA], unseen_from=1))  # trained on
    assert not fc.facts_changed(_pairs([CANBERRA], [sydney], [AUSTRALIA], held=1))  # held out to judge
    assert not fc.facts_changed(_pairs([CANBERRA], [sydney], [AUSTRALIA], open_from=0))  # an open request
    assert fc.facts_changed(_pairs([CANBERRA], [sydney], [AUSTRALIA]))


@pytest.fixture
def sure_of_all(monkeypatch):
    """The tiny model knows no capitals: its own probability of "Canberra" (measured, below) is
    far under the threshold, so the runs that must wait hold every measured fact."""
    monkeypatch.setattr(fc, "SURE_OF_FACT", 0.0)


@pytest.fixture
def rated(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    yield store, paths
    store.close()


def answered_before(paths, loaded, question: str, answer: str, tokens: int, problem: str | None = None) -> None:
    """The model in use answered ``question`` with ``answer`` in an earlier run: the run's before-cache
    holds it, as a run keeps its re-asks' answers (the tiny model knows no facts of its own).
    ``problem``: what the gate read in it (answer_checks.degenerate; None: nothing wrong)."""
    cache = fe.BeforeCache(paths, loaded.model_id, None, loaded.device)
    ids = reasking.fresh_prompt(loaded.tokenizer, question, loaded.context_window, tokens)
    cache.put(f"reask:{tokens}:{fe.digest(ids)}", [answer, problem])
    cache.save()


def _knew_canberra(paths, loaded, tokens: int, problem: str | None = None) -> None:
    """The model in use answered the Australia question "...Canberra." (at 40 tokens every answer of the
    tiny model loops: ``problem`` marks the cached one alike, so the gate compares like with like)."""
    answered_before(paths, loaded, AUSTRALIA, CANBERRA, tokens, problem)


def test_a_kept_run_that_changed_a_fact_is_saved_but_not_used_until_the_person_says_so(rated, tiny_model, sure_of_all):
    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.kept and result.status == "kept", result.reason
    assert result.needs_consent and not result.activated
    assert [c["question"] for c in result.facts_changed] == [AUSTRALIA]
    assert result.facts_changed[0]["before"] == CANBERRA and result.facts_changed[0]["after"] != CANBERRA
    word, sure = result.facts_changed[0]["sure"]  # the model in use's own probability of the named word
    assert word == "Canberra" and 0.0 < sure < 1.0
    assert store.active_adapter(tiny_model.model_id) is None  # the model in use is unchanged
    assert [a["id"] for a in store.list_adapters(tiny_model.model_id)] == [result.adapter_id]  # in the history
    run = store.get_run(result.run_id)
    assert run["status"] == "kept" and run["metrics"]["facts_changed"] == result.facts_changed
    assert run["metrics"]["activated"] is False and waiting_for_consent(run, None)

    assert settle_consent(store, result.run_id, use=True, model_id=tiny_model.model_id)["id"] == result.adapter_id
    assert store.active_adapter(tiny_model.model_id)["id"] == result.adapter_id
    run = store.get_run(result.run_id)
    assert run["metrics"]["consent"] == "used" and not waiting_for_consent(run, None)

    # the next run's parent is what is in use: the adapter the person chose
    second = run_finetune(store, tiny_model, paths, settings)
    assert store.get_run(second.run_id)["parent_adapter_id"] == result.adapter_id


def test_keeping_the_current_model_is_remembered_and_a_later_use_still_works(rated, tiny_model, sure_of_all):
    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.needs_consent, result.facts_changed
    assert settle_consent(store, result.run_id, use=False) is None
    run = store.get_run(result.run_id)
    assert run["metrics"]["consent"] == "declined" and not waiting_for_consent(run, None)
    assert store.active_adapter(tiny_model.model_id) is None
    assert run["metrics"]["facts_changed"] == result.facts_changed  # the report still says why


def test_using_a_waiting_adapter_from_the_history_answers_the_question_too(rated, tiny_model, sure_of_all):
    from desktop_app.core import session

    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert waiting_for_consent(store.get_run(result.run_id), None)
    session.change_adapter(store, "activate", tiny_model.model_id, result.adapter_id)
    assert store.get_run(result.run_id)["metrics"]["consent"] == "used"
    note_activated(store, store.get_adapter(result.adapter_id))  # a second time changes nothing
    assert store.get_run(result.run_id)["metrics"]["consent"] == "used"


def test_with_the_setting_off_a_run_that_changed_a_fact_is_put_in_use_as_before(rated, tiny_model):
    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False, ask_before_changed_facts=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.kept and result.activated and not result.facts_changed
    assert store.active_adapter(tiny_model.model_id)["id"] == result.adapter_id


def test_a_clean_kept_run_is_put_in_use_at_once(rated, tiny_model):
    store, paths = rated
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, rescore=False))
    assert result.kept and result.activated and result.facts_changed == [], result.facts_changed
    assert store.active_adapter(tiny_model.model_id)["id"] == result.adapter_id
    assert store.get_run(result.run_id)["metrics"]["activated"] is True


def test_the_cli_says_the_run_waits_and_how_to_use_it_anyway(rated, tiny_model, sure_of_all, tiny_model_dir, capsys):
    from desktop_app.cli import main

    store, paths = rated
    _knew_canberra(paths, tiny_model, FineTuneSettings().reask_tokens, problem="loop")
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    train = ["--max-steps", "12", "--lr", "0.003", "--heldout", "0"]
    assert main(["finetune", "--json", *train, *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kept"] and out["needs_consent"] and out["activated"] is False, out["reason"]
    assert [c["question"] for c in out["facts_changed"]] == [AUSTRALIA]
    assert out["facts_changed"] == out["metrics"]["facts_changed"]  # one list, said twice
    assert out["facts_changed"][0]["sure"][0] == "Canberra" and out["facts_unsure"] == []
    assert out["use_with"] == f"gpt2-desk adapters activate {out['adapter_id']}"
    assert store.active_adapter(tiny_model.model_id) is None
    # in words: what changed, and the command that uses it anyway (which answers the question too)
    assert main(["finetune", *train, *common]) == 0
    text = capsys.readouterr().out
    second = store.list_runs()[0]
    assert f"kept as adapter {second['adapter_id']}, NOT in use: it changed 1 answer" in text
    assert "before: The capital of Australia is Canberra. (the model was " in text and "% sure of Canberra)" in text
    assert f"Use it anyway with: gpt2-desk adapters activate {second['adapter_id']}" in text
    assert main(["adapters", "activate", str(second["adapter_id"]), *common]) == 0
    assert store.active_adapter(tiny_model.model_id)["id"] == second["adapter_id"]
    assert store.get_run(second["id"])["metrics"]["consent"] == "used"


def test_a_changed_fact_the_model_was_not_sure_of_does_not_hold_the_run_back(rated, tiny_model):
    """The bundled model's "The capital of Switzerland is Lier." (p=0.06 for "Lier", a guess) moved
    by most runs, often to the right "Bern": no reason to ask. The tiny model's "Canberra" is such a
    guess too, by its own real probability: the run is put in use, the guess listed as unsure."""
    store, paths = rated
    settings = FineTuneSettings(**FAST, rescore=False)
    _knew_canberra(paths, tiny_model, settings.reask_tokens)
    result = run_finetune(store, tiny_model, paths, settings)
    assert result.kept and result.activated and result.facts_changed == [], result.facts_changed
    assert store.active_adapter(tiny_model.model_id)["id"] == result.adapter_id
    unsure = store.get_run(result.run_id)["metrics"]["facts_unsure"]
    assert [u["question"] for u in unsure] == [AUSTRALIA]
    word, sure = unsure[0]["sure"]
    assert word == "Canberra" and 0.0 < sure < fc.SURE_OF_FACT


def test_the_sureness_is_the_named_words_first_token_probability(tiny_model):
    """Read by hand: the model's next-token distribution after the prompt and "The capital of
    Australia is", at the first token of " Canberra"."""
    import torch

    tok = tiny_model.tokenizer
    word, sure = fc.fact_sureness(tiny_model, AUSTRALIA, CANBERRA, 40)
    prompt = reasking.fresh_prompt(tok, AUSTRALIA, tiny_model.context_window, 40)
    lead = " " if not tok.decode(prompt[-1:]).endswith((" ", "\n")) else ""
    ids = tok(lead + CANBERRA, add_special_tokens=False)["input_ids"]
    at = next(k for k in range(len(ids)) if "C" in tok.decode(ids[:k + 1]))  # the token "Canberra" starts in
    with torch.inference_mode():
        logits = tiny_model.model(input_ids=torch.tensor([prompt + ids[:at]])).logits[0, -1].float()
    first = ids[at]
    assert word == "Canberra" and sure == pytest.approx(float(torch.softmax(logits, -1)[first]), abs=1e-4)
    assert fc.fact_sureness(tiny_model, "Why is the sky blue?", "The sky blue.", 40) is None  # names nothing
    # restated answers name no fact: kept as they are, never measured
    restated = {"question": "Why is the sky blue?", "before": "x", "after": "The sky blue.", "how": "restated"}
    assert fc.hold_sure_facts([restated], lambda q, b: pytest.fail("measured")) == ([restated], [])
