"""``--screenshot``: drive the real window (load, ask, wait, rate, inspect) and save a PNG."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

SAMPLE_TEXT = ("The old lighthouse keeper climbed the stairs every evening to light the lamp. Ships passing "
               "in the night relied on its steady beam to guide them safely past the rocks. One stormy night, "
               "the lamp went dark, and the keeper had to find a way to warn the approaching vessel.")
SAMPLE_TOKENS = 24  # each continuation in the Text mode picture
# --view explain needs an answer to explain: without --prompt it asks this (a one-word fact
# whose likeliest other choice, another capital, makes the attribution easy to read)
EXPLAIN_PROMPT = "What is the capital of France? Answer in one sentence."


class ScreenshotRun(QObject):
    """Drives the window for ``--screenshot``: open the model, ask, rate, inspect, save.

    Attributes:
        window, out: the MainWindow and the PNG path.
        prompt, rate, view: what to do (see ``gpt2-desk --help``).
        error: what went wrong (the PNG is still saved); answer_id: the answer asked for."""

    def __init__(self, window, out: Path, *, prompt: str | None = None, rate: str | None = None,
                 view: str | None = None, timeout_ms: int = 15 * 60 * 1000):
        super().__init__(window)
        self.window, self.out, self.prompt, self.rate, self.view = window, out, prompt, rate, view
        self.error: str | None = None
        self.timeout_ms = timeout_ms
        self.answer_id = None

    def start(self) -> None:
        chat = self.window.chat
        chat.model_loaded.connect(self._loaded)
        chat.model_failed.connect(self._failed)
        self.window.load_model(self.window.model_spec)
        QTimer.singleShot(self.timeout_ms, lambda: self._fail("timed out waiting for the model or the answer"))

    def _failed(self, message: str) -> None:
        # the window shows the error; the picture is still taken (a check can read it)
        self.error = message
        QTimer.singleShot(200, self, self._save)

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message
        self._save()

    def _loaded(self, _loaded) -> None:
        chat = self.window.chat
        if self.view == "text":
            self._analyse_sample()
            return
        self.window.set_mode("chat")  # a model without chat template opens in Text mode
        if self.view and self.view != "explain":
            from desktop_app.gui.screenshot_views import ViewScript

            self.script = ViewScript(self, self.view)
            self.script.start()
            return
        if self.view == "explain" and not self.prompt:
            self.prompt = EXPLAIN_PROMPT
        if not self.prompt:
            QTimer.singleShot(200, self, self._save)
            return
        chat.answer_finished.connect(self._answered)
        self.window.new_conversation()
        self.window.prompt.setPlainText(self.prompt)
        self.window.send()

    def _answered(self, result) -> None:
        chat = self.window.chat
        if not result or result.get("message_id") is None:
            self.error = self.error or "no answer was produced"
            QTimer.singleShot(200, self, self._save)
            return
        self.answer_id = result["message_id"]
        if self.rate:
            try:
                chat.store.rate_message(self.answer_id, 1 if self.rate == "up" else -1)
            except Exception as exc:  # noqa: BLE001
                self.error = f"could not rate the answer: {exc}"
            chat.reload()
        QTimer.singleShot(100, self, self._inspect)

    def _inspect(self) -> None:
        """Click the least likely token of the answer so the inspector shows something telling."""
        window = self.window
        cards = [c for c in window.transcript.cards if c.role == "assistant" and c.records]
        if cards:
            card = cards[-1]
            records = card.records
            def interest(i):  # the least likely real word; punctuation and spaces say little
                word = records[i].text.strip()
                return (0 if word.isalpha() and len(word) >= 3 else 1, records[i].prob)

            index = min(range(len(records)), key=interest)
            if self.view == "explain":  # the last real word: the answer before it is part of the picture
                words = [i for i in range(len(records)) if interest(i)[0] == 0]
                index = words[-1] if words else index
            card.view.select_token(index)
            window.show_token(card, index)
            if len(card.records[index].top) > 1:
                window.inspector.pick(1 if card.records[index].top[0].id == card.records[index].id else 0)
            if self.view == "explain":
                self._explain()
                return
        QTimer.singleShot(300, self, self._save_from_inspector_top)

    def _explain(self) -> None:
        """Ask "Why this token?", show its attribution over the conversation, then save."""
        view = self.window.inspector.explain
        view.ask()

        def check():
            if view.result is not None:
                view.toggle.setChecked(True)
                QTimer.singleShot(300, self, self._save)
            elif view.button.isEnabled():  # it failed: the window says why
                self._fail(view.status.text() or "the explanation failed")
            else:
                QTimer.singleShot(200, check)

        QTimer.singleShot(200, check)

    def _analyse_sample(self) -> None:
        """--view text: a sample paragraph analysed in Text mode, continued and regenerated
        (two sibling branches in the tree), the least likely word of the continuation shown
        in the inspector."""
        window = self.window
        window.set_mode("text")
        self.text_steps = ["continue", "regenerate", "inspect"]
        self.sampling = window.chat.settings
        window.chat.settings = replace(self.sampling, max_new_tokens=min(self.sampling.max_new_tokens, SAMPLE_TOKENS))
        window.text.analysed.connect(self._text_step)
        sample = self.prompt or SAMPLE_TEXT
        if window.text.opening:  # the tab opens its newest text first, off the GUI thread
            window.text.opened.connect(lambda _d: window.text_view.new_document(sample),
                                       Qt.ConnectionType.SingleShotConnection)
        else:
            window.text_view.new_document(sample)

    def _text_step(self, *_args) -> None:
        """After each analysis: continue, then regenerate, then inspect (then save)."""
        if not self.text_steps:
            return
        step = self.text_steps.pop(0)
        view = self.window.text_view
        if step == "continue":
            QTimer.singleShot(0, view, view.continue_text)
        elif step == "regenerate":
            QTimer.singleShot(0, view, view.regenerate)
        else:
            self.window.chat.settings = self.sampling  # the person's settings are saved unchanged
            QTimer.singleShot(200, self, self._inspect_text)

    def _inspect_text(self) -> None:
        view = self.window.text_view
        records = view.heatmap.records
        written = [i for i in range(len(records))
                   if self.window.text_mode.rated_token(i) is not None] or list(range(len(records)))
        if written:
            index = min(written, key=lambda i: (not records[i].text.strip().isalpha(), records[i].prob))
            view.heatmap.select_token(index)
            self.window.show_text_token(index, records[index])
            top = records[index].top
            if len(top) > 1:
                self.window.inspector.pick(1 if top[0].id == records[index].id else 0)
        QTimer.singleShot(300, self, self._save_from_inspector_top)

    def _save_from_inspector_top(self) -> None:
        """The inspector from its top: the token and the sentence that says whether the model expected it. The
        picked alternative had scrolled it to its comparison line, and the picture lost its title (session 69);
        the chart's highlighted row still shows the pick."""
        self.window.inspector.scroll.verticalScrollBar().setValue(0)
        self._save()

    def _save(self, widget=None) -> None:
        app = QApplication.instance()
        app.processEvents()
        widget = widget or self.window
        widget.repaint()
        pixmap = widget.grab()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(self.out), "PNG"):
            self.error = self.error or f"could not write {self.out}"
        app.quit()
