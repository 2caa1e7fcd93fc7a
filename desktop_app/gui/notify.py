"""A desktop notification when a fine-tune or an answer finishes while the window is not in
front: a system-tray message where the desktop has a tray, else the taskbar entry asks for
attention (QApplication.alert). Nothing is shown while the person is looking at the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop_app import APP_TITLE
from desktop_app.core.adapters import adapter_name
from desktop_app.gui.theme import icon

log = logging.getLogger(__name__)

# (title, text) per outcome: the title says what happened, the text what it means
RUN_WORDS = {"kept": ("Fine-tune kept", "{adapter} is now in use."),
             "discarded": ("Fine-tune discarded", "It did not help enough; your model is unchanged."),
             "cancelled": ("Fine-tune cancelled", "Your model is unchanged.")}


LONG_ANSWER_S = 10


class Notifier(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self.last: tuple[str, str, str] | None = None  # (how, title, text) of the last notice shown
        window.finetune.finished.connect(self._run_finished)
        window.finetune.failed.connect(lambda message: self.notify("Fine-tune failed", message))
        window.chat.answer_finished.connect(self._answered)

    def _run_finished(self, result) -> None:
        title, text = RUN_WORDS.get(result.status, ("Fine-tune finished", result.reason or result.status))
        self.notify(title, text.format(adapter=adapter_name(result.adapter_id, start=True)))

    def _answered(self, result) -> None:
        """Only a long answer is worth a notice: a quick one is done before the person looked away."""
        if not result or result.get("message_id") is None:
            return
        tokens, speed = result.get("tokens") or 0, result.get("tokens_per_s") or 0
        if speed and tokens / speed >= LONG_ANSWER_S:
            self.notify("Answer ready", f"{tokens} tokens in {tokens / speed:.0f} s")

    def notify(self, title: str, text: str) -> str | None:
        """"tray", "alert", or None when the window is in front (nothing to say)."""
        window = self.window
        if window.isActiveWindow() and not window.isMinimized():
            return None
        how = "alert"
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(icon("app"), self)
                self.tray.setToolTip(APP_TITLE)
                self.tray.messageClicked.connect(self._bring_to_front)
            self.tray.show()
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
            how = "tray"
        QApplication.alert(window)  # the taskbar entry asks for attention too (where there is one)
        self.last = (how, title, text)
        log.info("notified (%s): %s: %s", how, title, text)
        return how

    def _bring_to_front(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
