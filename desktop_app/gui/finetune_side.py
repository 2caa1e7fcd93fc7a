"""The window's fine-tune side: the Fine-tune tab (its count of ratings, bringing it to the
front), the status bar's fine-tune label and verdicts, the compare window, and whether the
answers' Compare buttons are on.

The window makes the FineTuneController and hands it here; ``FineTuneSide`` builds the panel
and wires both to the window, as gui/text_mode.py does for the Text tab, so main_window.py
stays about the window as a whole.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from desktop_app.core.finetune_effect import all_changed_facts
from desktop_app.gui import view_toolbar
from desktop_app.gui.finetune_panel import FineTunePanel
from desktop_app.gui.finetune_words import CANCELLING, status_words, tab_count_words
from desktop_app.gui.transcript import SEPARATOR, ElidedLabel, fitted_meta


def run_forms(text: str) -> list[str]:
    """The status bar's run label from its longest form to its shortest: a counted one
    ("fine-tuning · checking whether it helps 7/12 · 1 min 35 s left") gives up the phase's name
    (the panel has it), then shortens "fine-tuning" to "fine-tune", then drops the time left; the
    shortest still says what is counted ("fine-tune 7/12": at 800 px a bare "4/22" said nothing,
    usertest 9). An uncounted one has only its own text."""
    parts = text.split(SEPARATOR)
    counted = next((i for i, part in enumerate(parts) if re.search(r"\d+/\d+$", part)), None)
    if counted is None:
        return [text]
    count, left = parts[counted].rsplit(" ", 1)[-1], parts[counted + 1:]
    short = f"fine-tune {count}"
    return [text, SEPARATOR.join(["fine-tuning", count, *left]), SEPARATOR.join([short, *left]), short]


def fitted_run(text: str, metrics, width: int) -> str:
    """The longest of ``run_forms`` that fits ``width``; an uncounted label drops whole parts
    from the end (transcript.fitted_meta)."""
    forms = run_forms(text)
    if len(forms) == 1:
        return fitted_meta(text, metrics, width)
    return next((line for line in forms if metrics.horizontalAdvance(line) <= width),
                metrics.elidedText(forms[-1], Qt.TextElideMode.ElideRight, width))


class FineTuneSide:
    """The fine-tune panel, the compare window and their wiring into a MainWindow.

    Attributes:
        window: the MainWindow (its chat, rating writer, side tabs, transcript, status bar).
        controller: the FineTuneController (fine-tunes on the training lane).
        panel: the FineTunePanel in the side tabs.
        label: the status bar's "fine-tuning · step n/N" label, shown while a run goes on.
        compare_dialog: the compare window once opened, else None.
    """

    def __init__(self, window, controller):
        self.window = window
        self.controller = controller
        self.panel = FineTunePanel(controller)
        # a scroll area draws no focus ring: Tab went to it first and seemed lost (usertest 5);
        # focus_order.step scrolls the stop it moves to into view instead
        self.panel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = ElidedLabel("")  # in a narrow bar, the count and time left stay longest (fitted_run)
        self.label.fitted = fitted_run
        self.label.setObjectName("TrainStatus")
        self.least_width = self.label.fontMetrics().horizontalAdvance("fine-tuning\u2026") + 12
        self.label.setMinimumWidth(self.least_width)
        self.label.hide()
        self.compare_dialog = None

    def connect(self) -> None:
        """Rating counts and the controller's run to the tab, the status bar and the panel."""
        w, run = self.window, self.controller
        w.writer.counts_changed.connect(self._counts_changed)
        w.writer.counts_changed.connect(self.panel.set_counts)
        run.finished.connect(lambda _result: w.writer.recount())
        run.error.connect(w.show_error)
        run.progress.connect(self._progress)
        run.finished.connect(self._finished)
        run.rescored.connect(lambda _result: self.adapter_changed())  # a compare view open shows the new scorings
        run.failed.connect(self._failed)
        run.running_changed.connect(self._running)
        run.cancel_asked.connect(self._cancelling)
        self.panel.compare_requested.connect(lambda: self.open_compare(None, learned_only=True))
        self.panel.history.focus_elsewhere = w.focus_typing  # the last adapter deleted: its list hides

    # ------------------------------------------------------------ the Fine-tune tab
    def show(self) -> None:
        """The Fine-tune tab in front (its side panel shown first, if hidden)."""
        view_toolbar.reveal(self.window, "side_tabs")
        self.window.side_tabs.setCurrentWidget(self.panel)

    def _counts_changed(self, counts: dict) -> None:
        self.window.side_tabs.setTabText(self.window.side_tabs.indexOf(self.panel), tab_count_words(counts))

    def model_loaded(self) -> None:
        self.panel.refresh_adapters()
        self.panel.show_last_run()
        self.update_compare_buttons()

    def adapter_changed(self) -> None:
        self.panel.refresh_adapters()
        self.update_compare_buttons()
        if self.compare_dialog is not None and self.compare_dialog.isVisible():
            self.compare_dialog.view.reload_answers()

    # ------------------------------------------------------------ a run in the status bar
    def _running(self, running: bool) -> None:
        self.label.setVisible(running)
        if running:
            self.label.setText("fine-tuning…")

    def _cancelling(self) -> None:
        """Said at once; the steps and phases still reported until the run hears it are not."""
        self.label.setText(f"fine-tuning \u00b7 {CANCELLING.lower()}\u2026")

    def _progress(self, p) -> None:
        if self.controller.cancel_pending:
            return
        words = status_words(p)  # the panel's name for the phase, its count and time left
        self.label.setText(words)
        self._keep_words(words)
        self.label.setToolTip(words)  # all of it, when a narrow bar shows only the count

    def _keep_words(self, words: str) -> None:
        """The label's least width holds its shortest form whole, so a narrow bar that gives its
        room to the token figures or a message still says "fine-tune 4/22"."""
        margins = self.label.contentsMargins()
        padding = max(12, margins.left() + margins.right())  # (the style sheet's 6 px a side)
        least = self.label.fontMetrics().horizontalAdvance(run_forms(words)[-1]) + padding + 2
        self.label.setMinimumWidth(max(self.least_width, least))

    def _finished(self, result) -> None:
        n = len(all_changed_facts(result.metrics))  # as the card and its title count them
        waits = (f"Fine-tune saved adapter {result.adapter_id}, not in use: it changed {n} answer"
                 f"{'s' if n != 1 else ''} to questions you never rated. Its report asks you.")
        words = {"kept": waits if result.needs_consent else
                 f"Fine-tune kept: adapter {result.adapter_id} is switched in.",
                 "discarded": "Fine-tune discarded: the model is unchanged.",
                 "cancelled": "Fine-tune cancelled: the model is unchanged."}.get(result.status, result.reason)
        self.window.statusBar().showMessage(words, 8000)

    def _failed(self, message: str) -> None:
        self.window.show_error(f"The fine-tune did not finish. {message}")

    # ------------------------------------------------------------ comparing
    def update_compare_buttons(self) -> None:
        """An answer's Compare button is on while the model wears an adapter."""
        loaded = self.window.chat.loaded
        on = loaded is not None and loaded.adapter_id is not None
        for card in self.window.transcript.cards:
            rating = getattr(card, "rating", None)
            if rating is not None:
                rating.set_compare_available(on)

    def open_compare(self, message_id: int | None = None, learned_only: bool = False):
        """The compare window over the chat, on ``message_id`` (else the selected answer);
        ``learned_only`` (the run's report): on it only when the active adapter's run learned
        from it, else on an answer that run learned from."""
        from desktop_app.gui.compare_view import CompareDialog

        w = self.window
        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(w.chat.store, w.chat, w)
        if message_id is None and w.selected_card is not None and w.selected_card.role == "assistant":
            message_id = w.selected_card.message_id
        self.compare_dialog.view.reload_answers(select=message_id, learned_only=learned_only)
        self.compare_dialog.fit_over(w.splitter.widget(1))  # over the chat, beside the panels
        self.compare_dialog.show()
        self.compare_dialog.raise_()
        return self.compare_dialog
