"""counts89: the Fine-tune tab read "47 new" with adapter 1 in use, "24 new" with adapter 2 (an export of adapter 1
imported back) and "47 new" again with adapter 1 (usertest50). An imported adapter has no run here, so the count fell
back to the model's newest run, a later discarded one. It now counts from the run that made the same weights here
(the import's ``same_as``), and an import no run here made says that every rating is new to it: the tab's title, the
ready line and the CLI's repeat check (train_counts.nothing_new_since) read the same. Real store, the tiny model, a
real PEFT export and import."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters, model_export
from desktop_app.core.adapter_import import import_adapter
from desktop_app.core.paths import AppPaths
from desktop_app.core.train_counts import nothing_new_since, readiness
from tiny_model import random_lora


def _rated_answer(store, i: int, thumb: int = 1) -> int:
    conversation = store.create_conversation(f"q{i}")
    question = store.add_message(conversation, "user", f"Question {i}?")
    answer = store.add_message(conversation, "assistant", f"Answer {i}.", parent_id=question)
    store.rate_message(answer, thumb)
    return answer


@pytest.fixture
def history(store, tmp_path, tiny_model, tiny_model_dir):
    """Run 1 kept adapter 1 after one rating; two more, then run 2 (from adapter 1) was discarded; one more since:
    3 ratings new since run 1, 1 since run 2."""
    paths = AppPaths.resolve(tmp_path / "appdata").ensure()
    base = tiny_model.model_id
    _rated_answer(store, 1)
    run1 = store.create_run({}, base)
    first = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), paths, base_model=base, run_id=run1,
                                  parent_id=None, settings={}, metrics={})
    store.update_run(run1, status="kept", adapter_id=first)
    adapters.activate(store, first, base)
    _rated_answer(store, 2, -1)
    _rated_answer(store, 3)
    run2 = store.create_run({}, base, parent_adapter_id=first)
    store.update_run(run2, status="discarded")
    _rated_answer(store, 4)
    return paths, base, first, run1


def _tab(counts: dict) -> str:
    from desktop_app.gui.ready_words import tab_count_words

    return tab_count_words(counts)


def test_an_export_imported_back_counts_from_the_run_that_made_it(store, tiny_model, tmp_path, history):
    pytest.importorskip("PySide6")
    from desktop_app.core.training import training_readiness

    paths, base, first, run1 = history
    model_export.export_adapter(store, first, "peft", tmp_path / "exported", paths)
    second = import_adapter(store, paths, tiny_model, tmp_path / "exported").adapter_id
    assert store.get_adapter(second)["metrics"]["same_as"] == first
    said = {}
    for adapter in (first, second, first):
        adapters.activate(store, adapter, base)
        counts = training_readiness(store, base)
        said.setdefault(adapter, []).append((counts["last_run"], counts["new_since_run"], _tab(counts),
                                             nothing_new_since(store, base)))
    assert said[first][0] == said[first][1] == said[second][0] == (run1, 3, "Fine-tune (3 new)", None), said


def test_an_import_no_run_here_made_says_every_rating_is_new_to_it(store, tiny_model, tmp_path, tiny_model_dir,
                                                                   history):
    pytest.importorskip("PySide6")
    from desktop_app.core.training import training_readiness
    from desktop_app.gui.ready_words import headline_words, news_words

    paths, base, _first, _run1 = history
    random_lora(tiny_model_dir, 7).save_pretrained(tmp_path / "theirs")
    theirs = import_adapter(store, paths, tiny_model, tmp_path / "theirs").adapter_id
    store.rename_adapter(theirs, "shared")
    adapters.activate(store, theirs, base)
    counts = training_readiness(store, base)
    assert (counts["last_run"], counts["imported_adapter"]) == (None, theirs)
    assert _tab(counts) == "Fine-tune (4 new)"
    assert headline_words(counts) == f"<b>Adapter {theirs} \u201cshared\u201d was imported, so all 4 ratings are new to it</b>: "
    assert news_words(counts).startswith(" A new run starts from") and "learns from all of them" in news_words(counts)
    assert nothing_new_since(store, base) is None  # the CLI says no run repeats one it never had
    assert readiness(store, base)["imported_adapter"] == theirs


def test_one_rating_is_new_to_it(store, tiny_model, tmp_path, tiny_model_dir):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import headline_words

    paths = AppPaths.resolve(tmp_path / "appdata").ensure()
    _rated_answer(store, 1)
    random_lora(tiny_model_dir, 8).save_pretrained(tmp_path / "theirs")
    theirs = import_adapter(store, paths, tiny_model, tmp_path / "theirs").adapter_id
    adapters.activate(store, theirs, tiny_model.model_id)
    words = headline_words(readiness(store, tiny_model.model_id))
    assert words == f"<b>Adapter {theirs} was imported, so your rating is new to it</b>: ", words
