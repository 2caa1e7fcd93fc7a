"""After a kept run and then a discarded one, the Fine-tune tab counted what is new since the
discarded run while the next run's card marked ratings "new since" the kept run it started from:
two "previous" runs for one screen. Both now read ``train_counts.previous_run``: the run that made the
adapter in use (a discarded run changed nothing the person chats with). A real store and, for the
card, a real run on the tiny model."""

from __future__ import annotations

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_counts import new_since_previous, readiness
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune, training_readiness
from desktop_app.gui.ready_words import headline_words, tab_count_words
from test_newfirst38_new_ratings_first import _adapter_of
from test_training import FAST
from test_training_data import add_answer, rate_three_answers

AFTER_KEPT, AFTER_DISCARDED = "Tell me about dogs.", "Write a haiku about rain."


def _corrected(store, loaded, question: str, seed: int) -> int:
    _c, _u, mid, _p = add_answer(store, loaded, question, seed=seed)
    store.set_correction(mid, f"Answer: {question.split()[-1]}")
    return mid


def test_after_a_discarded_run_the_tab_and_the_card_count_since_the_kept_run_in_use(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    model = tiny_model.model_id
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        kept = store.create_run({}, model)
        adapter = _adapter_of(store, tiny_model, paths, kept)
        store.update_run(kept, status="kept", adapter_id=adapter)
        first = _corrected(store, tiny_model, AFTER_KEPT, seed=40)
        discarded = store.create_run({}, model, parent_adapter_id=adapter)
        store.update_run(discarded, status="discarded", reason="the held-out margin did not move the right way")
        second = _corrected(store, tiny_model, AFTER_DISCARDED, seed=41)

        counts = training_readiness(store, model)
        since, new = new_since_previous(store, store.active_adapter(model), model)
        assert counts["last_run"] == since == kept != discarded
        assert counts["new_since_run"] == len(new) == 2 and new == {first, second}
        assert tab_count_words(counts) == "Fine-tune (2 new)"
        assert headline_words(counts).startswith("<b>2 new ratings or better answers since run 1</b>")
        assert readiness(store)["last_run"] == kept  # no model loaded: the model the runs trained

        # the next run starts from the kept run's adapter and marks what the tab counted as new
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "lr": 0.0, "rescore": False}))
        assert result.status in ("kept", "discarded"), result.reason
        m = result.metrics
        assert m["started_from_adapter"] == adapter and m["new_since_run_id"] == counts["last_run"]
        assert {t["question"] for t in m["taught"] if t.get("new")} == {AFTER_KEPT, AFTER_DISCARDED}
    finally:
        store.close()


def test_with_the_base_model_in_use_both_count_since_the_newest_finished_run(tmp_path, tiny_model):
    """No adapter in use (the person chose the base model): a new run starts from no run's adapter, and
    both count since the newest finished run, the one that read the ratings last."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    model = tiny_model.model_id
    try:
        rate_three_answers(store, tiny_model, first_seed=10)
        kept = store.create_run({}, model)
        store.update_run(kept, status="kept", adapter_id=_adapter_of(store, tiny_model, paths, kept))
        discarded = store.create_run({}, model)
        store.update_run(discarded, status="discarded")
        store.set_active_adapter(None, model)
        later = _corrected(store, tiny_model, AFTER_DISCARDED, seed=41)
        counts = training_readiness(store, model)
        assert (counts["last_run"], counts["new_since_run"]) == (discarded, 1)
        assert new_since_previous(store, store.active_adapter(model), model) == (discarded, frozenset({later}))
    finally:
        store.close()
