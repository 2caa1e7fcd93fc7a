"""cachecap61: the Text tab's kept analyses (core/analysis_cache.py) are bounded: at most a byte budget,
the least recently used let go first, an analysis bigger than the budget not kept; a deleted document's
analyses go with it, and at start those of documents no longer stored; the space let go goes back to the
disk; a file of format 1 (no ``bytes`` column, no auto_vacuum) is read and brought forward (real SQLite
files, the tiny model's real analyses, a real store)."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

import pytest

from desktop_app.core import analysis_cache, documents, session
from gui_windows import opened_window

TEXTS = [f"Text number {i} is about the harbour, the boats and the gulls over the nets." for i in range(4)]


@pytest.fixture(scope="module")
def analyses(tiny_model):
    """Each of TEXTS with its real analysis, and the tiny model's identity."""
    identity = analysis_cache.model_identity(tiny_model, 10, None)
    return [(text, session.score_whole_text(tiny_model, text)) for text in TEXTS], identity


def keep(cache, text, scored, identity, document_id=None, budget=None) -> bool:
    kept = analysis_cache.KeptAnalysis(list(scored.ids), scored.unscored_prefix, list(scored.records),
                                       scored.first, scored.passes)
    return analysis_cache.write(cache, text, identity, kept, document_id, budget=budget)


def rows(cache) -> list[tuple]:
    with closing(sqlite3.connect(cache)) as conn:
        return conn.execute("SELECT text_sha, document_id, bytes FROM analyses ORDER BY used").fetchall()


def kept_texts(cache, identity) -> list[str]:
    return [text for text in TEXTS if analysis_cache.read(cache, text, identity) is not None]


def test_the_budget_holds_and_the_least_recently_used_goes_first(analyses, tmp_path):
    (a, b, c, _), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    assert keep(cache, *a, identity)
    one_row = rows(cache)[0][2]
    budget = int(2.5 * one_row)  # room for two of these analyses
    assert keep(cache, *b, identity, budget=budget)
    assert analysis_cache.read(cache, a[0], identity) is not None  # a read: A is now the most recently used
    assert keep(cache, *c, identity, budget=budget)
    assert kept_texts(cache, identity) == [a[0], c[0]]  # B, the least recently used, went
    assert sum(size for *_, size in rows(cache)) <= budget


def test_an_analysis_bigger_than_the_budget_is_not_kept_and_the_others_stay(analyses, tmp_path, caplog):
    (a, b, *_), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    assert keep(cache, *a, identity, document_id=1)
    before = rows(cache)
    assert before[0][2] > 1000
    with caplog.at_level(logging.INFO, logger=analysis_cache.__name__):
        assert not keep(cache, *b, identity, document_id=1, budget=1000)  # rows are ~10 kB
    assert "bigger than the kept analyses' budget" in caplog.text
    assert rows(cache) == before  # nothing written, nothing let go
    assert kept_texts(cache, identity) == [a[0]]


def test_a_text_over_the_budget_is_analysed_again_and_the_file_left_as_it_was(tiny_model, tmp_path, monkeypatch):
    """Nothing breaks when nothing can be kept (the app's own path, session.keep_scoring with the budget
    BUDGET_BYTES): no analysis is found at the next start, so the text is scored again, to the same figures."""
    from test_longtext60_kept_analysis import LONG

    cache = tmp_path / analysis_cache.FILE_NAME
    scored = session.score_whole_text(tiny_model, LONG, detailed=20_000)
    kept_none, identity = session.kept_scoring(tiny_model, LONG, cache, detailed=20_000)
    assert kept_none is None
    monkeypatch.setattr(analysis_cache, "BUDGET_BYTES", 1000)
    assert not session.keep_scoring(cache, LONG, identity, scored, document_id=1)
    assert not cache.exists()
    assert session.kept_scoring(tiny_model, LONG, cache, detailed=20_000) == (None, identity)
    assert session.score_whole_text(tiny_model, LONG, detailed=20_000).records == scored.records
    monkeypatch.setattr(analysis_cache, "BUDGET_BYTES", 1000 * 1000)  # a budget it fits: kept as before
    assert session.keep_scoring(cache, LONG, identity, scored, document_id=1)
    assert session.kept_scoring(tiny_model, LONG, cache, detailed=20_000)[0] == scored


