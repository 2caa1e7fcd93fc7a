"""The main window's native window destroyed without a close event: the app quits as Quit does.

``xdotool windowclose``, a window manager's "destroy" or a crashed compositor take the X window
away and Qt sends no close event (only an unexposed window and a lost focus): the app went on
fine-tuning with no window, for as long as the run took, and no one could stop it but ``kill``.
Now the window's own quit path runs, without its question (no one can answer it): the run is
stopped and recorded so, the ratings and the window's state are kept, the lanes end, the loop ends.

Two signs, either one: the X server's DestroyNotify for the window (a native event filter, on
X11 only: Qt itself ignores it), and the window's native surface going away while it was not
closed (``QWidget.destroy()``; this app never re-creates its window's surface, which would look
alike for an instant, so the check waits for the event loop and asks whether one exists again).
Losing the X connection ends Qt's event loop with the window still open (Qt 6.11: "The X11
connection broke", exec returns 1): ``close_if_still_open`` then runs the same quit path, before the
interpreter ends (with the training thread still running it aborted: "terminate called", the run
left "running").
"""

from __future__ import annotations

import ctypes
import logging
from typing import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPlatformSurfaceEvent
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

XCB_DESTROY_NOTIFY = 17
XCB_SENT_EVENT = 0x80  # set on an event another client sent; its code is the rest


class WindowGoneWatch(QObject):
    """Calls ``gone`` once when ``window``'s native window is destroyed while the window is open
    (``closed()`` False). It lives as long as the window (its child)."""

    def __init__(self, window, gone: Callable[[], None], closed: Callable[[], bool]):
        super().__init__(window)
        self.window, self.gone, self.closed = window, gone, closed
        self.said = False
        window.installEventFilter(self)
        self.x11_filter = _DestroyNotifyFilter(self) if QGuiApplication.platformName() == "xcb" else None
        if self.x11_filter is not None:
            app, x11_filter = QApplication.instance(), self.x11_filter
            app.installNativeEventFilter(x11_filter)
            self.destroyed.connect(lambda: app.removeNativeEventFilter(x11_filter))  # not a method: it is gone

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.window and event.type() == QEvent.Type.PlatformSurface
                and event.surfaceEventType() == QPlatformSurfaceEvent.SurfaceEventType.SurfaceAboutToBeDestroyed):
            QTimer.singleShot(0, self, self._surface_check)  # a re-created surface would exist again by then
        return False

    def _surface_check(self) -> None:
        if not self.window.testAttribute(Qt.WidgetAttribute.WA_WState_Created):
            self.say_gone("its native window was destroyed")

    def say_gone(self, how: str) -> None:
        """``gone()``, once, where the window had not been closed already (closing destroys it too)."""
        if self.said or self.closed():
            return
        self.said = True
        log.warning("the main window went away without closing (%s): quitting as Quit does", how)
        self.gone()


class _DestroyNotifyFilter(QAbstractNativeEventFilter):
    """The X server's word that the watched window is gone; every X event passes through, untouched."""

    def __init__(self, watch: WindowGoneWatch):
        super().__init__()
        self.watch = watch

    def nativeEventFilter(self, event_type, message):
        address = int(message)  # a shiboken VoidPtr, False as a bool whatever it points at
        if bytes(event_type) == b"xcb_generic_event_t" and address:
            destroyed = destroyed_window(address)
            if destroyed and destroyed == self._watched_id():
                # after the filter returns: what it does must not run inside Qt's event dispatch
                QTimer.singleShot(0, self.watch, lambda: self.watch.say_gone("the X server destroyed it"))
        return False, 0

    def _watched_id(self) -> int:
        try:
            return int(self.watch.window.internalWinId())
        except RuntimeError:  # the window is being deleted: nothing to watch
            return 0


def destroyed_window(address: int) -> int:
    """The window an xcb DestroyNotify event at ``address`` names, else 0: its code is byte 0; the
    window, a 32-bit id, is at byte 8 (after the code, a pad byte, the sequence and the event window)."""
    if ctypes.c_uint8.from_address(address).value & ~XCB_SENT_EVENT != XCB_DESTROY_NOTIFY:
        return 0
    return ctypes.c_uint32.from_address(address + 8).value


def quit_without_window(window) -> None:
    """The window's quit path (closeEvent: state saved, a fine-tune stopped and recorded as stopped
    by quitting, the lanes ended) without its question, then the event loop ended: a window hidden
    by the loss of its native window never counts as the last window closed."""
    window.ask_before_quit = False
    window.close()
    QApplication.quit()  # nothing where no loop runs (Qt 6): pytest-qt's waits are left alone


def close_if_still_open(window) -> None:
    """After the event loop: the window's quit path where nothing closed it (the loop ended for another
    reason, e.g. a broken X connection); nothing where it was closed."""
    if not window.quitting:
        log.warning("the event loop ended with the window open: quitting as Quit does")
        window.ask_before_quit = False
        window.close()
