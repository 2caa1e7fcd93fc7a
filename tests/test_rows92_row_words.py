"""rows92: what a conversation's row says under its title, without Qt: when it was last used in local-time words
("today 14:05", "yesterday", "Dec 3", "Nov 2 2025") and the ratings it holds ("▲2 ▼1 ±3 ✎1", nothing where
none), from the counts ``Store.list_conversations`` gives every row in one query. A real store (SQLite)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from desktop_app.core.conversation_rows import rating_marks, row_facts
from desktop_app.core.local_time import day_words


@pytest.fixture
def berlin_winter_clock(monkeypatch):
    """The local zone one hour east of UTC (POSIX "CET-1"), so that local days differ from UTC's."""
    monkeypatch.setenv("TZ", "CET-1")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


NOW = datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc)  # 10:30 local


@pytest.mark.parametrize("stamp, words", [
    ("2026-12-07T08:15:00+00:00", "today 09:15"),
    ("2026-12-06T23:05:00", "today 00:05"),  # the store's UTC, already the 7th locally
    ("2026-12-06T22:59:00+00:00", "yesterday"),  # 23:59 on the 6th locally
    ("2026-12-05T12:00:00+00:00", "Dec 5"),
    ("2026-01-01T00:30:00+00:00", "Jan 1"),
    ("2025-11-02T10:00:00+00:00", "Nov 2 2025"),
    ("2026-12-08T01:00:00+00:00", "today 02:00"),  # a clock that was ahead: still told by its time
    ("", ""),
    ("not a time", "not a time"),
])
def test_a_rows_time_is_said_in_local_day_words(berlin_winter_clock, stamp, words):
    assert day_words(stamp, NOW) == words


def test_the_marks_count_each_kind_and_say_nothing_for_none():
    assert rating_marks({"liked_count": 2, "disliked_count": 1, "token_rated_count": 3, "better_count": 0}) \
        == "\u25b22 \u25bc1 \u00b13"
    assert rating_marks({"better_count": 1}) == "\u270e1"
    assert rating_marks({"liked_count": 0, "disliked_count": 0, "token_rated_count": 0, "better_count": 0}) == ""


def test_the_second_line_joins_the_time_and_the_marks(berlin_winter_clock):
    rated = {"updated": "2026-12-06T10:00:00+00:00", "liked_count": 1, "disliked_count": 2}
    assert row_facts(rated, NOW) == "yesterday \u00b7 \u25b21 \u25bc2"
    assert row_facts({"updated": "2026-12-07T09:00:00+00:00"}, NOW) == "today 10:00"


def _answers(store, title: str, count: int) -> tuple[int, list[int]]:
    cid = store.create_conversation(title)
    ids = []
    for n in range(count):
        question = store.add_message(cid, "user", f"Question {n}?")
        ids.append(store.add_message(cid, "assistant", f"Answer {n}.", parent_id=question))
    return cid, ids


def test_the_store_counts_each_kind_of_rated_answer_per_conversation(store):
    rated, (liked, disliked, tokens, corrected) = _answers(store, "Capitals", 4)
    store.rate_message(liked, 1)
    store.rate_token(liked, 0, 1)  # a liked answer with a token rated too: counted under both marks
    store.rate_message(disliked, -1)
    store.rate_token(tokens, 0, -1)
    store.rate_token(tokens, 1, 1)  # two tokens of one answer: one answer rated token by token
    store.set_correction(corrected, "Madrid.")
    plain, _ = _answers(store, "Tea", 2)
    rows = {row["id"]: row for row in store.list_conversations()}
    assert rating_marks(rows[rated]) == "\u25b21 \u25bc1 \u00b12 \u270e1"
    assert rating_marks(rows[plain]) == ""
    assert rows[rated]["rated_count"] == 4 and rows[plain]["rated_count"] == 0  # the tooltip's count, unchanged
    found = store.list_conversations("capitals")  # the search keeps its rows' counts
    assert [row["id"] for row in found] == [rated] and found[0]["better_count"] == 1


def test_sixty_rows_are_read_in_one_statement(store):
    for n in range(60):
        cid, [answer] = _answers(store, f"Conversation {n}", 1)
        if n % 3 == 0:
            store.rate_message(answer, 1)
    statements = []
    store._conn().set_trace_callback(statements.append)
    try:
        rows = store.list_conversations()
    finally:
        store._conn().set_trace_callback(None)
    assert len(rows) == 60 and sum(1 for row in rows if row["liked_count"]) == 20
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 1, statements
