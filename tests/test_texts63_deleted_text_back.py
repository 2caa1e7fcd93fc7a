"""texts63: a deleted Text document comes back from wherever the keyboard is (Chat's prompt included, the
Text tab then in front) and from the coloured text's and the editor's right-click menus, while a text box
with typing to undo keeps its own Ctrl+Z; a text brought back is coloured from its kept analyses without a
model pass; those analyses wait under a ticket until the window closes (or the next start); a save reads
the analyses' file only when it changed; the picker keeps the focus through an opening, and a new text's
editor takes it (real SQLite files, the tiny model, a real window)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from PySide6.QtCore import Qt

from desktop_app.core import analysis_cache, documents
from test_cachecap61_bounded_analyses import analyses, keep, rows  # noqa: F401  (a fixture)
from test_textdocs62_delete_texts import STORY_TEXT, harbour_opened, text_tab  # noqa: F401  (a fixture)


# ------------------------------------------------------------------ the core: analyses set aside, saves


def test_an_undoable_deletion_sets_the_analyses_aside_and_the_restore_takes_them_back(analyses, store):
    (a, b, c, _), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    doc, other = documents.create_document(store, a[0]), documents.create_document(store, c[0])
    assert keep(cache, *a, identity, doc) and keep(cache, *b, identity, doc) and keep(cache, *c, identity, other)
    deleted = documents.delete_document(store, doc, undoable=True)
    assert deleted.analyses is not None and deleted.analyses < 0
    assert sorted(d for _, d, _ in rows(cache)) == sorted([deleted.analyses] * 2 + [other])
    documents.create_document(store, "A new text took the old one's id.")  # its four do not count the old rows
    back = documents.restore_document(store, deleted)
    assert sorted(d for _, d, _ in rows(cache)) == sorted([back, back, other])
    assert analysis_cache.read(cache, a[0], identity) is not None


def test_set_aside_analyses_go_when_the_deletion_is_forgotten_or_at_the_next_start(analyses, store):
    (a, b, _, _), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    first, second = documents.create_document(store, a[0]), documents.create_document(store, b[0])
    assert keep(cache, *a, identity, first) and keep(cache, *b, identity, second)
    closed = documents.delete_document(store, first, undoable=True)
    assert documents.forget_deleted(store, closed) == 1  # the window closed
    killed = documents.delete_document(store, second, undoable=True)
    assert killed.analyses is not None and rows(cache)
    assert documents.forget_analyses_of_deleted_documents(store) == 1  # the app was killed: the next start
    assert rows(cache) == []
    nothing = documents.delete_document(store, documents.create_document(store, "x"), undoable=True)
    assert nothing.analyses is None and documents.forget_deleted(store, nothing) == 0


def connections(monkeypatch) -> list:
    """Every connection the analyses' file module opens."""
    opened: list = []
    real = analysis_cache._connect

    def counted(path):
        opened.append(path)
        return real(path)

    monkeypatch.setattr(analysis_cache, "_connect", counted)
    return opened


def test_a_save_reads_the_analyses_file_only_when_it_changed(analyses, store, monkeypatch):
    (a, b, c, _), identity = analyses
    cache = analysis_cache.cache_file(store.path)
    doc = documents.create_document(store, "")
    assert keep(cache, *c, identity, doc)
    opened = connections(monkeypatch)
    documents.save_document(store, doc, "first words")
    documents.save_document(store, doc, "first words and more")
    documents.save_document(store, doc, "first words and more still")
    assert len(opened) == 1, "read once: the file did not change between the saves"
    assert keep(cache, *b, identity, None)  # an analysis made before its text is stored
    documents.save_document(store, doc, b[0])
    assert dict((sha, d) for sha, d, _ in rows(cache))[analysis_cache.text_key(b[0])] == doc  # attached
    with closing(sqlite3.connect(cache)) as conn, conn:  # another process keeps one without a document
        conn.execute("UPDATE analyses SET document_id = NULL WHERE text_sha = ?", (analysis_cache.text_key(c[0]),))
    documents.save_document(store, doc, c[0])
    assert dict((sha, d) for sha, d, _ in rows(cache))[analysis_cache.text_key(c[0])] == doc


