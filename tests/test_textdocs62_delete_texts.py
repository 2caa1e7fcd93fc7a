"""textdocs62: a Text document can be deleted from the window and brought back in the session (its
branches and ratings with it); its kept analyses go with it; an analysis kept before its text was stored
becomes the document's; the cache file is checked whole once a process, and damage met while writing
moves it aside (real SQLite files, the tiny model's real analyses, a real store, real widgets)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from desktop_app.core import analysis_cache, documents
from desktop_app.core import text_branches as tb
from test_cachecap61_bounded_analyses import TEXTS, analyses, keep, rows  # noqa: F401  (a fixture)

STORY_TEXT = "The harbour was quiet that morning, and the boats lay still."


def test_a_deleted_document_comes_back_with_its_branches_and_ratings(store):
    doc = documents.create_document(store, STORY_TEXT, title="Harbour")
    first = tb.add_branch(store, doc, None, len(STORY_TEXT), " The gulls came.")
    second = tb.add_branch(store, doc, first, 5, " Then the rain.", kind="alternative")
    tb.rate_branch(store, second, 1)
    tb.show_branch(store, doc, second)
    deleted = documents.delete_document(store, doc)
    assert deleted.title == "Harbour" and len(deleted.branches) == 2 and len(deleted.ratings) == 1
    assert documents.list_documents(store) == [] and tb.branches(store, doc) == []
    documents.create_document(store, "A new text took the old one's id.")  # SQLite hands the largest id out again
    back = documents.restore_document(store, deleted)
    restored = documents.get_document(store, back)
    assert (restored["title"], restored["text"]) == ("Harbour", STORY_TEXT)
    branches = {b["text"]: b for b in tb.branches(store, back)}
    assert set(branches) == {" The gulls came.", " Then the rain."}
    child, parent = branches[" Then the rain."], branches[" The gulls came."]
    assert child["parent_id"] == parent["id"] and child["kind"] == "alternative"
    assert tb.shown_branch(store, back) == child["id"]
    assert tb.branch_ratings(store, child["id"])  # its thumb came back with it
    assert store.integrity_check() == ["ok"]


def test_a_deleted_documents_kept_analyses_go_and_one_kept_before_it_was_stored_is_attached(analyses, store):
    (a, b, c, _), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    assert keep(cache, *a, identity, None) and keep(cache, *b, identity, None)  # no document open yet
    doc = documents.create_document(store, "")
    documents.save_document(store, doc, a[0])  # its text stored: the analysis kept before is the document's
    assert dict((sha, document) for sha, document, _ in rows(cache))[analysis_cache.text_key(a[0])] == doc
    other = documents.create_document(store, c[0])
    assert keep(cache, *c, identity, other)
    documents.delete_document(store, doc)
    assert {document for _, document, _ in rows(cache)} == {None, other}  # its row went; b's (no text) stays


def quick_checks(monkeypatch) -> list[str]:
    """Every ``quick_check`` the cache's connections run, as SQLite traces them."""
    seen: list[str] = []
    real = analysis_cache._connect

    def traced(path):
        conn = real(path)
        conn.set_trace_callback(lambda sql: seen.append(sql) if "quick_check" in sql else None)
        return conn

    monkeypatch.setattr(analysis_cache, "_connect", traced)
    return seen


def test_the_file_is_checked_whole_once_a_process(analyses, tmp_path, monkeypatch):
    (a, b, c, _), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    seen = quick_checks(monkeypatch)
    assert keep(cache, *a, identity, 1)  # a new file: nothing to check
    assert keep(cache, *b, identity, 1) and keep(cache, *c, identity, 2)
    assert len(seen) == 1, "the second write checked the file, the third did not"
    monkeypatch.setattr(analysis_cache, "_CHECKED", set())  # another process
    assert keep(cache, *a, identity, 1) and len(seen) == 2


