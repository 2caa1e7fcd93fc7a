"""Deleting the Text tab's open text, and bringing it back for the rest of the session.

The text goes at once, without a question, as an adapter does (gui/adapter_undo.py): the status bar
says so and how to undo, and Ctrl+Z (or "Bring back" in the picker's menu) brings it back until the
window closes. A question first would add a click to every deletion, and an undo can give back all
there was: the text, its branches and their ratings wait in memory (core.documents.DeletedDocument),
its kept analyses beside the store under a ticket (core.analysis_cache.set_aside), so a text brought back
is coloured at once, without a new pass; they go when the window closes (``close``).

Ctrl+Z is the window's (shortcuts.undo_by_key), so it works wherever the focus is: the picker, the
coloured text, the bar's buttons, the branches, after a visit to Chat. A text box with typing to undo keeps
its own Ctrl+Z (the editor, the chat's prompt); with none, the key goes on to the window. "Bring back" is
also in the picker's, the coloured text's and the editor's right-click menus."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu

from desktop_app.core import documents
from desktop_app.core.taught_words import clip_at_word
from desktop_app.gui.theme import icon

UNDO_KEYS = "Ctrl+Z"  # the window's key (shortcuts.undo_by_key); in the editor once its typing is undone
DELETE_KEYS = "Delete"  # on the picker of texts
SAID_TITLE_CHARS = 24  # a title's characters in the status bar's words (a text's first words can run to 60)
SAID_MS = 10_000  # the status bar's words after a deletion: long enough to read and act on
BUSY = "A text is being opened or continued: delete it once that is done."


def said_title(title: str) -> str:
    """A text's title as the status bar says it: cut after a word, so the sentence's end (the key) fits."""
    return clip_at_word(title, SAID_TITLE_CHARS)


class TextUndo(QObject):
    """Delete and undo for a TextView (``view``: its picker, editor and controller); ``say(words, ms)``
    puts words in the window's status bar.

    Attributes:
        deleted: the DeletedDocuments Ctrl+Z can still bring back, oldest first."""

    def __init__(self, view, say, others=lambda: False):
        super().__init__(view)
        self.view, self.controller, self.say = view, view.controller, say
        self.others = others  # whether the window's Ctrl+Z has something else to bring back (an adapter)
        self.deleted: list = []
        self.controller.deleted.connect(self._deleted)
        picker = view.documents
        picker.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        picker.customContextMenuRequested.connect(self._menu)
        shortcut = QShortcut(QKeySequence(DELETE_KEYS), picker, self.delete_open)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)  # Delete in the editor deletes a character
        view.editor.installEventFilter(self)
        view.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.editor.customContextMenuRequested.connect(self._editor_menu)

    def delete_open(self) -> bool:
        """Delete the text on screen (its last edit kept first, so an undo brings back what was shown)."""
        if self.controller.opening or self.controller.continuing:
            self.say(BUSY, 6000)
            return False
        self.view.flush_edit()
        self.view.texts.hold_picker_focus()  # Delete on it: it keeps the focus while the next text opens
        if self.controller.delete_document():
            return True
        self.view.texts.picker_had_focus = False
        return False

    def _deleted(self, deleted) -> None:
        self.deleted.append(deleted)
        # short: at 800 px the status bar shares its row with the model's name (a longer sentence lost its end;
        # at 640 px a long title still cut "brings it back" to "brings it ba": texts63)
        self.say(f"\u201c{said_title(deleted.title)}\u201d deleted: {UNDO_KEYS} brings it back", SAID_MS)

    def undo(self, by_key: bool = False) -> bool:
        """Bring back the text deleted last and open it; False when none can come back now. ``by_key``:
        as the adapters' undo takes it (shortcuts.undo_by_key)."""
        if not self.deleted:
            return False
        if self.controller.opening or self.controller.continuing:
            self.say(BUSY.replace("delete it", "undo"), 6000)
            return False
        # an empty untitled text on screen was made because the deletion left none, or by New: it goes
        empty = self.view.texts.empty_untitled()
        self.view.flush_edit()
        self.view.texts.hold_picker_focus()
        deleted = self.deleted.pop()
        self.controller.restore_document(deleted, drop_open=empty)
        self.say(f"\u201c{said_title(deleted.title)}\u201d is back.", 5000)
        return True

    def undoable(self) -> list[str]:
        """The deleted texts Ctrl+Z can still bring back, by title in quotes, oldest first (the quit question
        names them: closing deletes them for good)."""
        return [f"\u201c{d.title}\u201d" for d in self.deleted]

    def close(self) -> None:
        """The window closes: the deletions can no longer be undone, and the analyses set aside for them go
        (after the store lane: a deletion it was given is done). A killed app's go at the next start."""
        for deleted in self.deleted:
            documents.forget_deleted(self.controller.store, deleted)
        self.deleted.clear()

    def eventFilter(self, watched, event) -> bool:
        """Ctrl+Z in the editor with none of its typing to undo, while a text (or an adapter) can come back: the
        window's key (the editor took it and did nothing, as the prompt did for an adapter: usertest33)."""
        if (event.type() == QEvent.Type.ShortcutOverride and (self.deleted or self.others())
                and event.matches(QKeySequence.StandardKey.Undo) and not watched.document().isUndoAvailable()):
            event.ignore()
            return True
        return False

    def add_bring_back(self, menu: QMenu, key_works: bool = True) -> bool:
        """"Bring back “title”" after a right-click menu's actions, while a deleted text can come back (True
        when it was added); its key shown where Ctrl+Z would do it there."""
        if not self.deleted:
            return False
        if menu.actions():
            menu.addSeparator()
        back = menu.addAction(f"Bring back \u201c{self.deleted[-1].title}\u201d", lambda: self.undo())
        if key_works:
            back.setShortcut(QKeySequence(UNDO_KEYS))
        return True

    def _menu(self, pos) -> None:
        """Right-click on the picker: delete the open text, or bring back the one deleted last."""
        picker = self.view.documents
        menu = QMenu(picker)
        delete = menu.addAction(icon("delete"), "Delete this text", self.delete_open)
        delete.setShortcut(QKeySequence(DELETE_KEYS))  # shown beside it: the key works on the picker
        delete.setEnabled(self.controller.document_id is not None)
        self.add_bring_back(menu)
        menu.popup(picker.mapToGlobal(pos))
        self.menu = menu  # (tests read it)

    def _editor_menu(self, pos) -> None:
        """The editor's own menu (Undo, Cut, Copy, Paste…) and "Bring back", whose Ctrl+Z is the editor's
        Undo while it has typing to undo."""
        editor = self.view.editor
        menu = editor.createStandardContextMenu(pos)
        self.add_bring_back(menu, key_works=not editor.document().isUndoAvailable())
        menu.popup(editor.mapToGlobal(pos))
        self.menu = menu