# ------------------------------------------------------------------ the window


def kept_for(cache) -> set:
    """The documents the analyses' file keeps rows for; none while the app is still making the file (it exists
    before its table does)."""
    try:
        return {d for _, d, _ in rows(cache)} if cache.exists() else set()
    except sqlite3.OperationalError:
        return set()


def deleted_harbour(qtbot, window) -> None:
    """"Harbour" made, analysed (its analysis kept), then deleted from its picker: another text opens."""
    from gui_windows import WAIT_MS

    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        harbour_opened(qtbot, window)
    cache = analysis_cache.cache_file(window.chat.store.path)
    qtbot.waitUntil(lambda: window.text.document_id in kept_for(cache), timeout=WAIT_MS)
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        window.text_mode.undo.delete_open()


def titles(window) -> list[str]:
    return [r["title"] for r in documents.list_documents(window.chat.store)]


def test_ctrl_z_in_chats_prompt_undoes_its_typing_then_brings_the_text_back_in_front(qtbot, text_tab):
    from gui_windows import WAIT_MS, active

    window = text_tab
    deleted_harbour(qtbot, window)
    active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # to Chat, the cursor in the prompt
    qtbot.waitUntil(window.prompt.hasFocus, timeout=2000)
    qtbot.keyClicks(window.prompt, "hi")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.prompt.toPlainText() != "hi" and "Harbour" not in titles(window), "the prompt's typing first"
    window.prompt.document().clearUndoRedoStacks()
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Harbour" in titles(window) and window.mode == "text"  # where it is seen
    assert window.text_view.documents.currentText() == "Harbour"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_a_text_brought_back_from_the_coloured_texts_menu_is_coloured_without_a_model_pass(
        qtbot, text_tab, monkeypatch):
    from desktop_app.core import scoring
    from gui_windows import WAIT_MS

    window, view = text_tab, text_tab.text_view
    deleted_harbour(qtbot, window)
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    view.set_editing(False)
    read: list[str] = []  # the texts model passes read (the text opened in Harbour's place may still be read)
    real = scoring.score_text
    monkeypatch.setattr(scoring, "score_text", lambda loaded, text, *a, **k: read.append(text) or real(loaded, text, *a, **k))
    window.text_mode.token_menu.show(view.heatmap.rect().center())
    menu = window.text_mode.token_menu.last
    back = [a for a in menu.actions() if a.text() == "Bring back \u201cHarbour\u201d"]
    assert back and back[0].shortcut().toString() == "Ctrl+Z"
    harbours = lambda scored, _summary: "".join(r.text for r in scored.records).endswith(STORY_TEXT[-20:])  # noqa: E731
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS, check_params_cb=harbours):
        back[0].trigger()
    menu.close()
    assert "".join(r.text for r in view.heatmap.records).endswith(STORY_TEXT[-20:])
    assert not any(STORY_TEXT[-20:] in text for text in read), "its kept analysis coloured it"
    cache = analysis_cache.cache_file(window.chat.store.path)
    assert {d for _, d, _ in rows(cache)} >= {window.text.document_id}
    # deleted again and the window closed: what was set aside for the undo goes
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        window.text_mode.undo.delete_open()
    window.close()
    assert all(d is None or d > 0 for _, d, _ in rows(cache))


