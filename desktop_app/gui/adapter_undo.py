"""Undo of an adapter's deletion, for the rest of the session: a button in the status bar
while there is a deleted adapter to bring back (the newest first). The files wait in the
adapters' trash folder (core.adapters.TRASH_DIR) and are deleted for good when the window
closes, or at the next start after a crash."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QPushButton

from desktop_app.core import adapters


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
        self.button = QPushButton("Undo delete")
        self.button.setObjectName("SmallButton")
        self.button.hide()
        self.button.clicked.connect(self.undo)
        window.statusBar().addPermanentWidget(self.button)
        self.refocus = False  # Undo had the focus: it goes to the history once the adapter is back in it
        self.controller.adapters_changed.connect(lambda: QTimer.singleShot(0, self._refocus))
        self.controller.adapter_deleted.connect(self._deleted)

    def _deleted(self, deleted: adapters.DeletedAdapter) -> None:
        if deleted.trash is None:  # its files were already gone: nothing to bring back
            return
        self.deleted.append(deleted)
        self.window.statusBar().showMessage(f"{adapters.label(deleted.row, start=True)} deleted (Undo brings it back)", 10000)
        self._show()

    def undo(self) -> None:
        if not self.deleted:
            return
        deleted = self.deleted.pop()
        self.window.show_finetune()
        self.refocus = self.button.hasFocus() and not self.deleted
        if self.refocus:
            # the button hides: Qt would hand its focus to the next widget in the window's chain, a
            # card at the top of the chat, and scroll the chat there. The history gets it (the
            # prompt until the adapter is back in the list: a history of none hides its list)
            self._focus_history()
        self.controller.undo_delete(deleted)
        self.window.statusBar().showMessage(f"{adapters.label(deleted.row, start=True)} is back.", 5000)
        self._show()

    def _focus_history(self) -> None:
        history = self.window.finetune_panel.history
        if history.list.isVisible():
            self.refocus = False
            history.list.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.refocus:
            self.window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refocus(self) -> None:
        if self.refocus:
            self._focus_history()

    def _show(self) -> None:
        self.button.setVisible(bool(self.deleted))
        if self.deleted:
            self.button.setToolTip(f"Bring back {adapters.label(self.deleted[-1].row)} (until you close the app)")

    def undoable(self) -> list[str]:
        """The deleted adapters Undo can still bring back, by name ("Adapter 2"), oldest first."""
        return [adapters.label(d.row) for d in self.deleted]

    def close(self) -> None:
        """The session ends: what was deleted goes for good."""
        self.deleted.clear()
        adapters.empty_trash(self.window.paths)
