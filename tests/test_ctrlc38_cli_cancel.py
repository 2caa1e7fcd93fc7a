"""Ctrl+C during `gpt2-desk finetune` (a KeyboardInterrupt in the run) recorded the run as "failed:
KeyboardInterrupt"; the person stopped it, and the card the window shows after says so (words38's
helper noticed it)."""

from __future__ import annotations

import pytest

from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import STOPPED_BY_CTRL_C
from desktop_app.core.training import run_finetune
from test_training import env  # noqa: F401  the store with three rated answers the training tests use
from test_training_cancel import FAST


def test_ctrl_c_mid_run_records_a_stopped_run_and_still_interrupts(env, tiny_model):
    store, paths = env

    def progress(p):
        if p.phase == "training" and p.step >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=progress)
    run = store.list_runs()[0]
    assert run["status"] == "cancelled" and run["reason"] == STOPPED_BY_CTRL_C
    assert store.active_adapter(tiny_model.model_id) is None  # the model you chat with stayed as it was


def test_the_card_names_ctrl_c():
    pytest.importorskip("PySide6")
    from desktop_app.gui.finetune_words import stopped_run_note

    title, body = stopped_run_note({"id": 3, "reason": STOPPED_BY_CTRL_C}, 2)
    assert title == "Run 3 was cancelled: nothing changed"
    assert body.startswith("You stopped run 3 with Ctrl+C in the terminal before it finished;")
