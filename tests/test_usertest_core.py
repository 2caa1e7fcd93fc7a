"""Core parts of the second new-user test's fixes (usertest findings 5, 10, 11, 12)."""

from __future__ import annotations

import pytest

from desktop_app.core.store import Store
from desktop_app.core.train_data import readiness


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "db.sqlite3")
    yield s
    s.close()


def _answer(store, text="Paris."):
    conv = store.create_conversation("q")
    user = store.add_message(conv, "user", "What is the capital of France?")
    return store.add_message(conv, "assistant", text, parent_id=user)


# ---------------------------------------------------------------- 10. "N examples ready": how many are new

def test_readiness_counts_what_is_new_since_the_last_finished_run(store):
    first, second = _answer(store), _answer(store, "Lyon.")
    store.rate_message(first, 1)
    counts = readiness(store)
    assert counts["last_run"] is None and counts["new_since_run"] is None, "no run yet: nothing to compare"
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    counts = readiness(store)
    assert counts["total"] == 1 and counts["last_run"] == run and counts["new_since_run"] == 0
    store.rate_message(second, -1)
    store.set_correction(second, "The capital of France is Paris.")
    assert readiness(store)["new_since_run"] == 2, "a thumb and a better answer given after the run started"
    cancelled = store.create_run({}, "m")
    store.update_run(cancelled, status="cancelled")
    assert readiness(store)["last_run"] == run, "a cancelled run trained nothing"
    later = store.create_run({}, "m")
    store.update_run(later, status="discarded")
    assert readiness(store)["last_run"] == later and readiness(store)["new_since_run"] == 0
