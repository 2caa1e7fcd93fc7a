"""SIGTERM (``kill``, a logout, a service manager) and Ctrl+C in the terminal that started the app end it as
Quit does: the window's state saved, a fine-tune stopped and recorded so, the ratings written, the lanes ended.
Before, SIGTERM ended the process on the spot and the window came back at its old size (leftovers61).

Python runs a signal's handler only between two of its own bytecodes, and Qt's event loop runs none while it
waits: the signal's byte goes down a socket (``signal.set_wakeup_fd``) that a ``QSocketNotifier`` watches, which
wakes the loop into Python. The handler then posts the close to the event loop rather than closing inside
whatever slot it interrupted. kill -9 cannot be caught: for it the window writes its state as it changes
(``window_state``)."""

from __future__ import annotations

import logging
import signal
import socket
from typing import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)

QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitOnSignal(QObject):
    """While it lives (``uninstall`` ends it), SIGTERM and SIGINT call ``quit`` from the event loop, once.
    Made on the main thread (``signal`` allows handlers nowhere else)."""

    def __init__(self, parent: QObject, quit: Callable[[], None]):
        super().__init__(parent)
        self.quit, self.asked = quit, False
        self.reader, self.writer = socket.socketpair()
        for end in (self.reader, self.writer):
            end.setblocking(False)  # set_wakeup_fd's end must not block a signal; the reader is drained
        self.previous_fd = signal.set_wakeup_fd(self.writer.fileno())
        self.previous = {number: signal.signal(number, self._received) for number in QUIT_SIGNALS}
        self.notifier = QSocketNotifier(self.reader.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._drain)

    def _received(self, number, _frame) -> None:
        if self.asked:  # a second signal while the first closes: the close already runs
            return
        self.asked = True
        log.info("%s received: quitting as Quit does", signal.Signals(number).name)
        QTimer.singleShot(0, self, self.quit)

    def _drain(self) -> None:
        """The wakeup's bytes read (the handler itself runs as Python resumes, here)."""
        try:
            while self.reader.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def uninstall(self) -> None:
        """The handlers and wakeup socket there were before."""
        self.notifier.setEnabled(False)
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self.previous_fd)
        self.reader.close()
        self.writer.close()
