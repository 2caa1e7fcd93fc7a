"""The one-click fine-tune panel: what is ready, one button, progress with ETA, a live loss
curve, Cancel, the result in words, and the adapter history. What it drives, the fine-tune on
the training lane and the adapter history's changes, is gui/finetune_controller.py's
``FineTuneController`` (no widgets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QDoubleSpinBox, QFormLayout, QFrame, QGridLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from desktop_app.core.progress_words import PHASE_WORDS
from desktop_app.core.run_estimate import estimate_words, processor_busy
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.gui import adapter_export
from desktop_app.gui.adapter_history import AdapterHistory
from desktop_app.gui.finetune_card import COMPARE_SHORT_WORDS, COMPARE_WORDS, RunReport
from desktop_app.gui.finetune_consent import RunConsent
from desktop_app.gui.finetune_controller import FineTuneController
from desktop_app.gui.finetune_progress import RunProgress
from desktop_app.gui.finetune_widgets import CountTile, LossCurve
from desktop_app.gui.off_words import TRAINING_SETTING_TIP
from desktop_app.gui.ready_words import (SETTING_TIPS, conflict_words, disagree_words, during_run_words, news_words,
                                         rating_count, rating_href, ready_details, ready_words, repeated_run,
                                         same_examples_run, same_examples_words, same_ratings_words, tile_short_notes,
                                         tile_words, train_again_tip)
from desktop_app.gui.question_box import ask
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.wheel_guard import wheel_after_click

PANEL_MARGIN = 14
# a view narrower than this (the panel beside the chat on a 480 px screen) gives its words the side margins' room
NARROW_PANEL, NARROW_MARGIN = 240, 6
# the train button's words, and their short form where they do not fit the panel: on a 480 px screen the whole
# words (209 px) asked a horizontal scroll of the panel's 190 px to be read or clicked
TRAIN_WORDS, TRAIN_SHORT_WORDS, TRAINING_WORDS = "Fine-tune on my ratings", "Fine-tune", "Fine-tuning\u2026"


def fit_words(button, whole: str, short: str, room: int) -> None:
    """``button`` says ``whole`` where it fits ``room`` px, else ``short``; ``whole`` stays its accessible name."""
    button.setAccessibleName(whole)
    button.setText(whole)
    if button.sizeHint().width() > room:
        button.setText(short)


class FineTunePanel(RunProgress, RunReport, RunConsent, QScrollArea):
    """The side panel (a tab beside the token inspector). The window hands it the rating
    counts (``set_counts``); the controller's signals drive the rest. Its progress, report card
    and consent question are its parts' (gui/finetune_progress.py, finetune_card.py, finetune_consent.py).

    Attributes:
        controller: the FineTuneController it shows and drives.
        counts: the newest training_readiness counts.
        tiles, curve, history: the count tiles, the live loss curve, the adapter history.
    """

    compare_requested = Signal()
    # a side of ratings that disagree clicked (disagree_words): the answer's id, the token's index or -1
    rating_requested = Signal(int, int)
    # a training step's report with its time left told again between two reports (RunProgress._show_steps_left)
    time_left_retold = Signal(object)

    def __init__(self, controller: FineTuneController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.parked_on = None  # where a run started from the keyboard left the focus (_park_focus)
        self.ask_before_cancel = True  # Cancel asks once steps are trained (tests about other things turn it off)
        self.setObjectName("FineTuneScroll")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # as needed in a narrow one: resizeEvent
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(self.viewport())  # made where setWidget puts it (gui/in_place.py)
        inner.setObjectName("FineTunePanel")
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(PANEL_MARGIN, 12, PANEL_MARGIN, 12)
        layout.setSpacing(10)
        self._build_header(layout)
        self._build_progress(layout)
        self.curve = LossCurve(inner)
        self._build_result(layout)
        layout.addWidget(self.curve)
        self._build_advanced(layout)
        self.history = AdapterHistory(inner)
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.setWidget(inner)
        wheel_after_click(inner)  # scrolling the panel past Advanced changed its settings (usertest 12)
        self.progress_box.hide()
        self.curve.hide()
        self.counts: dict = {}
        self.total_at_run_start: int | None = None  # the ratings counted when the running fine-tune started
        # whether ratings are still being written (the window's RatingWriter.pending): those written before a run
        # started are counted at its start once their counts come, not as new since it started (words84)
        self.writes_pending: Callable[[], bool] = lambda: False
        self.start_count_awaited = False  # a run started while writes were pending: its count comes with theirs
        self.last_run_id: int | None = None  # the run whose card shows: what Use it anyway / Keep answer
        self._connect_controller(controller)
        self.set_counts({})
        self.ready_label.setText("Counting your ratings\u2026")  # the window asks at once (no model needed)
        for box in (self.epochs, self.max_steps, self.lr, self.heldout):  # the train button's tooltip compares them
            box.valueChanged.connect(lambda _value: self._settings_changed())

    def _build_header(self, layout) -> None:
        """Title, intro, the four count tiles, the readiness line and the train button."""
        title = styled_label("FINE-TUNE ON YOUR RATINGS", "PanelTitle", wrap=True)  # wraps on a narrow screen
        layout.addWidget(title)
        self.intro = styled_label("Teaches the model a small adapter from your ratings. It is kept only if it "
                                  "helps on your ratings and general text reads as fluently as before.", "Muted",
                                  wrap=True)
        layout.addWidget(self.intro)
        self.tile_grid = grid = QGridLayout()
        grid.setSpacing(6)
        self.tiles = {"thumbs_up": CountTile("good answers", "thumb-up"),
                      "thumbs_down": CountTile("bad answers", "thumb-down"),
                      "token_ratings": CountTile("rated tokens"),
                      "corrections": CountTile("better answers", "edit")}
        self.tile_columns = 0
        self._lay_tiles(2)
        layout.addLayout(grid)
        self.ready_label = QLabel()
        self.ready_label.setWordWrap(True)
        layout.addWidget(self.ready_label)
        # its links reachable by Tab too: the person acts on what it says before the run
        self.disagree_label = styled_label("", "DisagreeNote", wrap=True)
        self.disagree_label.setTextFormat(Qt.TextFormat.RichText)
        self.disagree_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                    | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.disagree_label.linkActivated.connect(self._rating_clicked)
        self.disagree_label.hide()
        layout.addWidget(self.disagree_label)
        self.train_button = QPushButton(icon("train", "#ffffff"), "Fine-tune on my ratings")
        self.train_button.setObjectName("PrimaryButton")
        self.train_button.setMinimumHeight(34)
        self.train_button.clicked.connect(self.start)
        layout.addWidget(self.train_button)

    def _connect_controller(self, c: FineTuneController) -> None:
        """The controller's signals drive the panel; the history's buttons drive the controller."""
        c.progress.connect(self.on_progress)
        c.finished.connect(self.on_finished)
        c.failed.connect(self.on_failed)
        c.running_changed.connect(self._run_started_or_ended)
        c.chat.model_loaded.connect(lambda _loaded: self._update())
        c.adapters_changed.connect(self.refresh_adapters)
        c.consent_settled.connect(self._consent_settled)
        h = self.history
        h.activate_requested.connect(lambda aid: c.adapter_action("activate", aid))
        h.deactivate_requested.connect(lambda: c.adapter_action("deactivate"))
        h.rollback_requested.connect(lambda: c.adapter_action("rollback"))
        h.delete_requested.connect(lambda aid: c.adapter_action("delete", aid))
        h.rename_requested.connect(c.rename_adapter)
        h.report_requested.connect(self.show_adapter_report)
        adapter_export.attach(h, c)  # Export... and Import... (issue 14)

    def _build_advanced(self, layout) -> None:
        self.advanced_button = QToolButton()
        self.advanced_button.setObjectName("FlatTool")
        self.advanced_button.setText("\u25b8 Advanced")
        self.advanced_button.setCheckable(True)
        self.advanced_button.toggled.connect(self._toggle_advanced)
        layout.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.advanced = QFrame(layout.parentWidget())
        form = QFormLayout(self.advanced)
        form.setContentsMargins(4, 0, 0, 0)
        # 0 shows "auto": the schedule rule chooses from the ratings there are (core/train_schedule.py)
        self.epochs = QSpinBox(minimum=0, maximum=50)
        self.epochs.setSpecialValueText("auto")
        self.max_steps = QSpinBox(minimum=1, maximum=5000)
        self.lr = QDoubleSpinBox(minimum=0.0, maximum=0.1, decimals=5, singleStep=0.0001)
        self.lr.setSpecialValueText("auto")
        self.heldout = QSpinBox(minimum=0, maximum=50, suffix=" %")
        form.addRow("Epochs", self.epochs)
        form.addRow("At most steps", self.max_steps)
        form.addRow("Learning rate", self.lr)
        form.addRow("Held out", self.heldout)
        self.advanced.hide()
        layout.addWidget(self.advanced)
        self.set_settings(self.controller.settings)

    def _rating_clicked(self, href: str) -> None:
        answer, token = rating_href(href)
        self.rating_requested.emit(answer, -1 if token is None else token)

    def _toggle_advanced(self, on: bool) -> None:
        self.advanced.setVisible(on)
        self.advanced_button.setText(("\u25be" if on else "\u25b8") + " Advanced")
        if on:  # at the panel's bottom it opened below the fold, two of its fields showing (usertest40)
            QTimer.singleShot(0, self, self._scroll_to_advanced)

    def _scroll_to_advanced(self) -> None:
        """Scrolls the opened Advanced section into view once the layout gave it its height."""
        self.widget().layout().activate()
        if self.advanced.isVisible():
            self.ensureWidgetVisible(self.advanced, 0, 0)

    def set_settings(self, settings: FineTuneSettings) -> None:
        self.controller.settings = settings
        self.epochs.setValue(settings.epochs or 0)
        self.max_steps.setValue(settings.max_steps)
        self.lr.setValue(settings.lr or 0.0)
        self.heldout.setValue(round(settings.heldout_fraction * 100))

    def settings(self) -> FineTuneSettings:
        return replace(self.controller.settings, epochs=self.epochs.value() or None, max_steps=self.max_steps.value(),
                       min_steps=min(self.controller.settings.min_steps, self.max_steps.value()),
                       lr=self.lr.value() or None, heldout_fraction=self.heldout.value() / 100)

    # ------------------------------------------------------------ state
    def set_counts(self, counts: dict) -> None:
        self.counts = dict(counts)
        self.history.set_waiting(rating_count(counts))
        if self.start_count_awaited and not self.writes_pending():
            self.start_count_awaited = False
            self.total_at_run_start = rating_count(counts)
        short_notes = tile_short_notes(counts)
        for key, (value, note, tip, caption) in tile_words(counts).items():
            self.tiles[key].set_value(value, note, tip, caption, short_notes.get(key, ""))
        self.disagree_label.setText(disagree_words(counts))
        self.disagree_label.setVisible(bool(_total(counts) and self.disagree_label.text()))
        self._say_ready()
        self._update()

    def _settings_changed(self) -> None:
        """An Advanced field changed: the ready line and the train button's tooltip both compare the settings with
        the discarded run's ("the same examples as run 3" holds only while they split the examples as it did)."""
        if self.counts:  # not counted yet: "Counting your ratings…" stays
            self._say_ready()
        self._update()

    def _say_ready(self) -> None:
        """The readiness line under the tiles, from the counts and the tab's settings."""
        counts = self.counts
        if _total(counts):
            self.ready_label.setText(ready_words(counts) + news_words(counts, self.settings()) + conflict_words(counts)
                                     + during_run_words(rating_count(counts), self.total_at_run_start))
            self.ready_label.setToolTip(ready_details(counts))
        else:
            self.ready_label.setToolTip("")
            # the card's thumbs, as it draws them (usertest23: "▲/▼" matched nothing on screen)
            self.ready_label.setText("Nothing to learn from yet: rate an answer with its thumbs up or down, "
                                     "right-click a token, or write a better answer.")

    def _run_started_or_ended(self, running: bool) -> None:
        """A run reads the ratings when it starts: what is counted then is what it trains on. Ratings clicked
        just before are read by the run too, though their counts are still on the way: the count waits for them."""
        self.start_count_awaited = running and self.writes_pending()
        self.total_at_run_start = rating_count(self.counts) if running and not self.start_count_awaited else None
        if not running and self.counts:
            self.set_counts(self.counts)  # "N new since this run started" goes with the run
        self._update()

    def _update(self) -> None:
        running = self.controller.running
        loaded = self.controller.chat.loaded is not None
        total = int(self.counts.get("total", 0) or 0)
        self.train_button.setEnabled(not running and loaded and total > 0)
        parked = self.parked_on is not None and self.parked_on.hasFocus()
        if not running and (self.cancel_button.hasFocus() or parked) and self.train_button.isEnabled():
            self.train_button.setFocus()  # Cancel hides as the run ends: its focus goes back, not down the panel
        if not running:
            self.parked_on = None
        self._fit_train_words()
        if not loaded:
            self.train_button.setToolTip("Load a model first")
        elif not total:
            self.train_button.setToolTip("Rate something first")
        else:  # how long it would take, before the click (verdict75: a run takes minutes, and nothing said so)
            same = same_examples_run(self.counts, self.settings())  # the person may run it anyway (usertest57)
            what = (train_again_tip(self.counts, self.settings()) or (same_examples_words(same) if same else "")
                    or "Train an adapter on your ratings in the background; chatting goes on")
            self.train_button.setToolTip(f"{what}.\n{self._run_estimate()}.".replace("..", "."))
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self._show_explain_note()
        self.history.set_busy(running or not loaded)  # its choices act on the loaded model
        for name, box in self._setting_boxes().items():
            turn(box, not running, TRAINING_SETTING_TIP if running else SETTING_TIPS[name])

    def _run_estimate(self) -> str:
        """"A fine-tune on your 6 ratings takes about 2-4 min on this computer's processor (…)": from the loaded
        model's last finished run where it recorded its time (core.run_estimate)."""
        loaded = self.controller.chat.loaded
        runs = [r for r in self.controller.store.list_runs()
                if r.get("base_model") == getattr(loaded, "model_id", None) and r["status"] in ("kept", "discarded")
                and (r.get("metrics") or {}).get("elapsed_s")]
        last = runs[0]["metrics"] if runs else None  # newest first (show_last_run reads them so too)
        return estimate_words(rating_count(self.counts), last, self.controller.on_processor, processor_busy())

    def _setting_boxes(self) -> dict[str, QWidget]:
        """The Advanced fields by the setting each one sets (``ready_words.SETTING_TIPS``' keys)."""
        return {"epochs": self.epochs, "max_steps": self.max_steps, "lr": self.lr, "heldout_fraction": self.heldout}

    def refresh_adapters(self) -> None:
        self.consent_box.setEnabled(True)  # an answer that could not be stored (its error is shown) may be given again
        history_at = self._history_in_hand()
        self.history.set_adapters(self.controller.list_adapters(), loading=self.controller.chat.loaded is None)
        shown = getattr(self, "last_result", None)
        if shown and (shown[0] == "kept" or shown[3] is not None) and not self.result_box.isHidden():
            self._show_result(*self.last_result)  # the card follows the history: which adapter is in use now
        self._keep_history_at(history_at)

    def _history_in_hand(self) -> int | None:
        """The history's top in the view while the person acts on it (the keyboard or the pointer in it), else
        None: a run's end may scroll to its card, and the history must not pull the view back."""
        focus = self.window().focusWidget() if self.window() else None
        acting = self.history.underMouse() or (focus is not None and self.history.isAncestorOf(focus))
        return self.history.mapTo(self.viewport(), QPoint(0, 0)).y() if acting else None

    def _keep_history_at(self, top: int | None) -> None:
        """The history back where it was in the view: "Use base model" on a card waiting for the person's word
        moved the card above the count tiles and back, its question's lines came and went, and the history's
        buttons jumped 150 px away from the pointer, out of the view (usertest44)."""
        if top is None:
            return
        self._put_history_at(top)
        # the card's wrapped words take their height once the event loop lays them out: again then
        QTimer.singleShot(0, self, lambda: self._put_history_at(top))

    def _put_history_at(self, top: int) -> None:
        # the layouts settle now (the card's new height, then the panel's), not after this returns
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.history.mapTo(self.viewport(), QPoint(0, 0)).y() - top)

    # ------------------------------------------------------------ actions
    def start(self) -> bool:
        if repeated_run(self.counts, self.settings()) is not None and not self.confirm_same_ratings():
            return False
        self.curve.clear()
        focused = self.train_button.hasFocus()  # it disables itself: the focus must not drift to "Advanced"
        started = self.controller.start(self.settings())
        if started and focused:
            self._park_focus()
        if started:
            self.result_box.hide()
            self.trained_to = None
            self.stop_note.hide()
            self.split_note.hide()  # the new run says its own split once it has made it
            self.kept_note.hide()  # and which questions it kept aside
            self.slow_note.setVisible(self.controller.on_processor)
            self.let_go_height()  # the last run's lines are not this one's
            self.progress_box.show()
            self.curve.show()
            self.phase_label.setText(f"{PHASE_WORDS['preparing']}\u2026")
            self.bar.setRange(0, 0)
            self.eta_label.setText("")
            self._follow_progress()
        self._update()
        return started

    def confirm_same_ratings(self) -> bool:
        """A finished run already trained on these ratings: ask before minutes of training on them again."""
        question, detail = same_ratings_words(self.counts)
        return ask(self.window(), "SameRatingsQuestion", "Fine-tune again?", question, detail, "Train again", "Not now")

    def _park_focus(self) -> None:
        """A run started from the keyboard leaves the focus on the Fine-tune tab, where Space and
        letters do nothing: on Cancel, the first space of a question typed next (after Ctrl+1, or
        before the person saw where the focus went) cancelled a 20-minute run (usertest9)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        self.parked_on = parent.tabBar() if parent is not None else self.cancel_button
        self.parked_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        asks = self.ask_before_cancel and self.curve.steps and not self.controller.cancel_pending
        if asks and not self.confirm_cancel():
            return
        self.controller.cancel()  # (a second press changes nothing: the button stays, and keeps the focus)
        self.phase_label.setText("Cancelling\u2026")
        self.elapsed_timer.stop()  # it re-tells the time left each second
        self.step_heard = None
        self.eta_label.setText("")  # "about 5 min left" is no longer what happens

    def confirm_cancel(self) -> bool:
        """Once steps are trained, one stray key or click must not throw them away: ask, with
        "Keep training" the default and Esc's answer."""
        # the training steps' count, as the status bar and the loss chart say it: between two steps the
        # bar counts other work ("2 of 40 steps" was 40 tokens of the re-asked answers, usertest 12)
        done, total = self.trained_to or (self.curve.steps[-1], self.curve.total or self.curve.steps[-1])
        return ask(self.window(), "CancelRunQuestion", "Cancel the fine-tune?",
                   f"The run has trained {done} of {total} steps. Cancel it?",
                   "Its steps are thrown away; the model you chat with stays as it was.",
                   "Cancel the run", "Keep training") and self.controller.running

    def on_finished(self, result) -> None:
        self._end_progress()
        if result.status == "cancelled":  # it changed nothing: the report of the run before stays readable
            self.show_last_run(cancelled=True, cancelled_run=result.run_id)
        else:
            self.last_run_id = result.run_id
            self._show_result(result.status, result.reason, result.metrics, result.adapter_id)
        self.refresh_adapters()
        self._update()

    def on_failed(self, message: str) -> None:
        self._end_progress()
        self._show_result("failed", message, {}, None)
        self._update()

    def _lay_tiles(self, columns: int) -> None:
        if columns == self.tile_columns:
            return
        self.tile_columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self.tile_grid.addWidget(tile, i // columns, i % columns)  # moves a tile already in the grid

    def _side_margin(self, width: int) -> int:
        """The narrow margins in a narrow view, and where only their room keeps the tiles two side by side: at 14 pt
        in the usual 340 px panel a tile a row made the panel taller by two tiles, for 16 px of margin."""
        if width < NARROW_PANEL:
            return NARROW_MARGIN
        keeps_two = (not self._tiles_fit_two_columns(width - 2 * PANEL_MARGIN)
                     and self._tiles_fit_two_columns(width - 2 * NARROW_MARGIN))
        return NARROW_MARGIN if keeps_two else PANEL_MARGIN

    def _tiles_fit_two_columns(self, room: int) -> bool:
        """Each column as wide as its widest tile: the first row alone was measured, and at 14 pt the second
        row's "better answers" made the panel 15 px wider than its view, the right column cut at its edge."""
        spacing = self.tile_grid.horizontalSpacing()
        tiles = list(self.tiles.values())
        columns = [max(tile.minimumSizeHint().width() for tile in tiles[start::2]) for start in (0, 1)]
        return sum(columns) + spacing <= room

    def _fit_train_words(self) -> None:
        """The train button's and the run card's Compare button's whole words where they fit the panel's width,
        else their short form (the whole words stay their accessible names)."""
        whole = TRAINING_WORDS if self.controller.running else TRAIN_WORDS
        margins = self.widget().layout().contentsMargins()
        room = self.viewport().width() - margins.left() - margins.right()
        fit_words(self.train_button, whole, TRAIN_SHORT_WORDS if whole == TRAIN_WORDS else whole, room)
        card = self.result_box.layout().contentsMargins()
        fit_words(self.compare_button, COMPARE_WORDS, COMPARE_SHORT_WORDS, room - card.left() - card.right())

    def resizeEvent(self, event) -> None:
        """The adapter history fits the view whole, its buttons with it (its list scrolls where it is short). The
        count tiles go one under another where two side by side do not fit: on a 480 px screen the panel beside
        the chat had about 230 px, and the second column ran off its edge."""
        super().resizeEvent(event)
        width = self.viewport().width()
        narrow = width < NARROW_PANEL
        side = self._side_margin(width)
        self.widget().layout().setContentsMargins(side, 12, side, 12)
        # on the narrowest screens (the panel under its 280 px) what does not fit scrolls into view rather than
        # being cut off for good; at its usual width no bar: a run's before/after pairs asked a few px more, and
        # a bar for them took a line of the panel's height
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if narrow
                                          else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        margins = self.widget().layout().contentsMargins()
        self._fit_train_words()
        self._lay_tiles(2 if self._tiles_fit_two_columns(self.viewport().width() - margins.left()
                                                         - margins.right()) else 1)
        self.history.fit_to(self.viewport().width() - margins.left() - margins.right(),
                            self.viewport().height() - margins.top() - margins.bottom())



def _total(counts: dict) -> int:
    """The examples counted (0 before the first count)."""
    return int(counts.get("total", 0) or 0)
