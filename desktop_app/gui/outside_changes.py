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
UNSEEN = object()  # no look at the runs yet


class OutsideChanges:
    """Looks at ``window``'s store for commits it did not see, and re-reads the Fine-tune tab's
    counts (on the store lane), adapter history and last run's card then.

    Attributes:
        window: the main window; timer: the periodic look; seen: the data_version last looked at;
        newest_run: the id of the loaded model's newest finished run at the last look (UNSEEN before one)."""

    def __init__(self, window, every_ms: int = LOOK_EVERY_MS):
        self.window = window
        self.seen = self._version()
        self.newest_run: int | None | object = UNSEEN  # the newest finished run of the model, at the last look
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
        self._last_run_again()
        return True

    def _adapters_again(self) -> None:
        """The history re-listed only when its rows differ: a person's selection and a rename
        under way are left alone when nothing about the adapters changed."""
        panel = self.window.finetune_side.panel
        if self.window.finetune.list_adapters() != panel.history.rows:
            panel.refresh_adapters()
            self.window.finetune_side.follow_history()  # an earlier adapter deleted in a terminal leaves the lists

    def _last_run_again(self) -> None:
        """The last run's card redrawn when a run finished outside the window (`gpt2-desk finetune` in a
        terminal beside it): it kept the report of the run before until a restart (usertest32). Not while the
        window's own run goes (its result draws the card), nor for a run still going in the terminal (the card
        would call it interrupted) or cancelled (it changed nothing); the card already showing that run stays."""
        window = self.window
        loaded = window.chat.loaded
        if loaded is None or window.finetune.running:
            return
        panel = window.finetune_side.panel
        finished = next((r for r in window.chat.store.list_runs() if r.get("base_model") == loaded.model_id
                         and r["status"] not in ("running", "cancelled")), None)
        newest = finished["id"] if finished is not None else None
        # a new one since the last look: a report the person opened from the history stays until then
        known = panel.last_run_id if self.newest_run is UNSEEN else self.newest_run  # (the card drawn at the load)
        self.newest_run = newest
        if newest not in (known, None, panel.last_run_id):
            panel.show_last_run()
