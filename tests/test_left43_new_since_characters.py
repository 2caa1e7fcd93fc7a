"""The Fine-tune tab's "new since the last run" counts token ratings as training keeps them: two on one
character split over byte-level tokens (an old database's, stored on the token clicked) train as one and
count one, as the tab's total already counts them (train_counts.rated_characters). The tiny model's
byte-level tokenizer (tests/tiny_model.byte_level_tokenizer) splits "😀" and "é" over two tokens."""

from __future__ import annotations

from desktop_app.core.store import Store
from test_cli42_fixes import _old_rating, rate_split_characters_twice


def _finished_run(store, model_id: str, started: str) -> int:
    run = store.create_run({}, model_id)
    store.update_run(run, status="discarded", finished=True)
    with store.transaction() as conn:
        conn.execute("UPDATE finetune_runs SET started = ? WHERE id = ?", (started, run))
    return run


def test_new_since_the_last_run_counts_a_split_characters_two_ratings_once(tmp_path, tiny_model):
    from desktop_app.core.train_counts import readiness
    from desktop_app.core.train_data import build_training_data

    tokenizer = tiny_model.tokenizer
    with Store.open(tmp_path / "db.sqlite3") as store:
        mid = rate_split_characters_twice(store, tiny_model, "2026-02-01", "2026-03-01")  # after the run
        _old_rating(store, "ratings", "message_id", mid, 0, 1, "2026-01-01")  # before the run: not new
        run = _finished_run(store, tiny_model.model_id, "2026-01-15")
        trained = sum(len(t.ratings) for t in build_training_data(store, tokenizer, tiny_model.context_window).tokens)
        assert trained == 4  # the old one, and one per split character
        counts = readiness(store, tiny_model.model_id, tokenizer)
        assert counts["last_run"] == run and counts["token_ratings"] == trained
        assert counts["new_since_run"] == trained - 1  # was 6: the rows rated after the run
