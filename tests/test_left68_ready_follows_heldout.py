"""left68: the Fine-tune tab's ready line follows the Held out box as the train button's tooltip does: "the same
examples as run N, which was discarded" goes when the box splits the examples otherwise, and comes back with the
discarded run's split (it changed only when the ratings were counted again). A real run the gate discards on the
tiny model, a real store and the real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401  (a fixture)
from test_loop108_same_examples import DISCARDED, _held_answer, discarded  # noqa: E402,F401  (discarded: a fixture)

from desktop_app.core.training import training_readiness  # noqa: E402

REPEAT = "kept aside to test the run, so it would train on the same examples"


def test_the_ready_line_follows_the_held_out_box(discarded, tiny_model, make_window):  # noqa: F811
    store, _paths, result, answers = discarded
    store.set_correction(_held_answer(store, result, answers), "Blue.")
    panel = make_window().finetune_panel
    panel.set_settings(DISCARDED)
    panel.set_counts(training_readiness(store, tiny_model.model_id))
    assert REPEAT in panel.ready_label.text() and REPEAT in panel.train_button.toolTip()
    held = panel.heldout.value()
    panel.heldout.setValue(held + 20)  # another split: other examples train
    assert REPEAT not in panel.ready_label.text(), "the ready line follows the box"
    assert REPEAT not in panel.train_button.toolTip()
    panel.heldout.setValue(held)
    assert REPEAT in panel.ready_label.text()
