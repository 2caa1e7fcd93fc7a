"""A cancelled run takes a run number (usertest40: "Adapter 1 … run 2" after run 1 was cancelled, read as a
miscount): the adapter history says which runs before an adapter's own left none. A real SQLite store; the
window's history with pytest-qt and the tiny random GPT-2."""

from __future__ import annotations

from desktop_app.core.adapters import list_adapters
from desktop_app.core.store import Store
from desktop_app.gui.adapter_history_words import origin_words, runs_before_words
from test_gui import make_window  # noqa: F401


def _run(store, status: str, folder=None) -> int:
    run = store.create_run({}, "tiny")
    adapter = None
    if folder is not None:
        folder.mkdir()
        adapter = store.add_adapter(folder, base_model="tiny", run_id=run)
    store.update_run(run, status=status, adapter_id=adapter)
    return run


def test_each_adapter_knows_the_runs_before_its_own_that_left_none(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    try:
        _run(store, "cancelled")
        first = _run(store, "kept", tmp_path / "a")
        _run(store, "discarded")
        _run(store, "cancelled")
        _run(store, "cancelled")
        second = _run(store, "kept", tmp_path / "b")
        _run(store, "cancelled")  # after the last adapter: no adapter's number needs it
        rows = list_adapters(store, "tiny")
    finally:
        store.close()
    assert [row["run_id"] for row in rows] == [first, second]
    assert rows[0]["runs_before"] == [(1, "cancelled")]
    assert rows[1]["runs_before"] == [(3, "discarded"), (4, "cancelled"), (5, "cancelled")]
    assert "run 2 (run 1 cancelled)" in origin_words(rows[0])
    assert "run 6 (run 3 discarded, runs 4 and 5 cancelled)" in origin_words(rows[1])


def test_a_run_with_none_before_it_reads_as_before():
    assert origin_words({"run_id": 1, "runs_before": []})[-1] == "run 1"
    assert runs_before_words([]) == ""


def test_the_history_row_says_the_cancelled_run_before_it(qtbot, tmp_path, make_window):
    from test_gui_finetune_again import kept_run

    window = make_window(max_new_tokens=6)
    store = window.chat.store
    cancelled = store.create_run({}, window.chat.loaded.model_id)
    store.update_run(cancelled, status="cancelled", reason="Cancelled")
    run, _adapter = kept_run(qtbot, window, tmp_path)
    panel = window.finetune_panel
    panel.refresh_adapters()
    row = panel.history.list.item(0).text()
    assert f"run {run} (run {cancelled} cancelled)" in row, row
