"""Changes another program made to the window's database while it runs (one database, two front
ends: ``gpt2-desk rate``, ``gpt2-desk finetune``, ``gpt2-desk adapters``): the Fine-tune tab's counts
and adapter history follow them. A person who rates from a terminal beside the window looks at the
window without clicking it, so waiting for a focus change is not enough (usertest: the tab kept
saying "Nothing new since run 1" until a restart); a cheap look every few seconds, and one when the
window comes to the front, asks SQLite whether anyone else committed (``data_version``, one pragma)
and re-reads only then. Nothing here touches the model."""

from __future__ import annotations

import logging
import sqlite3

from PySide6.QtCore import QTimer

from desktop_app.core.store_file import StoreError

log = logging.getLogger(__name__)

LOOK_EVERY_MS = 3000  # a rating made in a terminal shows in the tab within this long


class OutsideChanges:
    """Looks at ``window``'s store for commits it did not see, and re-reads the Fine-tune tab's
    counts (on the store lane) and adapter history then.

    Attributes:
        window: the main window; timer: the periodic look; seen: the data_version last looked at."""

    def __init__(self, window, every_ms: int = LOOK_EVERY_MS):
        self.window = window
        self.seen = self._version()
        self.timer = QTimer(window, interval=every_ms)
        self.timer.timeout.connect(self.look)
        self.timer.start()

    def _version(self) -> int | None:
        try:
            return self.window.chat.store.data_version()
        except (StoreError, sqlite3.Error):  # closed as the window shuts down: nothing to follow any more
            return None

    def look(self) -> bool:
        """True when the file changed since the last look (the tab is re-read then)."""
        window = self.window
        if window.quitting or window.tasks.store.closed:
            self.timer.stop()
            return False
        version = self._version()
        if version is None or version == self.seen:
            return False
        self.seen = version
        window.writer.recount()  # the window's own writes change it too: a recount is cheap
        self._adapters_again()
        return True

    def _adapters_again(self) -> None:
        """The history re-listed only when its rows differ: a person's selection and a rename
        under way are left alone when nothing about the adapters changed."""
        panel = self.window.finetune_side.panel
        if self.window.finetune.list_adapters() != panel.history.rows:
            panel.refresh_adapters()
