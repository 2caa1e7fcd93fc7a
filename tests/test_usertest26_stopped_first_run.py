"""usertest26: the first fine-tune, stopped by closing the app ("Stop and quit"), said nothing after
the restart: the Fine-tune tab looked as if no run had ever started. The card now says the run was
stopped, that nothing changed, and that the ratings are kept for the next run (pytest-qt, offscreen,
the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401  the real window


def test_after_a_restart_the_first_run_stopped_by_quitting_has_its_card(make_window):
    from desktop_app.core.train_verdict import STOPPED_BY_QUIT

    first = make_window()
    store = first.chat.store
    stopped = store.create_run({}, first.chat.loaded.model_id)
    store.update_run(stopped, status="cancelled", reason=STOPPED_BY_QUIT)  # as "Stop and quit" leaves it
    first.close()
    panel = make_window().finetune_panel  # the app started again on the same data
    assert panel.result_box.isVisibleTo(panel), "the stopped run said nothing after the restart"
    title, body = panel.result_title.text(), panel.result_body.text()
    assert title == f"Run {stopped} was stopped: nothing changed", title
    assert f"Run {stopped} was stopped when you closed the app while it ran" in body
    assert "Your ratings are kept" in body and "Fine-tune on my ratings" in body
    assert "Cancelled" not in body, "the card says it once, in its own words"
    assert panel.result_box.property("kind") == "note", "no verdict colour: nothing was judged"


def test_a_first_run_cancelled_in_this_session_keeps_its_short_card(make_window):
    """Cancel pressed now: the card it always had (show_last_run(cancelled=True)), not the restart's."""
    window = make_window()
    panel = window.finetune_panel
    run = window.chat.store.create_run({}, window.chat.loaded.model_id)
    window.chat.store.update_run(run, status="cancelled")
    panel.show_last_run(cancelled=True, cancelled_run=run)
    assert panel.result_title.text() == "Cancelled: nothing changed"