def damage_the_table(cache) -> None:
    """Garbage over the analyses' pages, the file's first page (its header, its schema) left whole."""
    with closing(sqlite3.connect(cache)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'analyses'").fetchone()[0]
    data = bytearray(cache.read_bytes())
    data[(root - 1) * page:] = b"\xa5" * (len(data) - (root - 1) * page)
    cache.write_bytes(bytes(data))


def test_damage_met_while_writing_moves_the_file_aside_and_the_row_goes_into_a_new_one(analyses, tmp_path):
    (a, b, _, _), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    assert keep(cache, *a, identity, 1) and keep(cache, *a, identity, 1)  # the second one checked it whole
    damage_the_table(cache)  # after its check: the next write meets it
    damaged = cache.read_bytes()
    assert keep(cache, *b, identity, 1)
    (aside,) = cache.parent.glob(f"{cache.name}.bad-*")
    assert aside.read_bytes() == damaged  # kept, not deleted
    assert [analysis_cache.read(cache, t, identity) is not None for t in (a[0], b[0])] == [False, True]


def test_a_busy_file_is_not_moved_aside(analyses, tmp_path, monkeypatch):
    """A write that finds the file locked by another start leaves it where it is: busy is not damage."""
    (a, b, _, _), identity = analyses
    cache = tmp_path / analysis_cache.FILE_NAME
    assert keep(cache, *a, identity, 1) and keep(cache, *a, identity, 1)

    def impatient(path):
        conn = sqlite3.connect(str(path), timeout=0.1)
        conn.row_factory = sqlite3.Row
        return conn

    monkeypatch.setattr(analysis_cache, "_connect", impatient)
    holder = sqlite3.connect(cache, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        assert not analysis_cache.write(cache, b[0], identity, _kept(b), 1)  # checked before: the write is busy
        monkeypatch.setattr(analysis_cache, "_CHECKED", set())  # a process that has not checked it yet
        assert not analysis_cache.write(cache, b[0], identity, _kept(b), 1)  # its check is busy
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert list(cache.parent.glob(f"{cache.name}.bad-*")) == []
    assert analysis_cache.read(cache, a[0], identity) is not None


def _kept(pair):
    _text, scored = pair
    return analysis_cache.KeptAnalysis(list(scored.ids), scored.unscored_prefix, list(scored.records),
                                       scored.first, scored.passes)


@pytest.fixture
def text_tab(qtbot, qapp, tiny_model_dir):
    from gui_windows import opened_window, text_opened

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.set_mode("text")
        text_opened(qtbot, window)
        yield window


def harbour_opened(qtbot, window) -> int:
    """A new text, "Harbour", made and opened in the Text tab: returns its document id."""
    from gui_windows import WAIT_MS, text_opened

    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        window.text_view.texts.new_document(STORY_TEXT, title="Harbour")
    text_opened(qtbot, window)
    return window.text.document_id


def test_delete_on_the_picker_deletes_the_open_text_and_ctrl_z_brings_it_back(qtbot, text_tab):
    from PySide6.QtCore import Qt

    from gui_windows import WAIT_MS, active

    window, store = text_tab, text_tab.chat.store
    view, controller = window.text_view, window.text
    harbour = harbour_opened(qtbot, window)
    tb.add_branch(store, harbour, None, len(STORY_TEXT), " The gulls came.")
    active(qtbot, window)
    view.documents.setFocus()
    qtbot.waitUntil(view.documents.hasFocus, timeout=2000)
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        qtbot.keyClick(view.documents, Qt.Key.Key_Delete)
    assert "Harbour" not in [r["title"] for r in documents.list_documents(store)]
    # no text left: a new empty one opens (SQLite gives it the deleted one's id again)
    assert documents.get_document(store, controller.document_id)["title"] == documents.DEFAULT_DOCUMENT_TITLE
    assert view.documents.findText("Harbour") == -1 and harbour is not None
    assert window.statusBar().currentMessage() == "\u201cHarbour\u201d deleted: Ctrl+Z brings it back"
    assert view.documents.hasFocus(), "the keys' place stays on the picker (it was off while the next text opened)"
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        qtbot.keyClick(view.documents, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    back = controller.document_id
    # the empty text made because the deletion left none goes as the deleted one comes back
    assert [r["title"] for r in documents.list_documents(store)] == ["Harbour"]
    assert view.documents.hasFocus()
    assert documents.get_document(store, back)["title"] == "Harbour" and view.documents.currentText() == "Harbour"
    assert [b["text"] for b in tb.branches(store, back)] == [" The gulls came."]
    assert view.editor.toPlainText().startswith(STORY_TEXT)
    assert window.statusBar().currentMessage() == "\u201cHarbour\u201d is back."
    assert window.text_mode.undo.deleted == []
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_the_pickers_menu_deletes_and_brings_back(qtbot, text_tab):
    from gui_windows import WAIT_MS

    window, store = text_tab, text_tab.chat.store
    view, controller, undo = text_tab.text_view, text_tab.text, text_tab.text_mode.undo
    harbour_opened(qtbot, window)
    undo._menu(view.documents.rect().center())
    actions = {a.text(): a for a in undo.menu.actions()}
    assert list(actions) == ["Delete this text"] and actions["Delete this text"].isEnabled()
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        actions["Delete this text"].trigger()
    undo.menu.close()
    assert [r["title"] for r in documents.list_documents(store)].count("Harbour") == 0
    assert undo.undoable() == ["\u201cHarbour\u201d"]  # what the quit question names (closing deletes it)
    undo._menu(view.documents.rect().center())
    back = [a for a in undo.menu.actions() if a.text() == "Bring back \u201cHarbour\u201d"]
    assert back and back[0].shortcut().toString() == "Ctrl+Z"
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        back[0].trigger()
    undo.menu.close()
    assert documents.get_document(store, controller.document_id)["title"] == "Harbour"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_f1_lists_the_delete_key_and_ctrl_z_for_texts():
    from desktop_app.gui.shortcuts import SHORTCUTS

    rows_ = dict(SHORTCUTS)
    assert "delete the open text" in rows_["Delete"] and "text deleted last" in rows_["Ctrl+Z"]


def test_ctrl_z_in_the_editor_undoes_its_typing_first_then_brings_the_text_back(qtbot, text_tab):
    from PySide6.QtCore import Qt

    from gui_windows import WAIT_MS, active

    window, store = text_tab, text_tab.chat.store
    view, controller = text_tab.text_view, text_tab.text
    harbour_opened(qtbot, window)
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        window.text_mode.undo.delete_open()
    active(qtbot, window)
    view.set_editing(True)  # the empty text left is written in the editor
    view.editor.setFocus()
    qtbot.waitUntil(view.editor.hasFocus, timeout=2000)
    qtbot.keyClicks(view.editor, "new")
    qtbot.keyClick(view.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.editor.toPlainText() != "new", "Ctrl+Z undid the typing"
    assert "Harbour" not in [r["title"] for r in documents.list_documents(store)], "and brought back no text"
    view.editor.document().clearUndoRedoStacks()  # no typing left to undo
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        qtbot.keyClick(view.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert documents.get_document(store, controller.document_id)["title"] == "Harbour"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
