"""One copy of the app per data folder: two copies would write the same database, adapters and
settings at once. A lock file in the data folder holds the running copy's process id; a lock
left by a copy that was killed is stale (its process is gone) and is taken over silently."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, Qt
from PySide6.QtWidgets import QLabel, QMessageBox

log = logging.getLogger(__name__)

LOCK_NAME = "gpt2-desk.lock"


def already_running_words(data_dir: Path, pid: int | None) -> str:
    who = f" (process {pid})" if pid else ""
    return (f"GPT-2 Desk is already running on this data folder{who}:\n{data_dir}\n\n"
            "Switch to that window instead: two copies writing the same conversations, ratings and "
            "fine-tunes can overwrite each other's work. If no other copy is open, \u201cOpen anyway\u201d "
            "starts this one.\n\nKeys typed here do nothing: click a button (Esc quits).")


def already_running_line(data_dir: Path, pid: int | None) -> str:
    """The terminal's line: the box alone left a person who started the app from a terminal, and whose
    typing closed the box, with nothing said of why the app did not open (usertest41)."""
    who = f" (process {pid})" if pid else ""
    return (f"gpt2-desk: GPT-2 Desk is already running{who} on the data folder {data_dir}: switch to its window "
            "(this copy asks in a box whether to open anyway)")


def holder_pid(lock: QLockFile) -> int | None:
    info = lock.getLockInfo()  # PySide6: (pid, host, app), or with a leading "ok" flag
    pid = info[-3] if isinstance(info, tuple) and len(info) >= 3 else 0
    return pid if isinstance(pid, int) and pid > 0 else None


def held_by_another(lock: QLockFile) -> bool:
    """After a failed ``tryLock``: a live process holds the lock, as opposed to the lock file not
    being writable at all (QLockFile's PermissionError or UnknownError)."""
    return lock.error() == QLockFile.LockError.LockFailedError


def take_data_lock(data_dir: Path, *, ask: bool = True) -> QLockFile | None:
    """The lock (keep it for the app's life), or None when the person chose to quit. Opened
    anyway (or not asked), this copy runs without holding it: the other copy's lock stays."""
    lock = QLockFile(str(Path(data_dir) / LOCK_NAME))
    lock.setStaleLockTime(0)  # a running copy's lock never ages out; a dead process's is stale
    if lock.tryLock(0):
        return lock
    if not held_by_another(lock):
        # no other copy: the lock file cannot be made (a read-only data folder); the store says
        # what is wrong with the folder next, rather than "already running" (usertest52)
        log.warning("cannot make the lock file in %s (%s)", data_dir, lock.error())
        return lock
    pid = holder_pid(lock)
    log.warning("another copy (process %s) holds the lock on %s", pid, data_dir)
    print(already_running_line(data_dir, pid), file=sys.stderr, flush=True)
    if not ask or open_anyway(data_dir, pid):
        return lock
    return None


def open_anyway(data_dir: Path, pid: int | None) -> bool:
    """Ask whether to open this copy anyway. Stray typing acts on nothing: the words hold the focus and no
    button is the default, so Enter or Space does not press one (the person's typing, meant for the other
    window, had reached this box and its Enter quit it, usertest41); a click, Tab to a button, or Esc (Quit)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "GPT-2 Desk is already running",
                      already_running_words(data_dir, pid))
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    anyway = box.addButton("Open anyway", QMessageBox.ButtonRole.DestructiveRole)
    for button in (quit_button, anyway):
        button.setAutoDefault(False)  # a focused button would become the default Enter presses
    box.setEscapeButton(quit_button)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    words = box.findChild(QLabel, "qt_msgbox_label")  # QMessageBox's own text label
    if words is not None:
        words.setFocus()  # else the box focuses a button, which Space presses
    box.exec()
    return box.clickedButton() is anyway
