"""leftovers85: a Text tab text emptied (every word deleted) kept the deleted words' title, in the picker and the
window's title; now it is untitled again, where its title was made from those words (a name of the person's own, or
a file's, stays). The store's rule (core.documents.title_on_save, the real store) and the window (pytest-qt, the tiny
fixture model)."""

from __future__ import annotations

import pytest

from desktop_app.core import documents
from desktop_app.core.documents import DEFAULT_DOCUMENT_TITLE


def test_an_emptied_text_titled_by_its_first_words_is_untitled_again(store):
    document_id = documents.create_document(store, "")
    documents.save_edit(store, document_id, "A lighthouse keeper counted the waves.")
    titled = documents.get_document(store, document_id)["title"]
    assert titled != DEFAULT_DOCUMENT_TITLE and titled.startswith("A lighthouse"), "titled after its first words"
    documents.save_edit(store, document_id, "")
    assert documents.get_document(store, document_id)["title"] == DEFAULT_DOCUMENT_TITLE
    documents.save_edit(store, document_id, "Gulls over the harbour.")
    assert documents.get_document(store, document_id)["title"].startswith("Gulls"), "its next first words name it"


def test_a_name_of_the_persons_own_stays_when_the_text_is_emptied(store):
    document_id = documents.create_document(store, "Notes for Tuesday's talk.", title="Talk notes")
    documents.save_edit(store, document_id, "  \n")
    assert documents.get_document(store, document_id)["title"] == "Talk notes"


def test_the_window_shows_an_emptied_text_untitled(qtbot, qapp, tiny_model_dir):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import Qt

    from gui_windows import opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as window:
        window.set_mode("text")
        editor = window.text_view.editor
        picker = window.text_view.documents
        qtbot.waitUntil(lambda: window.text_view.text_widget() is editor)
        editor.setFocus()
        qtbot.keyClicks(editor, "Lighthouse keepers count waves")
        qtbot.waitUntil(lambda: picker.currentText().startswith("Lighthouse"))
        qtbot.waitUntil(lambda: window.windowTitle().startswith("Lighthouse"))
        editor.selectAll()
        qtbot.keyClick(editor, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: picker.currentText() == DEFAULT_DOCUMENT_TITLE)
        qtbot.waitUntil(lambda: window.windowTitle().startswith(DEFAULT_DOCUMENT_TITLE))
        assert picker.count() == 1, "the same text, untitled, not another one"
