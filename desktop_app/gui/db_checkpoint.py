"""Keep the database file itself current while the app runs: the store lane checkpoints the
write-ahead log after each fine-tune and every few minutes, so a copy of the .sqlite3 file
(a backup made while the app is open, or after a crash) holds the conversations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from desktop_app.gui.tasks import Task

log = logging.getLogger(__name__)

EVERY_MS = 5 * 60 * 1000


def install(window, every_ms: int = EVERY_MS) -> QTimer:
    """Checkpoint ``window``'s store on its store lane every ``every_ms`` and after a fine-tune."""
    timer = QTimer(window, interval=every_ms)
    timer.timeout.connect(lambda: checkpoint(window))
    timer.start()
    window.finetune.finished.connect(lambda _result: checkpoint(window))
    return timer


def checkpoint(window) -> Task:
    store = window.chat.store

    def done(complete):
        if not complete:
            log.info("database checkpoint left part of the log for later (a reader was busy)")

    return window.tasks.store.submit(Task(lambda _r, _c: store.checkpoint(), "checkpoint the database", "checkpoint",
                                          on_success=done, on_failure=lambda e: log.warning("checkpoint: %s", e)))
