"""The window's fine-tune side: the Fine-tune tab (its count of ratings, bringing it to the
front), the status bar's fine-tune label and verdicts, the compare window, and whether the
answers' Compare buttons are on.

The window makes the FineTuneController and hands it here; ``FineTuneSide`` builds the panel
and wires both to the window, as gui/text_mode.py does for the Text tab, so main_window.py
stays about the window as a whole.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from desktop_app.core.adapters import adapter_name
from desktop_app.core.fact_changes import all_changed_facts
from desktop_app.core.progress_words import CANCELLING, EXPLAIN_SLOWS_STATUS, SLOW_WINDOW, status_forms
from desktop_app.core.taught_words import changed_unrated_words
from desktop_app.gui import shortcuts, view_toolbar
from desktop_app.gui.adapter_history import LOADING
from desktop_app.gui.adapter_history_words import compare_off_words, now_answering, switch_failed
from desktop_app.gui.answer_reveal import show_rating
from desktop_app.gui.finetune_panel import FineTunePanel
from desktop_app.gui.ready_words import tab_count_words
from desktop_app.gui.elided_labels import ElidedLabel, at_word, fitted_meta

log = logging.getLogger(__name__)

TOKEN_TAB = "Token"  # the inspector's tab
UNSEEN_MARK = " \u2022"  # after its title: it shows a token picked while the Fine-tune tab stayed in front
UNSEEN_TIP = "The token you picked is shown here (the Fine-tune tab stayed in front while its run goes on)"


def fitted_run(forms: list[str], metrics, width: int) -> str:
    """The longest of ``forms`` (progress_words.status_forms) that fits ``width``; a label with one
    form drops whole parts from the end (elided_labels.fitted_meta)."""
    if len(forms) == 1:
        return fitted_meta(forms[0], metrics, width)
    return next((line for line in forms if metrics.horizontalAdvance(line) <= width),
                at_word(forms[-1], metrics, width))


class FineTuneSide:
    """The fine-tune panel, the compare window and their wiring into a MainWindow.

    Attributes:
        window: the MainWindow (its chat, rating writer, side tabs, transcript, status bar).
        controller: the FineTuneController (fine-tunes on the training lane).
        panel: the FineTunePanel in the side tabs.
        label: the status bar's "fine-tuning · step n/N" label, shown while a run goes on.
        forms: the label's forms for the last report, longest first (progress_words.status_forms).
        compare_dialog: the compare window once opened, else None.
        focus_before_compare: the window's widget that had the keyboard when Compare opened (``_focus_back``).
    """

    def __init__(self, window, controller):
        self.window = window
        self.controller = controller
        # made alone and moved into the side tabs: a scroll area made in its place is sized only once shown, and the
        # hidden tab's count tiles fitted their notes to its first 100 px (gui/in_place.py)
        self.panel = FineTunePanel(controller)
        # a scroll area draws no focus ring: Tab went to it first and seemed lost (usertest 5);
        # focus_order.step scrolls the stop it moves to into view instead
        self.panel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = ElidedLabel("")  # in a narrow bar, the count and time left stay longest (fitted_run)
        self.forms: list[str] = []
        self.label.fitted = self._fitted
        self.label.setObjectName("TrainStatus")
        self.least_width = self.label.fontMetrics().horizontalAdvance("fine-tuning\u2026") + 12
        self.label.setMinimumWidth(self.least_width)
        # what it may shrink to where the bar cannot hold its readable width (responsive.MessageRoom.squeeze)
        self.label.floor = self.label.readable = self.least_width
        self.label.hide()
        self.compare_dialog = None
        self.focus_before_compare = None
        self.last_progress = None  # the run's last report: its words again when "Why this token?" starts or ends
        self.switching: list = []  # the store's choice (a row, None: base) a person's switch waits to see put on

    def connect(self) -> None:
        """Rating counts and the controller's run to the tab, the status bar and the panel."""
        w, run = self.window, self.controller
        w.writer.counts_changed.connect(self._counts_changed)
        w.writer.counts_changed.connect(self.panel.set_counts)
        self.panel.writes_pending = lambda: w.writer.pending > 0
        run.finished.connect(lambda _result: w.writer.recount())
        run.error.connect(w.show_error)
        run.progress.connect(self._progress)
        self.panel.time_left_retold.connect(self._progress)  # a step's time left, grown as the step runs long
        run.finished.connect(self._finished)
        # "its report offers to use it anyway" no longer holds once answered: the card says what became of it
        run.consent_settled.connect(lambda _run_id, _choice: w.statusBar().clearMessage())
        run.rescored.connect(lambda _result: self.adapter_changed())  # a compare view open shows the new scorings
        run.adapters_changed.connect(self.follow_history)
        run.failed.connect(self._failed)
        run.running_changed.connect(self._running)
        run.cancel_asked.connect(self._cancelling)
        run.switch_wanted.connect(lambda row: self.switching.append(row))
        run.switch_refused.connect(self._switch_refused)
        self.panel.compare_requested.connect(lambda: self.open_compare(None, learned_only=True))
        self.panel.rating_requested.connect(  # a side of ratings that disagree: where it can be taken away
            lambda answer, token: show_rating(w, answer, None if token < 0 else token))
        self.panel.history.focus_elsewhere = w.focus_typing  # the last adapter deleted: its list hides
        w.inspector.explain.busy_changed.connect(self._explain_busy)
        w.side_tabs.currentChanged.connect(self._tab_shown)

    def _explain_busy(self, busy: bool) -> None:
        """"Why this token?" shares the processor with a run: the panel's progress and the status bar say so."""
        self.panel.set_explain_busy(busy)
        if self.last_progress is not None and self.controller.running and not self.controller.cancel_pending:
            self._progress(self.last_progress)

    # ------------------------------------------------------------ the Fine-tune tab
    def show(self) -> None:
        """The Fine-tune tab in front (its side panel shown first, if hidden)."""
        view_toolbar.reveal(self.window, "side_tabs")
        self.window.side_tabs.setCurrentWidget(self.panel)

    def show_inspector(self, clicked: bool = False) -> None:
        """The inspector in front for a token the person picked (a click, Left/Right, Up/Down into an answer), its side
        panel shown first. While a run goes on in the Fine-tune tab in front, a token walked to with the keys fills the
        inspector behind it and its tab's title bears a dot: walking took the run's progress away at every step
        (window74). A click still brings the inspector: the person pointed at that token to see it."""
        tabs, inspector = self.window.side_tabs, self.window.inspector
        if not clicked and self.controller.running and tabs.isVisible() and tabs.currentWidget() is self.panel:
            tabs.setTabText(tabs.indexOf(inspector), TOKEN_TAB + UNSEEN_MARK)
            tabs.setTabToolTip(tabs.indexOf(inspector), UNSEEN_TIP)
            return
        view_toolbar.reveal(self.window, "side_tabs")
        tabs.setCurrentWidget(inspector)

    def _tab_shown(self, _index: int) -> None:
        """The Token tab in front: its dot goes, the token it shows now seen."""
        tabs, inspector = self.window.side_tabs, self.window.inspector
        if tabs.currentWidget() is inspector:
            tabs.setTabText(tabs.indexOf(inspector), TOKEN_TAB)
            tabs.setTabToolTip(tabs.indexOf(inspector), "")

    def _counts_changed(self, counts: dict) -> None:
        self.window.side_tabs.setTabText(self.window.side_tabs.indexOf(self.panel), tab_count_words(counts))

    def model_loaded(self) -> None:
        self.panel.refresh_adapters()
        self.panel.show_last_run()
        self.update_compare_buttons()
        self._history_asked_before_load()

    def _history_asked_before_load(self) -> None:
        """Ctrl+H before the load said the history "appears once the model has loaded": that note goes now
        (it stayed its 8 s with the history there), and where the keyboard is still where Ctrl+H left it
        the history comes as Ctrl+H brings it (its list, or the words that there is no adapter yet). A list Ctrl+H
        already gave the keyboard to stays in view under the run's card the load showed."""
        window = self.window
        if self.panel.history.list.hasFocus():
            # Ctrl+H during the load put the keyboard on the list the last session's adapters filled; the run's card
            # the load showed above it pushed the list below the panel's foot
            shortcuts.history_in_view(self.panel)
        if window.statusBar().currentMessage() != LOADING:
            return
        window.statusBar().clearMessage()
        left_at = (self.panel.train_button, window.side_tabs.tabBar())
        if window.side_tabs.currentWidget() is self.panel and any(w.hasFocus() for w in left_at):
            shortcuts.open_adapter_history(window)

    def adapter_changed(self) -> None:
        self.panel.refresh_adapters()
        # what a new run starts from and what is new since its last run follow the adapter in use
        # (usertest 17: after "Use base model" the tab still said adapter 1 was in use)
        self.window.writer.recount()
        self.update_compare_buttons()
        if self.compare_dialog is not None and self.compare_dialog.isVisible():
            self.compare_dialog.view.reload_answers()

    def follow_history(self) -> None:
        """An adapter deleted, brought back or imported: the "Compared with" lists offer what is there now."""
        self.window.text_view.change_mode.follow_history()
        if self.compare_dialog is not None:
            self.compare_dialog.view.follow_history()

    # ------------------------------------------------------------ a person's switch, confirmed
    SWITCH_MESSAGE_MS = 6000

    def confirm_switch(self, adapter_id) -> None:
        """The model wears ``adapter_id`` now: where a person's switch waited for it, the status bar says
        what answers now, or that the switch failed and why (the corner label alone went unseen)."""
        wanted = [row["id"] if row is not None else None for row in self.switching]
        failed = self.window.chat.switch_error  # the switch of the store's latest choice failed
        if failed and wanted:
            self._say_switch(self._failed_words(adapter_name(wanted[-1]), failed))
            self.switching.clear()
        elif adapter_id in wanted:  # two quick switches: one put-on may serve both (chat.sync_adapter)
            last = len(wanted) - 1 - wanted[::-1].index(adapter_id)
            self._say_switch(now_answering(self.switching[last]))
            del self.switching[:last + 1]

    def _switch_refused(self, why: str) -> None:
        self._say_switch(self._failed_words(None, why))

    def _failed_words(self, wanted: str | None, why: str) -> str:
        """The status bar's words for a failed switch, without the database file's path; the log keeps it."""
        log.warning("Could not switch the adapter: %s", why)
        return switch_failed(wanted, self.window.chat.adapter_words(), why, self.window.chat.store.path)

    def _say_switch(self, words: str) -> None:
        self.window.statusBar().showMessage(words, self.SWITCH_MESSAGE_MS)
        self.window.status.flash_adapter()

    # ------------------------------------------------------------ a run in the status bar
    def _running(self, running: bool) -> None:
        self.label.setVisible(running)
        self.last_progress = None
        if running:
            self.label.setText("fine-tuning…")

    def _cancelling(self) -> None:
        """Said at once; the steps and phases still reported until the run hears it are not."""
        self.label.setText(f"fine-tuning \u00b7 {CANCELLING.lower()}\u2026")

    def _progress(self, p) -> None:
        if self.controller.cancel_pending:
            return
        self.last_progress = p
        self.forms = status_forms(p)  # the panel's name for the phase, what it counts and the time left
        if self.panel.explain_busy:  # the longest form only: a narrow bar keeps what the run does
            self.forms.insert(0, f"{self.forms[0]} \u00b7 {EXPLAIN_SLOWS_STATUS}")
        self.label.setText(self.forms[0])
        self._keep_words(self.forms[-1])
        # all of it, when a narrow bar shows a short form; and why the window may be slow meanwhile
        self.label.setToolTip(f"{self.forms[0]}\n{SLOW_WINDOW}" if self.controller.on_processor else self.forms[0])

    def _fitted(self, text: str, metrics, width: int) -> str:
        """What the label paints: the longest of the last report's forms that fits (another text,
        such as "fine-tuning · cancelling…", as elided_labels.fitted_meta fits it)."""
        return fitted_run(self.forms if self.forms[:1] == [text] else [text], metrics, width)

    def _keep_words(self, shortest: str) -> None:
        """The label's least width holds its shortest form whole, so a narrow bar that gives its
        room to the token figures or a message still says "checking 7/12 answers"."""
        margins = self.label.contentsMargins()
        padding = max(12, margins.left() + margins.right())  # (the style sheet's 6 px a side)
        least = self.label.fontMetrics().horizontalAdvance(shortest) + padding + 2
        self.label.readable = max(self.least_width, least)
        self.label.setMinimumWidth(self.label.readable)
        status = getattr(self.window, "status", None)
        if status is not None:  # squeezed now, before a layout pass can widen the window to the whole form (CI saw
            status.message_room.fit()  # the label run under the model's name at 480 px once)

    def _finished(self, result) -> None:
        n = len(all_changed_facts(result.metrics))  # as the card and its title count them
        waits = (f"Fine-tune saved {adapter_name(result.adapter_id)}, not in use: {changed_unrated_words(n)}. "
                 "Its report asks you.")
        words = {"kept": waits if result.needs_consent else
                 f"Fine-tune kept: {adapter_name(result.adapter_id)} is switched in.",
                 "discarded": "Fine-tune discarded: the model is unchanged." + (
                     " Only re-asked answers failed: its report offers to use it anyway."
                     if result.usable_anyway else ""),
                 "cancelled": "Fine-tune cancelled: the model is unchanged."}.get(result.status, result.reason)
        self.window.statusBar().showMessage(words, 8000)
        self.update_compare_buttons()  # a saved adapter not in use: the cards say why they do not compare yet

    def _failed(self, message: str) -> None:
        self.window.show_error(f"The fine-tune did not finish. {message}")

    # ------------------------------------------------------------ comparing
    def update_compare_buttons(self) -> None:
        """An answer's Compare button is on while the model wears an adapter. With the base model in use and an
        adapter in the history, it stays in view, off, and says why and how to compare (verdict75: the icon went
        and nothing said why; the compare window reads the adapter in use, so it cannot compare another)."""
        loaded = self.window.chat.loaded
        on = loaded is not None and loaded.adapter_id is not None
        newest = max((row["id"] for row in self.panel.history.rows), default=None)
        why_off = compare_off_words(newest) if loaded is not None and not on and newest is not None else None
        for card in self.window.transcript.cards:
            rating = getattr(card, "rating", None)
            if rating is not None:
                rating.set_compare_available(on, why_off)

    def open_compare(self, message_id: int | None = None, learned_only: bool = False):
        """The compare window over the chat, on ``message_id`` (else the selected answer);
        ``learned_only`` (the run's report): on it only when the active adapter's run learned
        from it, else on an answer that run learned from."""
        from desktop_app.gui.compare_dialog import CompareDialog

        w = self.window
        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(w.chat.store, w.chat, w)
            self.compare_dialog.finished.connect(self._focus_back)
        focused = QApplication.focusWidget()
        if focused is not None and w.isAncestorOf(focused):  # not the compare window's own (opened again)
            self.focus_before_compare = focused
        if message_id is None:
            message_id = self._current_answer()
        self.compare_dialog.view.reload_answers(select=message_id, learned_only=learned_only)
        self.compare_dialog.fit_over(w.splitter.widget(1))  # over the chat, beside the panels
        self.compare_dialog.show()
        self.compare_dialog.raise_()
        return self.compare_dialog

    def _current_answer(self) -> int | None:
        """The answer Compare opens on when none is asked for: the selected one, else in Chat the newest answer of
        the conversation shown, the one just written (Ctrl+Shift+C after a new answer had opened on the item
        Compare showed last, an older one: loop108); None without either (Compare keeps its own)."""
        w = self.window
        card = w.selected_card
        if card is not None and card.role == "assistant" and card.message_id is not None:
            return card.message_id
        if w.mode != "chat":
            return None
        answers = [c for c in w.transcript.cards if c.role == "assistant" and c.message_id is not None]
        return answers[-1].message_id if answers else None

    def _focus_back(self) -> None:
        """Closing Compare gives the keyboard back: to the button that opened it from the keyboard,
        else to where the person types. A click on an answer's ↗ left it on the transcript, where
        the next question's letters went nowhere (usertest21)."""
        w, back = self.window, self.focus_before_compare
        self.focus_before_compare = None
        w.activateWindow()
        if back is None or not isValid(back) or back is w.transcript or not (back.isVisible() and back.isEnabled()):
            w.focus_typing()
        else:
            back.setFocus(Qt.FocusReason.OtherFocusReason)
