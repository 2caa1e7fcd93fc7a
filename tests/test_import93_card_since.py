"""A run's card marks the questions rated "new since run N"; with an export of adapter 1 imported back in use
it counted from the model's newest run (a later discarded one), while the Fine-tune tab counted from adapter 1's
run (counts89): the card and the tab named different runs. ``previous_run`` now follows the import to the run
that made its weights, as the tab does. Real store, tiny model, a real PEFT export and import."""

from __future__ import annotations

from desktop_app.core import adapters, model_export
from desktop_app.core.adapter_import import import_adapter
from desktop_app.core.train_counts import new_since_previous, since_last_run
from test_counts89_imported_new import _rated_answer, history  # noqa: F401  (the fixture)


def test_the_card_and_the_tab_count_an_imported_export_from_the_same_run(store, tiny_model, tmp_path, history):
    paths, base, first, run1 = history
    model_export.export_adapter(store, first, "peft", tmp_path / "exported", paths)
    second = import_adapter(store, paths, tiny_model, tmp_path / "exported").adapter_id
    adapters.activate(store, second, base)
    card_run, new_ids = new_since_previous(store, store.get_adapter(second), base)
    assert card_run == since_last_run(store, base)["last_run"] == run1
    assert len(new_ids) == 3  # the three rated after run 1 started, not the one after the discarded run 2


def test_an_adapter_a_run_made_still_counts_from_its_own_run(store, tiny_model, history):
    _paths, base, first, run1 = history
    assert new_since_previous(store, store.get_adapter(first), base)[0] == run1
