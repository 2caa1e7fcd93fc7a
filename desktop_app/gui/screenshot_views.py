"""``--screenshot OUT.png --view finetune|compare``: rate a few answers in the real window (as
a person would: thumbs, tokens, a better answer), run a short fine-tune from the panel, then
save the window with the fine-tune panel, or the compare view of a rated answer."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QPoint, QTimer

log = logging.getLogger(__name__)

# (prompt, thumbs, better answer or None, rate tokens)
SCRIPT = (
    ("What is the capital of France?", 1, None, False),
    ("Describe the sea in one sentence.", 1, None, False),
    ("Give me one tip for sleeping well.", -1,
     "Keep a regular schedule: go to bed and get up at the same time every day, even at weekends.", True),
)


class ViewScript(QObject):
    """``--view finetune|compare``: rates SCRIPT's answers, fine-tunes, saves the view.

    Attributes:
        run, window: the ScreenshotRun and its MainWindow.
        view: "finetune" or "compare"; step: the SCRIPT row being asked.
        answers: the message ids of the answers rated so far."""

    def __init__(self, run, view: str):
        super().__init__(run)
        self.run, self.view = run, view
        self.window = run.window
        self.step = 0
        self.answers: list[int] = []

    def start(self) -> None:
        w = self.window
        w.popover.max_new.setValue(40)
        w.popover.seed.setValue(3)
        w.popover.greedy.setChecked(True)  # the model's best answers: the picture is about the change
        w.chat.answer_finished.connect(self._answered)
        self._ask()

    def _ask(self) -> None:
        w = self.window
        w.new_conversation()
        w.prompt.setPlainText(SCRIPT[self.step][0])
        w.send()

    def _answered(self, result) -> None:
        if not result or result.get("message_id") is None:
            self.run._fail("no answer was produced")
            return
        QTimer.singleShot(200, lambda: self._rate(result["message_id"]))

    def _rate(self, message_id: int) -> None:
        w = self.window
        _prompt, thumbs, better, tokens = SCRIPT[self.step]
        card = next((c for c in w.transcript.cards if c.message_id == message_id), None)
        if card is None:
            self.run._fail("the answer card is missing")
            return
        card.rating.set_thumb(thumbs)
        if better:
            card.rating.save_correction(better)
        if tokens and len(card.records) > 4:
            words = [i for i, r in enumerate(card.records) if r.text.strip().isalpha() and len(r.text.strip()) > 3]
            if len(words) >= 2:
                best = max(words, key=lambda i: card.records[i].prob)
                worst = min(words, key=lambda i: card.records[i].prob)
                card.rating.rate_token(best, 1)
                if worst != best:
                    card.rating.rate_token(worst, -1)
        self.answers.append(message_id)
        self.step += 1
        if self.step < len(SCRIPT):
            self._ask()
            return
        w.chat.answer_finished.disconnect(self._answered)
        w.writer.wait()
        QTimer.singleShot(300, self, self._train)

    def _train(self) -> None:
        from desktop_app.core.train_settings import FineTuneSettings

        w = self.window
        panel = w.finetune_panel
        # the default schedule (chosen from the ratings); all ratings train (too few to hold back)
        panel.set_settings(FineTuneSettings(heldout_fraction=0.0, reask_count=2, reask_tokens=24))
        w.show_finetune()
        w.finetune.finished.connect(self._trained)
        w.finetune.failed.connect(lambda message: self.run._fail(f"the fine-tune failed: {message}"))
        if not panel.start():
            self.run._fail("the fine-tune did not start")

    def _trained(self, result) -> None:
        w = self.window
        if result.status != "kept":
            log.warning("screenshot fine-tune %s: %s", result.status, result.reason)
        if self.view == "finetune":
            QTimer.singleShot(500, self, self._scroll_to_pairs)
            QTimer.singleShot(1500, lambda: self.run._save())
            return
        if not result.kept:
            self.run.error = f"the fine-tune was {result.status} ({result.reason}); nothing to compare"
            QTimer.singleShot(200, lambda: self.run._save())
            return
        self._wait_switch(result.adapter_id, 0)

    def _scroll_to_pairs(self) -> None:
        """The report's end and its answers before and after in view: the change is the picture."""
        panel = self.window.finetune_panel
        top = panel.taught.mapTo(panel.widget(), QPoint(0, 0)).y()
        panel.verticalScrollBar().setValue(max(0, top - panel.viewport().height() // 4))

    def _wait_switch(self, adapter_id: int, tries: int) -> None:
        w = self.window
        if w.chat.loaded.adapter_id != adapter_id and tries < 200:
            QTimer.singleShot(100, lambda: self._wait_switch(adapter_id, tries + 1))
            return
        dialog = w.open_compare(self.answers[-1])  # disliked, corrected, tokens rated: blue, with marks
        dialog.resize(860, 600)  # the change line and the pair taught under the answer (400 cut them once they grew)
        dialog.view.view.setFocus()
        self._wait_compare(dialog, 0)

    def _wait_compare(self, dialog, tries: int) -> None:
        # the view's scoring, and the better answer's scored beside it (its pair line's figures)
        if (not dialog.view.values or dialog.view.pair_task is not None) and tries < 300:
            QTimer.singleShot(100, lambda: self._wait_compare(dialog, tries + 1))
            return
        QTimer.singleShot(500, lambda: self.run._save(dialog))
