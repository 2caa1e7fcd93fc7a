"""Text mode without Qt: documents in the store (and the migration that adds them), GLTR's
summary, reading files, continuing a text (tiny model)."""

from __future__ import annotations

import math
import sqlite3
import threading

import pytest

from desktop_app.core import documents
from desktop_app.core.errors import UserFacingError
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.scoring import score_text
from desktop_app.core.store import Store, StoreError
from desktop_app.core.store_schema import SCHEMA_VERSION, migrate


@pytest.mark.parametrize("old_version", [2, 3])
def test_an_older_file_gains_documents_and_keeps_its_conversations(tmp_path, old_version):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=old_version)  # a file as an earlier version left it (3: before documents)
    t = "2025-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO conversations VALUES (1, 'Old chat', ?, ?)", (t, t))
    conn.execute("INSERT INTO messages VALUES (1, 1, NULL, 'user', 'hi', NULL, NULL, '{}', ?)", (t,))
    conn.close()

    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION >= 4
    assert store.get_conversation(1)["title"] == "Old chat" and store.get_message(1)["text"] == "hi"
    doc = documents.create_document(store, "A text kept across restarts.")
    assert store.integrity_check() == ["ok"]
    store.close()
    store = Store.open(path)  # reopening a current file migrates nothing and loses nothing
    assert documents.get_document(store, doc)["text"] == "A text kept across restarts."
    store.close()


def test_documents_create_save_list_delete(tmp_path):
    store = Store.open(tmp_path / "d.sqlite3")
    first = documents.create_document(store, "")
    second = documents.create_document(store, "Once upon a time\nthere was a model.")
    assert documents.get_document(store, first)["title"] == documents.DEFAULT_DOCUMENT_TITLE
    assert documents.get_document(store, second)["title"] == "Once upon a time there was a model."
    documents.save_document(store, first, "new words", title="Mine")
    rows = documents.list_documents(store)
    assert [r["id"] for r in rows] == [first, second] and rows[0]["chars"] == len("new words")
    assert documents.get_document(store, first)["title"] == "Mine"
    documents.delete_document(store, first)
    with pytest.raises(StoreError):
        documents.get_document(store, first)
    with pytest.raises(StoreError):
        documents.save_document(store, first, "gone")
    store.close()


def test_summary_matches_the_records(tiny_model):
    text = "The quick brown fox jumps over the lazy dog. " * 3
    _ids, records = score_text(tiny_model, text)
    summary = documents.summarize(records)
    assert summary.tokens == len(records) > 10
    assert sum(summary.bucket_counts) == len(records) == sum(summary.probability_histogram)
    assert sum(summary.entropy_histogram) == len(records)
    assert summary.bucket_counts[0] == sum(1 for r in records if r.rank <= 10)
    assert summary.bucket_counts[3] == sum(1 for r in records if r.rank > 1000)
    nll = -sum(r.logprob for r in records) / len(records)
    assert summary.perplexity == pytest.approx(math.exp(nll))
    assert summary.mean_surprisal_bits == pytest.approx(nll / math.log(2))
    assert sum(summary.bucket_shares) == pytest.approx(1.0)
    empty = documents.summarize([])
    assert empty.tokens == 0 and math.isnan(empty.perplexity) and empty.bucket_shares == (0.0,) * 4


def test_reading_files_refuses_binary_and_non_utf8(tmp_path):
    good = tmp_path / "a.md"
    good.write_text("# Title\n\nSome words, caf\u00e9.\n", encoding="utf-8")
    assert documents.read_text_file(good).endswith("caf\u00e9.\n")
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(UserFacingError, match="binary"):
        documents.read_text_file(binary)
    latin = tmp_path / "c.txt"
    latin.write_bytes("caf\u00e9".encode("latin-1"))
    with pytest.raises(UserFacingError, match="not UTF-8"):
        documents.read_text_file(latin)
    with pytest.raises(UserFacingError, match="could not be read"):
        documents.read_text_file(tmp_path / "missing.txt")


def test_continue_streams_from_the_end_and_fits_the_window(tiny_model):
    settings = SamplingSettings(max_new_tokens=12, seed=3)
    seen = []
    long_text = "word " * 400  # far past the tiny model's 128-token window
    g = documents.continue_text(tiny_model, long_text, settings, on_token=seen.append)
    assert seen == g.records and 0 < len(seen) <= 12
    assert len(g.prompt_ids) + 12 <= tiny_model.context_window
    empty = documents.continue_text(tiny_model, "", settings)  # from the start-of-text token
    assert empty.records and len(empty.prompt_ids) == 1
    stop = threading.Event()
    stop.set()
    assert documents.continue_text(tiny_model, "Hello", settings, cancel=stop).records == []


def test_a_very_long_line_is_broken_after_sentences_and_keeps_every_other_character():
    sentence = "The keeper lit the lamp at dusk, as every evening. "
    line = sentence * 2000  # about 100,000 characters, no newline
    text = "A short first line.\n" + line + "\nA short last line."
    broken, count = documents.break_long_lines(text)
    assert count == 1
    lines = broken.split("\n")
    assert lines[0] == "A short first line." and lines[-1] == "A short last line."
    assert max(len(x) for x in lines) <= documents.PIECE_CHARS
    assert all(x.endswith(".") for x in lines[1:-2]), "each break comes after a sentence"
    assert broken.replace("\n", " ") == text.replace("\n", " "), "only spaces became line breaks"
    unbroken = "word" * 30_000  # no space at all: cut where a piece ends, nothing dropped
    pieces, count = documents.break_long_lines(unbroken)
    assert count == 1 and pieces.replace("\n", "") == unbroken
    assert documents.break_long_lines("short\ntext") == ("short\ntext", 0)


def test_opening_for_editing_reads_a_file_breaks_it_and_stores_it(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    try:
        path = tmp_path / "one-line.txt"
        path.write_text("Tides rise. " * 5000, encoding="utf-8")
        document = documents.open_for_editing(store, path=path)
        assert document["title"] == "one-line.txt" and document["broken_lines"] == 1
        assert document["branches"] == [] and "\n" in document["text"]
        assert path.read_text(encoding="utf-8") == "Tides rise. " * 5000, "the file itself is untouched"
        again = documents.open_for_editing(store)  # the newest
        assert again["id"] == document["id"] and again["broken_lines"] == 0
        with pytest.raises(UserFacingError):
            documents.open_for_editing(store, path=tmp_path / "missing.txt")
        assert len(documents.list_documents(store)) == 1
    finally:
        store.close()


@pytest.mark.parametrize("title, stem", [
    ("The old lighthouse keeper climbed the stairs ev\u2026", "The old lighthouse keeper climbed the"),
    ("story.md", "story"),
    ("\u2026", "text"),
    ("Notes: a/b?c", "Notes a b c"),
])
def test_an_export_file_name_ends_at_a_whole_word(title, stem):
    from desktop_app.core.text_export import file_stem

    assert file_stem(title) == stem
    assert not file_stem(title).endswith(" ")
