"""The Text tab's "Fine-tune's change": the text coloured by how much more (green) or less (purple)
likely the adapter in use makes each token than the base model (the compare view's colours and
words, on any text), with a summary of the whole text's change under the heatmap.

Wired in by ``install(view)``. The passes (``core.adapter_change.score_change``: the base
model's, and the adapter's unless the text's analysis serves as it) run on the model lane as one
Task behind the text's analysis, cancellable (Cancel, an edit, another adapter,
the toggle off), never on the GUI thread. "Compared with" (above the bar, where the model's history
has earlier adapters) reads the second pass under an earlier adapter instead of the base model, as the
compare view's list does (``core.session.earlier_adapters``, ``reading_as``); it goes back to the base
model when another adapter comes into use, and when the one chosen is deleted (said in a notice; the list
follows the adapter history: ``follow_history``). The heatmap paints the change only on the very records
the change scored: an analysis of an edited text shows them plain until the change of the new
text comes (each analysis of the text, with the toggle on, asks for it; a pass's windows before
the edit are reused). Turned on over a text with no whole analysis of it on record (its analysis was
stopped: the summary's Cancel, before or during the reading; tests/test_textsplit49_change_reads_anew.py),
the adapter's pass is read anew: meanwhile a line under the summary's figures says so, and once shown that
pass becomes the text's analysis (``TextController.adopt``), so the summary and the exports say the
heatmap's figures. (An edit while the change was off no longer leads here: every analysis reads its text in
the passes a fresh one reads, so the base pass can read it alike.) Without an adapter the toggle is off and
says why.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.adapter_change import can_compare
from desktop_app.core.errors import UserFacingError
from desktop_app.core.session import earlier_adapters
from desktop_app.core.palette import change_color, change_palette
from desktop_app.core.token_words import token_label
from desktop_app.gui import text_change_words as words
from desktop_app.gui.compare_words import (BASE_CHOICE, BEFORE_AFTER, compared_choice_words, compared_gone_words,
                                           nice_scale, token_change_tip)
from desktop_app.gui.off_words import change_tip
from desktop_app.gui.tasks import Task
from desktop_app.gui.text_analysis import HEATMAP_MAX_TOKENS
from desktop_app.gui.text_summary import fit_toggle
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tips import turn

KIND = "text change"  # the model lane's name for its task


class ChangePanel(QWidget):
    """Above the summary while the change is on: which pass runs (bar, Cancel), then what changed."""

    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TextChange")
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 6, 16, 2)
        column.setSpacing(4)
        column.addWidget(self._build_compared_row())
        self.words = styled_label("", "", wrap=True)
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_row = QWidget()
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setMinimumWidth(60)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop scoring the change: the text's colours go back to the measure's")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        column.addWidget(self.progress_row)
        column.addWidget(self.words)
        self.progress_row.hide()
        self.said: tuple[str, str | None] = ("", None)
        self.short = False
        self.hide()

    def _build_compared_row(self) -> QWidget:
        """"Compared with": the base model or an earlier adapter (shown only where there is one)."""
        self.compared_row = QWidget()
        row = QHBoxLayout(self.compared_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.compared_combo = QComboBox()
        self.compared_combo.setObjectName("ChangeComparedWith")
        self.compared_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compared_combo.setMinimumContentsLength(16)
        self.compared_combo.setToolTip(words.COMPARED_TIP)
        self.compared_combo.setAccessibleName("Compared with")
        caption = QLabel("Compared with")
        caption.setBuddy(self.compared_combo)
        row.addWidget(caption)
        row.addWidget(self.compared_combo)
        row.addStretch(1)
        self.compared_row.hide()
        return self.compared_row

    def fill_compared(self, earlier: list[dict], chosen: int | None) -> None:
        """The list: the base model, then ``earlier`` (adapter rows, named as the history names them);
        ``chosen``: the id shown (None: the base model). Filled without a signal."""
        combo = self.compared_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(BASE_CHOICE, None)
        for row in earlier:
            combo.addItem(compared_choice_words(row), row["id"])
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
        combo.blockSignals(False)
        self.compared_row.setVisible(bool(earlier))

    def show_progress(self, progress) -> None:
        """A core ChangeProgress: which pass runs, and how far the whole is."""
        self.bar.setFormat(f"{words.pass_words(progress)} \u00b7 %p%")
        self.bar.setValue(round(progress.share * 1000))
        self.progress_row.show()

    def waiting(self) -> None:
        self.bar.setFormat("Waiting for the model to finish its other work")
        self.bar.setValue(0)
        self.progress_row.show()
        self.words.setText("")

    def say(self, html: str, short_html: str | None = None) -> None:
        """``html``, or in a short tab ``short_html`` with the whole in its tooltip (``set_short``)."""
        self.progress_row.hide()
        self.said = (html.replace("@muted", colors(is_dark())["muted"]), short_html)
        self._show_words()

    def set_short(self, short: bool) -> None:
        """A short Text tab shows the headline only, the rest a tooltip away: at 800x560 the whole
        summary held the text to three lines."""
        if short != self.short:
            self.short = short
            self._show_words()

    def _show_words(self) -> None:
        whole, short = self.said
        self.words.setText(short if self.short and short else whole)
        self.words.setToolTip(whole if self.short and short else "")


class TextChange(QObject):
    """The toggle, the panel and the change on screen.

    Attributes:
        view: the TextView; heatmap, controller, chat: its parts.
        toggle: the summary's checkable "Fine-tune's change" button.
        panel: the ChangePanel above the summary.
        change: the core TextChange on screen (None: none yet for this text).
        earlier: the earlier adapters "Compared with" offers, by id; against: the one chosen (its row),
            None for the base model.
        previous: the last change made (shown, stale or stopped): each pass reuses its windows.
        generation: a counter: a result whose number is not the newest is stale.
        last_progress: the last pass heard of the task under way (what a stop says)."""

    key_changed = Signal()  # the window's legend shows the change's key, or the measure's again

    def __init__(self, view):
        super().__init__(view)
        self.view, self.heatmap, self.controller = view, view.heatmap, view.controller
        self.chat = self.controller.chat
        self.change = None
        self.previous = None
        self.generation = 0
        self.last_progress = None
        self.scale = 1.0  # the colour scale's end (nats), from the change shown
        # what a token's two figures are read under, named once per change shown: its tooltips are built token by
        # token at each repaint, and the adapter's name is a store read
        self.tip_names = BEFORE_AFTER
        self.earlier: dict[int, dict] = {}
        self.against: dict | None = None
        self.against_for: int | None = None  # the adapter in use the choice was made under
        self.gone: dict | None = None  # the earlier adapter the last notice said is gone
        self.toggle = view.summary_panel.add_toggle(words.TITLE, "ChangeToggle", icon("compare"))
        self.panel = ChangePanel()
        layout = view.layout()
        layout.insertWidget(layout.indexOf(view.summary_scroll), self.panel)
        self.toggle.toggled.connect(self._toggled)
        self.panel.cancel_requested.connect(self.cancel)
        self.panel.compared_combo.currentIndexChanged.connect(lambda _i: self._compared_changed())
        self.controller.analysed.connect(self._analysed)  # after the view's own: it showed the analysis
        self.controller.analysis_stopped.connect(lambda _s, _summary: self.toggle.setChecked(False))
        self.view.editor.textChanged.connect(self._edited)
        self.chat.adapter_changed.connect(lambda _id: self.follow_model())
        self.chat.model_loaded.connect(lambda _loaded: self.follow_model())
        self.follow_model()
        view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        """A narrow tab shows the toggle's icon alone (its name in the tooltip and for screen
        readers), a short one the summary's headline alone."""
        from desktop_app.gui.text_view import SHORT_HEIGHT

        fit_toggle(self.toggle, self.view.width())
        self.panel.set_short(self.view.height() < SHORT_HEIGHT)

    @property
    def on(self) -> bool:
        return self.toggle.isChecked()

    @property
    def lane(self):
        return self.chat.lane

    def follow_model(self) -> None:
        """On only with an adapter on the model, saying why not; off, the change goes."""
        loaded = self.chat.loaded
        possible = can_compare(loaded)
        turn(self.toggle, possible, change_tip(loaded=loaded is not None, adapter=possible))
        self._fill_compared(loaded.adapter_id if possible else None)
        if not possible:
            self.toggle.setChecked(False)

    def _fill_compared(self, adapter_id: int | None) -> None:
        """The "Compared with" list for the adapter in use; the choice kept while that adapter is,
        back to the base model under another (a new run's own change is what is looked for first)."""
        if adapter_id != self.against_for:
            self.against, self.against_for = None, adapter_id
        try:
            active = self.chat.store.get_adapter(adapter_id) if adapter_id is not None else None
        except UserFacingError:  # deleted meanwhile: nothing earlier to offer
            active = None
        self.earlier = {row["id"]: row for row in earlier_adapters(self.chat.store, active)} if active else {}
        if self.gone is not None and self.gone["id"] in self.earlier:  # brought back by Undo: the window's notice
            self.view.notice_withdrawn.emit(compared_gone_words(self.gone, "the Text tab's change"))  # (usertest54)
            self.gone = None
        gone = self.against if self.against is not None and self.against["id"] not in self.earlier else None
        if gone is not None:
            self.against = None
        self.panel.fill_compared(list(self.earlier.values()), self.against["id"] if self.against else None)
        if gone is not None:
            self._chosen_gone(gone)

    def follow_history(self) -> None:
        """The adapter history changed (an adapter deleted, brought back, imported; here or from the terminal):
        the list offers what is there now. The list had kept a deleted adapter, which then failed when chosen."""
        loaded = self.chat.loaded
        self._fill_compared(loaded.adapter_id if can_compare(loaded) else None)

    def _chosen_gone(self, row: dict) -> None:
        """The earlier adapter chosen is gone (deleted, or its files): the change is read against the base model
        again, and the person told why the colours changed."""
        self.gone = row
        self.view.notice.emit(compared_gone_words(row, "the Text tab's change"))
        if self.on:
            self.change = None
            self.heatmap.refresh()  # plain until the change against the base model comes
            self.key_changed.emit()
            self.request()

    def _compared_changed(self) -> None:
        """Another "Compared with": the change on screen goes, and the new one is asked for."""
        chosen = self.panel.compared_combo.currentData()
        self.against = self.earlier.get(chosen) if chosen is not None else None
        if self.on:
            self.change = None
            self.heatmap.refresh()  # plain until the new change comes
            self.key_changed.emit()
            self.request()

    def against_name(self) -> str:
        """What the adapter in use is compared with, in words: "the base model", "adapter 2"."""
        from desktop_app.core.session_compare import compared_name

        return compared_name(self.against)

    # ------------------------------------------------------------ on and off
    def _toggled(self, on: bool) -> None:
        self.heatmap.colorizer = self._colour if on else None  # (set_measure below repaints an off one)
        self.heatmap.tip_for = self._tip if on else None
        if on:
            self.change = None
            self.view.set_editing(False)  # the colours are the point: the heatmap shows, not the editor
            self.heatmap.refresh()  # plain until the change comes: no colour says what it is not
            self.panel.show()
            self.request()
        else:
            self._stop_task()
            self.panel.hide()
            self.heatmap.set_measure(self.heatmap.measure)
        self.key_changed.emit()

    def key(self) -> dict | None:
        """The legend's key while the change colours the text, else None."""
        # the bar runs through the colours the tokens have in this theme (the PNG export keeps the light ones)
        if not self.on:
            return None
        key = words.key(self.change, self.chat.adapter_words(), self.against_name())
        return dict(key, gradient=change_palette(is_dark()))

    def export_colours(self):
        """What an exported heatmap draws while the change is on, as on screen: (the change's own
        ScoredText, the colourer the heatmap uses, a heatmap_legend.Key saying what the colours
        mean); None while it is off (the measure's colours). UserFacingError while it is scored."""
        if not self.on:
            return None
        if self.change is None:
            raise UserFacingError(words.EXPORT_WAITING)
        from desktop_app.gui.text_export import change_drawing

        return change_drawing(self.change, self._adapter_name(), self.chat.adapter_words())

    def measure_chosen(self, measure: str) -> None:
        """The window's measure changed (in the Chat tab, which shares the list): it colours the
        text once the change is turned off."""
        self.heatmap.measure = measure
        if not self.on:
            self.heatmap.set_measure(measure)

    # ------------------------------------------------------------ the task
    def request(self) -> None:
        """Score the change of the text shown, behind the work already asked of the model."""
        text = self.view.editor.toPlainText()
        self._stop_task()
        if not text.strip() or not can_compare(self.chat.loaded):
            self.panel.say("")
            return
        number = self.generation
        previous = self.previous
        analysis = self.controller.scored  # the adapter's pass, when the base pass can read it alike
        spans = self.controller.model_spans(text)
        chat, against = self.chat, self.against

        def work(report, cancel):
            from desktop_app.core.adapter_change import score_change
            from desktop_app.core.session import summarize_scored

            loaded = chat.loaded
            if not can_compare(loaded):
                return None  # the adapter went while this waited: follow_model turned it off
            change = score_change(loaded, text, previous=previous, cancel=cancel, progress=report,
                                  detailed=HEATMAP_MAX_TOKENS, analysis=analysis, against=against)
            # read anew under the adapter: its summary, made here as the analysis makes its own (a long
            # text's would hold the window), becomes the text's with it (_done)
            anew = change.complete and change.adapter is not analysis
            return change, summarize_scored(change.adapter, spans) if anew else None, spans

        self.last_progress = None
        self.panel.waiting()
        self.lane.submit(Task(work, "score the fine-tune's change", KIND,
                              on_progress=lambda p: self._progress(number, p),
                              on_success=lambda result: self._done(number, text, result),
                              on_failure=lambda e: self._failed(number, e),
                              on_cancelled=lambda _t: self._stopped(number), can_wait=True, restartable=True))

    def _stop_task(self) -> None:
        """What runs or waits is no longer wanted: its result, stale, is kept only for reuse."""
        self.generation += 1
        self.lane.cancel_all(KIND)
        self.view.summary_panel.set_note("")

    def cancel(self) -> None:
        """Cancel: the change stops between windows and the toggle goes off, saying where."""
        self.lane.cancel_all(KIND)

    def _edited(self) -> None:
        if self.lane.find(KIND):
            self._stop_task()  # the analysis of the edit asks again, reusing what was scored

    def _progress(self, number: int, progress) -> None:
        if number == self.generation:
            self.last_progress = progress
            if progress.parts == 2 and progress.part == 1:  # the analysis on screen is not the adapter's pass
                self.view.summary_panel.set_note(words.REREAD)
            self.panel.show_progress(progress)  # (last: what its bar's signal does may stop this task)

    def _done(self, number: int, text: str, result) -> None:
        if result is None:
            return
        change, summary, spans = result
        self.previous = change
        if number != self.generation or not self.on:
            return
        self.view.summary_panel.set_note("")
        if not change.complete:
            self._stopped(number)
            return
        if text != self.view.editor.toPlainText() or change.adapter_id != getattr(self.chat.loaded, "adapter_id", None):
            return  # the text's analysis that follows asks again
        self.show(change, summary, spans)

    def _stopped(self, number: int) -> None:
        if number != self.generation:
            return
        said = words.stopped_words(self.last_progress)
        self.toggle.setChecked(False)
        self.view.status.setText(said)

    def _failed(self, number: int, error) -> None:
        if number == self.generation:
            self.toggle.setChecked(False)
            self.controller.error.emit(str(error))

    # ------------------------------------------------------------ on screen
    def show(self, change, summary=None, spans=()) -> None:
        """The heatmap shows the change's own records, coloured by it; the summary says it.
        ``summary``: the adapter's pass read anew (not the analysis on screen), with its TextSummary:
        it becomes the text's analysis, so the summary's figures are the heatmap's records', and the
        next analysis goes on from it (the base pass after it then reads the same passes, and that
        analysis serves as the adapter's pass)."""
        self.change = change
        self.scale = nice_scale(list(change.deltas))
        self.tip_names = words.tip_names(change, self.chat.adapter_words())
        if summary is not None:
            self.controller.adopt(change.adapter, summary, spans)  # the view shows it (_analysed: not again)
        else:
            self.view.show_scored(change.adapter)
        written = self.heatmap.model_written  # (show_scored set them: the change's own records)
        self.panel.say(words.summary_html(change, self._adapter_name(), token_label, written, is_dark()),
                       words.headline_html(change, self._adapter_name(), written))
        self.key_changed.emit()

    def _adapter_name(self) -> str:
        chat = self.chat
        return "your adapter" if chat.adapter_id is None else f"your adapter ({chat.adapter_words()})"

    def _analysed(self, scored, _summary) -> None:
        """The text was analysed again (an edit, another path, another adapter or model): the change
        on screen if it is of this very text and model, else asked for."""
        if not self.on:
            return
        change = self.change
        if change is not None and change.adapter.ids == scored.ids and change.adapter.model_key == scored.model_key:
            if scored is not change.adapter:  # (the change's own, adopted: the view showed it)
                self.view.show_scored(change.adapter)
            return
        self.change = None
        self.key_changed.emit()
        self.request()

    def _colour(self, index: int, record):
        change = self.change
        if change is None or index >= change.tokens or record is not change.adapter.records[index]:
            return None  # not the change's own records: the text shown is not the one it scored
        return change_color(change.deltas[index], self.scale, is_dark())

    def _tip(self, index: int, record) -> str | None:
        change = self.change
        if change is None or index >= change.tokens or record is not change.adapter.records[index]:
            return None
        return token_change_tip(change.base.records[index], record, change.deltas[index], token_label,
                                names=self.tip_names)


def install(view) -> TextChange:
    return TextChange(view)