def test_a_deleted_documents_analyses_go_with_it(analyses, store):
    (a, b, c, _), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    first, second = documents.create_document(store, a[0]), documents.create_document(store, c[0])
    assert keep(cache, *a, identity, first) and keep(cache, *b, identity, first) and keep(cache, *c, identity, second)
    documents.delete_document(store, first)
    assert [document for _, document, _ in rows(cache)] == [second]
    assert kept_texts(cache, identity) == [c[0]]


def test_at_start_the_analyses_of_documents_no_longer_stored_go(analyses, store):
    """A document deleted before this version (or outside the app) left rows: the set difference drops them."""
    (a, b, c, d), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    stored = documents.create_document(store, a[0])
    assert keep(cache, *a, identity, stored) and keep(cache, *b, identity, stored + 1)
    assert keep(cache, *c, identity, stored + 2) and keep(cache, *d, identity, None)
    assert documents.forget_analyses_of_deleted_documents(store) == 2
    assert kept_texts(cache, identity) == [a[0], d[0]]  # the stored document's, and the one kept without one
    assert documents.forget_analyses_of_deleted_documents(store) == 0


def test_a_new_file_gives_the_space_let_go_back(analyses, tmp_path):
    (a, *_), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    for document in range(1, 9):
        assert keep(cache, f"{a[0]} {document}", a[1], identity, document)
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL, set at creation
    peak = cache.stat().st_size
    assert analysis_cache.forget_all_but(cache, [1]) == 7
    assert cache.stat().st_size < peak / 2


def format_1_file(cache) -> None:
    """The file as longtext60's version made it: no ``bytes`` column, no auto_vacuum, user_version 1."""
    with closing(sqlite3.connect(cache, isolation_level=None)) as conn:
        conn.execute("ALTER TABLE analyses DROP COLUMN bytes")
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("VACUUM")
        conn.execute("PRAGMA user_version = 1")
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0


def test_a_format_1_file_is_read_brought_forward_and_shrunk(analyses, tmp_path):
    (a, b, *_), identity = analyses
    fresh, cache = tmp_path / "fresh.sqlite3", tmp_path / analysis_cache.FILE_NAME
    for document in range(1, 9):
        assert keep(cache, f"{a[0]} {document}", a[1], identity, document)
    assert keep(fresh, f"{a[0]} 1", a[1], identity, 1)
    format_1_file(cache)
    assert analysis_cache.read(cache, f"{a[0]} 1", identity) == analysis_cache.read(fresh, f"{a[0]} 1", identity)
    assert keep(cache, *b, identity, 9)
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == analysis_cache.FORMAT
        counted = conn.execute("SELECT bytes FROM analyses WHERE document_id = 1").fetchone()[0]
    assert counted == rows(fresh)[0][2]  # the old row's size counted as a new row's is
    peak = cache.stat().st_size
    assert analysis_cache.forget_all_but(cache, [9]) == 8
    assert cache.stat().st_size < peak / 2  # VACUUMed: a large share was free
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # and incremental from now on
    assert kept_texts(cache, identity) == [b[0]]


def test_a_start_lets_go_of_the_analyses_of_documents_deleted_before(qtbot, qapp, tiny_model_dir):
    """The window's start drops the rows of a document deleted by an older version (its row gone from the
    store, its analysis left in the file), and keeps the reopened text's."""
    from test_longtext60_kept_analysis import LONG, first_start

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    first_start(qtbot, qapp, tiny_model_dir)
    store = Store.open(AppPaths.resolve().ensure().db_path)
    try:
        cache = analysis_cache.cache_file(store.path)
        with closing(sqlite3.connect(cache)) as conn, conn:
            conn.execute("INSERT INTO analyses SELECT text_sha || 'x', identity, 999, first, unscored_prefix, ids, "
                         "passes, precision, n, rec_ids, logprobs, ranks, entropies, texts, top_counts, top_ids, "
                         "top_probs, top_texts, used, bytes FROM analyses")
        assert 999 in {document for _, document, _ in rows(cache)}
    finally:
        store.close()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.text.chat.tasks.store.wait(10)
        assert 999 not in {document for _, document, _ in rows(cache)}
        assert [sha for sha, *_ in rows(cache)] == [analysis_cache.text_key(LONG)]  # the stored text's stays
