"""Undo of an adapter's deletion, for the rest of the session: a button in the status bar
while there is a deleted adapter to bring back (the newest first). The files wait in the
adapters' trash folder (core.adapters.TRASH_DIR) and are deleted for good when the window
closes, or at the next start after a crash."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from desktop_app.core import adapters


UNDO_KEYS = "Ctrl+Z"  # bound in shortcuts.bind; a text box's own Ctrl+Z (its typing) goes first, the prompt's
# only while it has typing to undo (AdapterUndo.eventFilter)
NOTHING_TO_UNDO = f"{UNDO_KEYS} brings back an adapter or a text deleted in this session: none was deleted."


class AdapterUndo(QObject):
    """The status bar's "Undo delete" button of a MainWindow.

    Attributes:
        deleted: DeletedAdapters that can come back, oldest first.
        button: shown while ``deleted`` is not empty."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.controller = window, window.finetune
        self.deleted: list[adapters.DeletedAdapter] = []
        adapters.empty_trash(window.paths)  # a killed session's deletions cannot be undone any more
        adapters.cleanup_at_start(window.chat.store, window.paths)  # and a killed run's folder no row names
        self.button = QPushButton("Undo delete")
        self.button.setObjectName("SmallButton")
        self.button.hide()
        self.button.clicked.connect(self.undo)
        window.statusBar().addPermanentWidget(self.button)
        self.refocus = False  # Undo had the focus: it goes to the history once the adapter is back in it
        self.controller.adapters_changed.connect(lambda: QTimer.singleShot(0, self, self._refocus))
        self.controller.adapter_deleted.connect(self._deleted)
        window.prompt.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        """Ctrl+Z in the prompt with none of its typing to undo, while an adapter (or a Text tab's text) can come
        back: the window's key. The focus is often in the prompt after a delete, which took the key and did
        nothing (usertest33); a text deleted before a visit to Chat stayed out of reach from there (texts63)."""
        if (event.type() == QEvent.Type.ShortcutOverride and (self.deleted or self.window.text_mode.undo.deleted)
                and event.matches(QKeySequence.StandardKey.Undo) and not watched.document().isUndoAvailable()):
            event.ignore()  # not the prompt's: the window's shortcut runs
            return True
        return False

    def _deleted(self, deleted: adapters.DeletedAdapter) -> None:
        if deleted.trash is None:  # its files were already gone: nothing to bring back
            return
        self.deleted.append(deleted)
        self.window.statusBar().showMessage(f"{adapters.label(deleted.row, start=True)} deleted ({UNDO_KEYS} or Undo "
                                            "brings it back)", 10000)
        self._show()

    def undo(self, by_key: bool = False) -> None:
        """``by_key``: Ctrl+Z, whose focus goes to the history as the button's does, where the adapter comes back."""
        if not self.deleted:
            return
        deleted = self.deleted.pop()
        self.window.show_finetune()
        self.refocus = (by_key or self.button.hasFocus()) and not self.deleted
        if self.refocus:
            # the button hides: Qt would hand its focus to the next widget in the window's chain, a
            # card at the top of the chat, and scroll the chat there. The history gets it (the
            # prompt until the adapter is back in the list: a history of none hides its list)
            self._focus_history()
        self.controller.undo_delete(deleted)
        self.window.statusBar().showMessage(f"{adapters.label(deleted.row, start=True)} is back.", 5000)
        self._show()

    def _focus_history(self) -> None:
        panel = self.window.finetune_panel
        history = panel.history
        if history.list.isVisible():
            self.refocus = False
            history.list.setFocus(Qt.FocusReason.OtherFocusReason)
            # the whole history in view, its buttons too: focused, the list alone was scrolled to, at the panel's
            # foot with Use selected, Delete and Export… below the window's edge (usertest33); once laid out
            QTimer.singleShot(0, panel, lambda: panel.ensureWidgetVisible(history))
        elif self.refocus:
            self.window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refocus(self) -> None:
        if self.refocus:
            self._focus_history()

    def _show(self) -> None:
        self.button.setVisible(bool(self.deleted))
        if self.deleted:
            self.button.setToolTip(f"Bring back {adapters.label(self.deleted[-1].row)} ({UNDO_KEYS}; until you close the app)")

    def undo_by_key(self) -> None:
        """Ctrl+Z outside a text box: the button sat about 23 Tabs from where the focus lands after a delete, at
        the status bar's far end (usertest33). With nothing deleted, the status bar says what the key does."""
        if self.deleted:
            self.undo(by_key=True)
        else:
            self.window.statusBar().showMessage(NOTHING_TO_UNDO, 6000)

    def undoable(self) -> list[str]:
        """The deleted adapters Undo can still bring back, by name ("Adapter 2"), oldest first."""
        return [adapters.label(d.row) for d in self.deleted]

    def close(self) -> None:
        """The session ends: what was deleted goes for good."""
        self.deleted.clear()
        adapters.empty_trash(self.window.paths)
