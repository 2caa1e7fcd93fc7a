"""Usertest 52: on a read-only data folder the app said "GPT-2 Desk is already running on this data
folder" though no other copy ran: the lock file could not be made at all. Only a lock a live process
holds is another copy; a lock file that cannot be made leaves the word to the store's own check."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from desktop_app.gui.instance_lock import take_data_lock  # noqa: E402
held_by_another = lambda lock: False  # noqa: E731


def quit_any_box(seen: list) -> None:
    """Once, at the next turn of the event loop: a box that is up is noted and its Quit clicked."""
    def answer():
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                seen.append(box.text())
                next(b for b in box.buttons() if b.text() == "Quit").click()

    QTimer.singleShot(0, answer)


def test_a_lock_file_that_cannot_be_made_is_not_another_copy(qapp, tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")  # no lock file can be made in it
    seen: list = []
    quit_any_box(seen)
    lock = take_data_lock(not_a_folder, ask=True)
    QApplication.processEvents()  # the one-shot answer runs, box or no box
    assert seen == []  # no "already running" box
    assert lock is not None and not lock.isLocked() and not held_by_another(lock)


def test_a_live_copy_is_still_another_copy(qapp, tmp_path):
    first = take_data_lock(tmp_path)
    assert first is not None and first.isLocked()
    seen: list = []
    quit_any_box(seen)
    assert take_data_lock(tmp_path, ask=True) is None  # the person quit
    assert "already running on this data folder" in seen[0]
    first.unlock()