def test_the_editors_menu_brings_back_and_says_its_key_only_when_ctrl_z_would(qtbot, text_tab):
    from gui_windows import WAIT_MS

    window, view, undo = text_tab, text_tab.text_view, text_tab.text_mode.undo
    deleted_harbour(qtbot, window)
    view.set_editing(True)
    undo._editor_menu(view.editor.rect().center())
    back = [a for a in undo.menu.actions() if a.text().startswith("Bring back")]
    assert back and back[0].shortcut().toString() == "Ctrl+Z"
    undo.menu.close()
    view.editor.insertPlainText(" typed")
    undo._editor_menu(view.editor.rect().center())
    back = [a for a in undo.menu.actions() if a.text().startswith("Bring back")]
    assert back and back[0].shortcut().isEmpty(), "Ctrl+Z is the editor's Undo while it has typing to undo"
    undo.menu.close()
    qtbot.waitUntil(lambda: not window.chat.lane.tasks and not window.text.opening, timeout=WAIT_MS)


def test_the_picker_keeps_the_focus_when_a_text_is_chosen_and_new_puts_it_in_the_editor(qtbot, text_tab):
    from gui_windows import WAIT_MS, active

    window, view = text_tab, text_tab.text_view
    harbour_opened(qtbot, window)
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        view.texts.new_document("A second text about the nets.", title="Nets")
    active(qtbot, window)
    view.documents.setFocus()
    qtbot.waitUntil(view.documents.hasFocus, timeout=2000)
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        view.documents.activated.emit(view.documents.findText("Harbour"))
    assert view.documents.hasFocus(), "not handed on to Edit while the picker was off"
    view.set_editing(True)  # the editor in front already: New had left the focus on its button
    view.new_button.setFocus()
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        view.new_button.click()
    assert view.editor.hasFocus(), "the new text takes what is typed"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_the_status_bars_words_cut_a_long_title_so_the_key_stays_in_view():
    from desktop_app.gui.text_undo import SAID_TITLE_CHARS, said_title

    long_title = "Grey over waves past far water gulls in grey keeper water"
    said = said_title(long_title)
    assert len(said) <= SAID_TITLE_CHARS and said.endswith("\u2026") and long_title.startswith(said[:-1])
    assert said_title("Harbour") == "Harbour"


def test_ctrl_2_into_a_text_not_yet_opened_puts_the_keys_in_the_text(qtbot, qapp, tiny_model_dir):
    """A start in Chat, then Ctrl+2: the text opens after the tab shows, and the picker, where Qt moved the hidden
    prompt's focus, is not where the keys stay (the person asked for the text)."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import open_settings
    from gui_windows import WAIT_MS, active, opened_window

    paths = AppPaths.resolve().ensure()
    open_settings(paths).setValue("mode", "chat")
    store = Store.open(paths.db_path)
    documents.create_document(store, STORY_TEXT, title="Harbour")
    store.close()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        active(qtbot, window)
        window.prompt.setFocus()
        qtbot.waitUntil(window.prompt.hasFocus, timeout=2000)
        with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
            qtbot.keyClick(window.prompt, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.text.opening, timeout=WAIT_MS)
        assert window.text_view.text_widget().hasFocus() and not window.text_view.documents.hasFocus()
        qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)


def test_a_click_under_a_short_coloured_text_gives_it_the_keys_and_a_paste_says_where_it_goes(qtbot, text_tab):
    from PySide6.QtCore import QPoint

    from desktop_app.core.text_notes import PASTE_ON_COLOURS_WORDS
    from gui_windows import WAIT_MS, active

    window, view = text_tab, text_tab.text_view
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        harbour_opened(qtbot, window)
    view.set_editing(False)
    active(qtbot, window)
    view.documents.setFocus()
    viewport = view.heatmap_scroll.viewport()
    below = QPoint(viewport.width() // 2, viewport.height() - 5)  # the blank room under the text's one line
    assert view.heatmap.geometry().bottom() < view.heatmap.parentWidget().mapFromParent(below).y()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=below)
    qtbot.waitUntil(view.heatmap.hasFocus, timeout=2000)
    with qtbot.waitSignal(view.notice, timeout=2000) as said:
        qtbot.keyClick(view.heatmap, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert said.args == [PASTE_ON_COLOURS_WORDS]
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
