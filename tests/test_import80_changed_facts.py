"""An imported adapter's advice names the answers to never-rated questions it changes (usertest46: a
person imported their own export of adapter 1, heard "The gate would keep it", and nothing of the
3 answers adapter 1's own run had been held back for). The import asks the canaries a run asks,
in its re-asks' batch, and names the facts the model in use was sure of in a run's words: in its
reason, the CLI's output, the window's message and the adapter history's row.

The tiny model knows no capitals: the model in use's answer "...Canberra." is seeded in the
before-cache a run keeps (test_fact_consent's way), and a random LoRA changes it."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.core import fact_changes as fc
from desktop_app.core import reasking
from desktop_app.core.adapter_import import REASK_TOKENS, import_adapter
from desktop_app.core.adapters import list_adapters
from desktop_app.gui.adapter_export import import_message
from desktop_app.gui.adapter_history_words import adapter_line
from desktop_app.gui.finetune_words import changed_facts_words, run_card
from test_fact_consent import AUSTRALIA, CANBERRA, _knew_canberra, rated, sure_of_all  # noqa: F401 (fixtures)
from tiny_model import random_lora


@pytest.fixture
def exported(tmp_path, tiny_model_dir):
    """A PEFT folder as `adapters export --format peft` writes one: an adapter that changes the answers."""
    folder = tmp_path / "exported"
    random_lora(tiny_model_dir, seed=3, std=0.3).save_pretrained(folder)
    return folder


def _australia(changes: list[dict]) -> dict:
    return next(c for c in changes if c["question"] == AUSTRALIA)


def test_the_import_names_a_sure_fact_it_changes_in_a_run_s_words(rated, tiny_model, exported, sure_of_all):
    store, paths = rated
    _knew_canberra(paths, tiny_model, REASK_TOKENS)
    result = import_adapter(store, paths, tiny_model, exported)
    m = result.metrics
    change = _australia(m["facts_changed"])
    assert change["before"] == CANBERRA and change["after"] != CANBERRA
    word, sure = change["sure"]  # the model in use's own probability of the word, as a run measures it
    assert word == "Canberra" and 0.0 < sure < 1.0
    assert m["facts_judged"] == len(reasking.CANARY_QUESTIONS)  # every canary a run asks, none rated here
    n = len(fc.all_changed_facts(m))
    words = (f"it changes {n} answer{'s' if n > 1 else ''} to questions you never rated: "
             f"{fc.change_named_words(change)} (the model was {round(sure * 100)}% sure of Canberra)")
    assert words in result.reason and result.reason == m["gate_reason"]
    assert store.active_adapter(tiny_model.model_id) is None  # never put in use by itself
    # the window's message after the import and the adapter history's row say it too
    assert words in import_message(result)
    row = next(r for r in list_adapters(store, tiny_model.model_id) if r["id"] == result.adapter_id)
    assert f"changed {n} answer{'s' if n > 1 else ''} you never rated" in adapter_line(row)
    # its Report… card (no run behind it: no Use it anyway / Keep buttons) lists them and says how to use it
    card = run_card("kept", None, row["metrics"], result.adapter_id, None, None, {result.adapter_id})
    assert card.waiting and card.title.startswith(f"Imported as adapter {result.adapter_id}, not in use: it changes")
    question = changed_facts_words(row["metrics"], card.now)
    assert "Canberra" in question and "<b>Use selected</b>" in question and "Use it anyway" not in question


def test_a_guess_it_moves_is_kept_apart_and_not_named_in_the_advice(rated, tiny_model, exported):
    """The tiny model's "Canberra" is a guess by its own probability (test_fact_consent): as a run puts
    such a change in use without a word, the import's advice does not name it."""
    store, paths = rated
    _knew_canberra(paths, tiny_model, REASK_TOKENS)
    result = import_adapter(store, paths, tiny_model, exported)
    unsure = _australia(result.metrics["facts_unsure"])
    assert unsure["sure"][0] == "Canberra" and unsure["sure"][1] < fc.SURE_OF_FACT
    assert AUSTRALIA not in [c["question"] for c in result.metrics["facts_changed"]]
    if not result.metrics["facts_changed"]:  # (a loop in its answer may still be named: export81)
        assert "to questions you never rated:" not in result.reason


def test_the_before_answers_asked_are_kept_for_the_next_run(rated, tiny_model, exported):
    """The canaries the model in use answered at the import are a run's before-answers (the same weights):
    kept in the run's before-cache, so the next run does not ask them again."""
    from desktop_app.core.finetune_effect import BeforeCache, digest

    store, paths = rated
    import_adapter(store, paths, tiny_model, exported)
    cache = BeforeCache(paths, tiny_model.model_id, None, tiny_model.device)
    for question in reasking.CANARY_QUESTIONS:
        ids = reasking.fresh_prompt(tiny_model.tokenizer, question, tiny_model.context_window, REASK_TOKENS)
        assert cache.get(f"reask:{REASK_TOKENS}:{digest(ids)}") is not None, question


def test_the_cli_lists_the_changes_and_activate_says_where_they_were_found(rated, tiny_model, exported, sure_of_all,
                                                                           tiny_model_dir, capsys):
    store, paths = rated
    _knew_canberra(paths, tiny_model, REASK_TOKENS)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    capsys.readouterr()
    assert main(["adapters", "import", str(exported), *common]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "to questions you never rated: " in first and "% sure of Canberra)" in first
    assert "  answers to questions you never rated that it changes:" in out
    assert f"    {AUSTRALIA}  (" in out
    assert f"      before: {CANBERRA} (the model was " in out
    adapter_id = store.list_adapters(tiny_model.model_id)[-1]["id"]
    assert main(["adapters", "activate", str(adapter_id), *common]) == 0
    said = capsys.readouterr().out
    assert "to questions you never rated (the check found that when you imported it)" in said
    assert "its run held it back" not in said
