"""With the base model in use, "the previous run" (what the Fine-tune tab counts "new since" and what a
run's card marks new) is the newest finished run of the model in use, never another model's: a run
on another model taught this one nothing. pytest-qt on the real window (tiny GPT-2) and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.train_counts import new_since_previous, readiness  # noqa: E402
from test_counts39_gui_counts import recount  # noqa: E402
from test_gui import ask, make_window  # noqa: E402,F401

OTHER = "some-org/another-model"


def tab_title(window) -> str:
    return window.side_tabs.tabText(window.side_tabs.indexOf(window.finetune_panel))


def finished_run(store, model: str) -> int:
    run = store.create_run({}, model)
    store.update_run(run, status="kept")
    return run


def test_with_the_base_model_in_use_another_models_newer_run_is_not_the_previous_run(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    store, model = window.chat.store, window.chat.loaded.model_id
    first, second = (ask(qtbot, window, text)["message_id"] for text in ("Hello", "Why?"))
    store.rate_message(first, 1)
    own = finished_run(store, model)  # the base model stays in use (no adapter)
    store.rate_message(second, -1)  # new since that run
    other = finished_run(store, OTHER)  # another model's run, newer, after the new rating
    assert store.active_adapter(model) is None

    counts = recount(qtbot, window)
    assert (counts["last_run"], counts["new_since_run"]) == (own, 1)
    assert tab_title(window) == "Fine-tune (1 new)"
    assert f"since run {own}</b>" in window.finetune_panel.ready_label.text()
    assert new_since_previous(store, None, model) == (own, frozenset({second}))
    # the other model's own count is since its own run; a model with no run has none
    assert readiness(store, OTHER)["last_run"] == other
    assert readiness(store, "never-trained")["last_run"] is None
    assert new_since_previous(store, None, "never-trained") == (None, frozenset())
