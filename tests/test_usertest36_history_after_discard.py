"""After a discarded run the empty adapter history, and Ctrl+H's status line, say the run was discarded
(usertest36: under the red "Discarded" card they said "No adapter yet. To make one, rate some answers …
then press Fine-tune on my ratings", what the person had just done). pytest-qt on the real window, tiny
GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401


def test_the_empty_history_under_a_discarded_run_says_it_was_discarded(make_window):
    from desktop_app.gui.shortcuts import open_adapter_history

    window = make_window()
    store, panel = window.chat.store, window.finetune_panel
    history = panel.history
    assert "rate some answers" in history.empty.text()  # before any run: how to make one
    run = store.create_run({}, window.chat.loaded.model_id)
    store.update_run(run, status="discarded", reason="It did not help enough.", finished=True)
    panel.show_last_run()
    panel.refresh_adapters()
    assert history.list.count() == 0 and not history.empty.isHidden()
    words = history.empty.text()
    assert "discarded" in words and "rate some answers" not in words, words
    open_adapter_history(window)
    status = window.statusBar().currentMessage()
    assert "discarded" in status and "rate some answers" not in status, status


def test_a_kept_run_after_it_leaves_the_words_for_no_run(make_window, tmp_path):
    window = make_window()
    store, panel = window.chat.store, window.finetune_panel
    model = window.chat.loaded.model_id
    discarded = store.create_run({}, model)
    store.update_run(discarded, status="discarded", reason="It did not help enough.", finished=True)
    panel.show_last_run()
    assert panel.history.after_discard
    kept = store.create_run({}, model)
    (tmp_path / "adapter-1").mkdir()
    adapter = store.add_adapter(tmp_path / "adapter-1", base_model=model, run_id=kept)
    store.update_run(kept, status="kept", adapter_id=adapter, finished=True)
    panel.show_last_run()
    assert not panel.history.after_discard and "discarded" not in panel.history.none_yet()
