"""Why this token? The inspector's section that explains the selected answer token: the earlier
tokens that led to it (the ranking, gui/explain_ranking.py, and on a toggle the same as colours
over the transcript), what each layer predicted (the layer grid, gui/explain_grid.py) and what the
sampler did with it. This module keeps the section's course: asked, running, stopped, paused for
an answer, done, asked again with Exact weights; gui/explain_wiring.py connects it to the window.

The layer grid and the sampler show as soon as they are ready (one forward pass); the
attribution follows with a determinate bar (passes done of at most how many, the time left at
most) and a Cancel. Choosing another token stops it too. A finished explanation is kept for
the session: going back to its token shows it again at once, until the model or its adapter
changes; one stopped that way goes on from its finished steps when its token is chosen again
(usertest 14: right-clicking another token to rate it threw away minutes of work). One stopped
before its layer grid came (the other tab chosen a moment after Explain) is asked again then: it
had lost only a fraction of a second's read, and running on behind the other tab would have put
minutes of attribution on the model lane ahead of that tab's own work (a Text analysis waits its
turn behind an attribution; it only gives way to the short urgent reads).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.precision import label
from desktop_app.gui import explain_words as words
from desktop_app.gui.explain_grid import LensGrid, lens_words
from desktop_app.gui.explain_plain import plain_why
from desktop_app.gui.explain_ranking import Ranking
from desktop_app.gui.off_words import EXPLAIN_TIP, EXPLAINING_TIP, RATE_BAD_TIP, RATED_BAD_TIP
from desktop_app.gui.kept_per_token import keep_newest
from desktop_app.gui.theme import styled_label
from desktop_app.gui.tips import turn

REMEMBERED = 32  # finished explanations kept, the oldest dropped first (each holds a layer grid and a few rows)


class ExplainView(QFrame):
    """The section itself; it asks for work through ``requested`` and is told the outcome.
    ``ticket`` numbers the requests: what comes back for an older one (a token no longer
    shown, a cancelled run still ending) is ignored."""

    requested = Signal(int, int)  # message id, token index
    text_requested = Signal(int)  # token index of the Text mode heatmap
    overlay_toggled = Signal(bool)  # show the attribution over the transcript
    cleared = Signal()  # a new token (or none): any running work and overlay should go
    exact_requested = Signal()  # reload the model with Exact weights, then explain this token again
    back_requested = Signal(str)  # reload the model with the precision it had before "Exact weights" (a choice)
    rate_bad_requested = Signal()  # "Rate this token bad": the token menu's rating (the inspector's own)
    runner_up_requested = Signal(int)  # "Continue with ... instead": a branch at this token (the inspector's)
    # an explanation started (True) or no longer runs (False): the fine-tune, on the same processor, says it is slowed
    busy_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ExplainView")
        self.message_id: int | None = None
        self.index = -1
        self.in_text = False  # the token is one of the Text mode's heatmap, not of an answer
        self.text_key: tuple | None = None  # a Text token's key in ``remembered`` (show_text_token)
        self.ticket = 0
        self.result = None  # the whole explanation, once the attribution is in
        self.partial = None  # the lens and sampler, while the attribution runs
        self._stopper = None  # stops the computation under way (the property ``stopper``)
        self.go_on = None  # goes on with the attribution paused for an answer (False: it cannot)
        self.pausing = False  # the run under way was stopped for an answer (pause_for_answer)
        self.resume_after_answer = False  # ... and runs again once the model is free (resume)
        self.model_busy = lambda: False  # the window's: an answer is being written
        self.pending_exact = None  # (message id, index, in text): asked again once Exact weights are loaded
        self.switched_from = None  # (precision choice, its label) the app ran on before "Exact weights"
        self.remembered: dict[tuple, object] = {}  # (message id, index) or ("text", its key) -> its finished explanation
        # (its key in ``remembered``, first part, go_on, figures so far): stopped by another token; the first part
        # None where its layers were not read yet (it is asked again on return)
        self.set_aside = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        self.title = styled_label(words.SECTION_TITLE.upper(), "PanelTitle")
        layout.addWidget(self.title)
        # the section's own words on its button, which sits above it: a new user read "Explain this token" and
        # "WHY THIS TOKEN?" as two things; a click brings the section into view (_scroll_into_view)
        self.button = QPushButton(words.SECTION_TITLE)
        self.button.setToolTip(EXPLAIN_TIP)
        self.button.clicked.connect(self.ask)
        layout.addWidget(self.button)
        self.status = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.status)
        self.details = QWidget(self)  # made in place (gui/in_place.py)
        self._build_details(QVBoxLayout(self.details))
        layout.addWidget(self.details)
        self.show_token(None, -1)

    def _build_details(self, layout: QVBoxLayout) -> None:
        """The ranking first (the bar and the Exact weights buttons under its caption), then the
        layer grid, then the sampler: the ranking is what a person asked about, and below a
        30-layer grid it was below the fold at 1280x800."""
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        # the Text tab's first line, in a writer's words (explain_plain): the figures below are an expert's
        self.plain = styled_label("", "ExplainPlain", wrap=True)
        self.plain.setTextFormat(Qt.TextFormat.PlainText)  # a token's "<" or "&" read as they are
        layout.addWidget(self.plain)
        self.gist = styled_label("", "Muted", wrap=True)  # the sampler's part, in one line
        self.gist.setTextFormat(Qt.TextFormat.RichText)
        # the bar and Cancel over the caption, which grows as the rough figures come (usertest55: Cancel slid 28 px down
        # under the pointer as "Rough result after 73 passes…" came, and the click missed it)
        self.ranking = Ranking(over_caption=(self._build_progress(),),
                               under_caption=(self.gist, self._build_exact_button(), self._build_back_row()))
        self.ranking.overlay_toggled.connect(self.overlay_toggled)
        self.ranking.word_clicked.connect(self._find_word)
        # in_text -> place(a, i): where token i of attribution a stands on screen, (scroll area, TokenView,
        # start, end) or None; the chat's and the Text tab's wiring say (explain_wiring, text_explain)
        self.places = {}
        self.ranking.findable = lambda a, i: self._place(a, i) is not None
        layout.addWidget(self.ranking)
        layout.addWidget(self._build_next_row())
        # the ranking's parts by the names the section has always had (the window and tests use them)
        r = self.ranking
        self.contrib_caption, self.hidden_note, self.contributors = r.caption, r.hidden_note, r.rows
        self.shown_only, self.toggle, self.overlay_note = r.shown_only, r.toggle, r.overlay_note
        self.lens_caption = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.lens_caption)
        self.grid = LensGrid()
        layout.addWidget(self.grid)
        self.sampler = styled_label("", "Muted", wrap=True)
        self.sampler.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.sampler)

    def _build_next_row(self) -> QWidget:
        """Under the finished ranking, what a person can do with what it showed: rate the token bad
        (as the token menu does), or continue the answer with the runner-up it was compared with
        (a branch at this token, as "Continue with" among the alternatives)."""
        self.next_row = QWidget()
        row = QVBoxLayout(self.next_row)  # one above the other: side by side they widened the panel at 800x600
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.rate_bad_button = QPushButton("Rate this token bad")
        self.rate_bad_button.setToolTip(RATE_BAD_TIP)
        self.rate_bad_button.clicked.connect(self.rate_bad_requested)
        row.addWidget(self.rate_bad_button)
        self.runner_up_button = QPushButton("")
        self.runner_up_button.setToolTip("A new answer from here, with the alternative this token was compared with "
                                         "(a branch: this answer stays)")
        self.runner_up_button.clicked.connect(self._continue_with_runner_up)
        row.addWidget(self.runner_up_button)
        self.can_act = lambda: (False, False)  # the inspector's: (may rate, may branch) for the token shown
        self.next_row.hide()
        return self.next_row

    def _place(self, a, i: int):
        place = self.places.get(self.in_text)
        return None if place is None or a.hidden(i) else place(a, i)

    def _find_word(self, i: int) -> None:
        """A ranked word clicked: brought into view where it stands, and ringed for a moment."""
        from desktop_app.gui.explain_reveal import push_colour, reveal

        shown = self.ranking.final or self.ranking.estimate
        found = None if shown is None else self._place(shown, i)
        if found is not None:
            reveal(*found, push_colour(shown, i))

    def _continue_with_runner_up(self) -> None:
        if self.result is not None and self.result.attribution is not None:
            self.runner_up_requested.emit(self.result.attribution.other_id)

    def _show_next(self, result) -> None:
        from desktop_app.core.token_words import token_label

        may_rate, may_branch = self.can_act()
        a = result.attribution
        self.rate_bad_button.setVisible(may_rate)
        self.runner_up_button.setVisible(may_branch and a is not None)
        if a is not None:
            self.runner_up_button.setText(f"Continue with \u201c{token_label(a.other_text)[:24]}\u201d instead")
        self.next_row.setVisible(may_rate or (may_branch and a is not None))

    def rated(self, value) -> None:
        """The token's rating now (the inspector's): rated bad, the button says so."""
        bad = value == -1
        self.rate_bad_button.setText("Rated bad \u2713" if bad else "Rate this token bad")
        turn(self.rate_bad_button, not bad, RATED_BAD_TIP if bad else RATE_BAD_TIP)

    def _build_exact_button(self) -> QPushButton:
        """Offered when the figures do not add up on 16-bit weights."""
        self.exact_button = QPushButton("Explain again with Exact weights")
        self.exact_button.setToolTip("Reload the model with float32 (Exact) weights and explain this token again: "
                                     "on other weights the contributions may add up (not always: the path's "
                                     "roughness counts too). The chat then answers with Exact weights too "
                                     "(slower on this computer) until you go back: a button here, or Model\u2026 "
                                     "\u203a Precision.")
        self.exact_button.clicked.connect(self._ask_exact)
        self.precision_choice = "auto"  # the window's precision choice now (core.precision), to go back to
        self.exact_button.hide()
        return self.exact_button

    def _build_back_row(self) -> QWidget:
        """After "Explain again with Exact weights": the app runs on Exact now; one click goes back."""
        self.back_box = QWidget()
        box = QVBoxLayout(self.back_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        self.back_note = styled_label("", "Muted", wrap=True)
        box.addWidget(self.back_note)
        self.back_button = QPushButton("Back to Fast weights")
        self.back_button.clicked.connect(self._ask_back)
        box.addWidget(self.back_button)
        self.back_box.hide()
        return self.back_box  # where the Exact button was: the way back from it

    def _build_progress(self) -> QWidget:
        """The attribution's bar (passes done of at most how many), its words and Cancel."""
        self.progress_box = QWidget()
        box = QVBoxLayout(self.progress_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        row.addWidget(self.bar, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop working out the attribution (the layer grid and sampler stay)")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        box.addLayout(row)
        self.progress_text = styled_label("", "Muted", wrap=True)
        for widget in (self.bar, self.progress_text):  # the method's name, for whoever wants it
            widget.setToolTip(words.PROGRESS_TIP)
        box.addWidget(self.progress_text)
        return self.progress_box

    @property
    def estimate(self):
        """The running attribution's figures so far (core.attribution.ExplainProgress.estimate), or None."""
        return self.ranking.estimate

    @property
    def has_work(self) -> bool:
        """An explanation running, paused for an answer, or shown: minutes of work the person waits for
        or reads, which a new answer does not take away (chat_cards keeps its token)."""
        return (self.result is not None or self.partial is not None or self.stopper is not None
                or self.resume_after_answer)

    # ------------------------------------------------------------ state
    def show_token(self, message_id: int | None, index: int, busy: str | None = None) -> None:
        """A new token was selected: whatever ran or showed for the last one goes. ``busy``: an
        answer token with no explanation only while the model writes: said instead of the rule."""
        self._set_aside()
        self.stop()
        self.go_on = None
        self.ticket += 1
        self.message_id, self.index, self.result, self.partial = message_id, index, None, None
        self.in_text = False
        self.text_key = None  # a Text token's key in ``remembered`` (show_text_token)
        self.pending_exact = None  # another token: the person moved on
        self.pausing = self.resume_after_answer = False
        self.exact_button.hide()
        self.next_row.hide()
        self.ranking.clear()
        self.ranking.untick(in_text=False)
        self.details.hide()
        self.button.setVisible(message_id is not None)
        turn(self.button, True, EXPLAIN_TIP)
        self._say(words.HINT if message_id is not None
                  else busy or "Explanations are for the tokens of a finished answer.")
        self.cleared.emit()
        done = self.remembered.get((message_id, index)) if message_id is not None else None
        if done is not None:
            self.show_result(self.ticket, done)
        elif self.set_aside is not None and self.set_aside[0] == (message_id, index):
            self._take_up()

    def forget(self) -> None:
        """The model or its adapter changed: the explanations worked out so far no longer hold."""
        self.remembered.clear()
        self.set_aside = None

    def _set_aside(self) -> None:
        """Another token (or the other tab) is chosen while this token's explanation runs: its attribution keeps
        what it has (the layer grid, the figures so far, the way to go on) to take it up again on return; one whose
        layers were not read yet keeps only that it was asked, to be asked again on return. One paused for an answer
        is kept so too: left by a tab switch, it had neither gone on nor said it stopped. A Text token's too, under
        its key (the text up to it): Ctrl+F, which brings Chat to the front, had thrown away a writer's minutes of
        passes (usertest51); an edit of the text before it changes the key, and then it starts over."""
        key = self.token_key()
        if (self.stopper is None and not self.resume_after_answer) or None in key:
            return
        if self.partial is None:
            self.set_aside = (key, None, None, None)
        elif self.go_on is not None:
            self.set_aside = (key, self.partial, self.go_on, self.ranking.estimate)

    def token_key(self) -> tuple:
        """The shown token's key in ``remembered`` and ``set_aside``: an answer token's (message id, index), a
        Text token's ("text", ``text_key``); a None in it where there is none."""
        return ("text", self.text_key) if self.in_text else (self.message_id, self.index)

    def _take_up(self) -> None:
        """Back on the token set aside: its grid and figures at once, and the attribution goes on
        from its finished steps (from the start where the model changed meanwhile); one stopped
        before its grid came is asked again."""
        _key, partial, go_on, estimate = self.set_aside
        self.set_aside = None
        if partial is None:
            self.ask()
            return
        self._show_first_part(partial)
        if estimate is not None:
            self.ranking.show_estimate(estimate)
            self.progress_text.setText(self._first_words())
        self.go_on = go_on
        self._go_on()

    def _remember(self, result) -> None:
        """Keep an answer token's finished explanation, or a Text token's under its text (``text_key``: the
        text can change under it, and then the key does)."""
        keep_newest(self.remembered, self.token_key(), result, REMEMBERED)

    def show_text_token(self, index: int, ready: bool, waiting: str = "", key: tuple | None = None) -> None:
        """A token of the Text mode's heatmap; ``ready``: the text is analysed as shown and no
        continuation is being written (the explanation reads the text as the heatmap shows it);
        ``waiting``: else, what it waits for, in the text's state now (gui/off_words.text_explain_wait)."""
        self.show_token(None, index)
        self.in_text = ready
        self.ranking.untick(in_text=True)
        self.button.setVisible(ready)
        self._say(words.HINT.replace("a long conversation", "a long text") if ready else waiting)
        self.text_key = key if ready else None
        done = self.remembered.get(("text", key)) if ready and key is not None else None
        if done is not None:
            self.show_result(self.ticket, done)
        elif ready and key is not None and self.set_aside is not None and self.set_aside[0] == ("text", key):
            self._take_up()

    def ask(self) -> None:
        if self.message_id is None and not self.in_text:
            return
        self.pending_exact = None  # asked now: nothing waits for the Exact weights any more
        self.pausing = self.resume_after_answer = False
        self.go_on = None
        self.ticket += 1
        self.result = self.partial = None
        # the bar and Cancel show at once, and take the focus the button had (disabled, it
        # would pass it on down the window: to the "+" of the conversation list)
        self.bar.setRange(0, 0)
        self.progress_text.setText("")
        self.progress_box.show()
        self.details.show()
        self.ranking.clear()
        for w in (self.lens_caption, self.grid, self.exact_button, self.sampler, self.back_box, self.gist,
                  self.next_row, self.plain):
            w.hide()
        self._focus_from((self.button,), self.cancel_button)
        turn(self.button, False, EXPLAINING_TIP)
        self._say(words.reading_words(self.switched_from[1] if self.switched_from else None))
        QTimer.singleShot(0, self, self._scroll_into_view)  # the button sits above the fold, the section below it
        if self.in_text:
            self.text_requested.emit(self.index)
        else:
            self.requested.emit(self.message_id, self.index)

    def _ask_exact(self) -> None:
        """One click: the window reloads the model with Exact weights (``exact_requested``) and
        this token is explained again once it is loaded (``resume_exact``)."""
        self.pending_exact = (self.message_id, self.index, self.in_text)
        if self.switched_from is None and self.result is not None:
            self.switched_from = (self.precision_choice, label(self.result.precision))
        self.button.setVisible(True)  # a click meanwhile asks at once (it waits for the load on the model lane)
        turn(self.button, True, EXPLAIN_TIP)
        self._focus_from((self.exact_button,), self.button)  # before it hides: not down the window, to a "+"
        self.details.hide()
        self.cleared.emit()  # the doubtful attribution leaves the transcript too
        self._say(words.exact_switch_words(self.switched_from[1] if self.switched_from else "Fast (bfloat16)"))
        self.exact_requested.emit()

    def _ask_back(self) -> None:
        """Reload with the weights the app ran on before the switch to Exact."""
        if self.switched_from is None:
            return
        choice, was = self.switched_from
        self.switched_from = None
        self._focus_from((self.back_button,), self.toggle)
        self.back_box.hide()
        self._say(f"Loading the model with {was} weights again; the explanation above was made with Exact weights.")
        self.back_requested.emit(choice)

    def precision_loaded(self, precision: str | None) -> None:
        """A model finished loading: once it is not on Exact weights, there is nothing to go back from."""
        if precision != "float32":
            self.switched_from = None
            self.back_box.hide()

    def works_on_text_token(self, index: int) -> bool:
        """Text token ``index``'s explanation waits for Exact weights or is under way."""
        return self.in_text and self.index == index and (self.pending_exact is not None or self.stopper is not None)

    def resume_exact(self) -> bool:
        """Exact weights are in: explain the token again (False: nothing was waiting for them)."""
        if self.pending_exact is None or self.pending_exact != (self.message_id, self.index, self.in_text):
            return False
        self.ask()
        return True

    def exact_failed(self) -> None:
        """The reload did not happen: the model in use stays, and so can the question."""
        self.switched_from = None
        if self.pending_exact is not None:
            self.pending_exact = None
            self._say("The model could not be reloaded with Exact weights; it stays as it was.")

    def _say(self, text: str) -> None:
        """The status line; an empty one takes no room."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    @property
    def stopper(self):
        return self._stopper

    @stopper.setter
    def stopper(self, stop) -> None:
        """Every start and end of a run passes here, so ``busy_changed`` hears each once."""
        was, self._stopper = self._stopper is not None, stop
        if was != (stop is not None):
            self.busy_changed.emit(stop is not None)

    @property
    def busy(self) -> bool:
        """An explanation is computing (waiting for the model lane or running), not paused for an answer."""
        return self._stopper is not None

    def running(self, stop, go_on=None) -> None:
        """``stop()`` cancels the computation now under way (waiting or running); ``go_on()``
        starts its attribution again from where a pause for an answer left it (False: it cannot)."""
        self.stopper, self.go_on = stop, go_on

    def stop(self) -> None:
        if self.stopper is not None:
            stopper, self.stopper = self.stopper, None
            stopper()

    def pause_for_answer(self) -> None:
        """The chat stops the run under way for the person's question (chat._explain_makes_way)."""
        self.pausing = self.stopper is not None

    def cancelled(self, ticket: int) -> None:
        """The run was stopped from outside: for an answer, it starts again once the answer ends."""
        if ticket != self.ticket:
            return
        paused, self.pausing = self.pausing, False
        if not paused:
            self._stopped("The explanation was stopped.")
            self._plain_stopped()
        elif self.model_busy():
            self.resume_after_answer = True
            self._stopped(words.PAUSED_FOR_ANSWER)
            self.ranking.waits_for_answer()
        else:  # the answer already ended (a slow layer held the stop)
            self._go_on()

    def resume(self) -> None:
        """The model is free again: the explanation paused for an answer goes on where it stopped."""
        if self.resume_after_answer and not self.model_busy():
            self.resume_after_answer = False
            self._go_on()

    def _go_on(self) -> None:
        """The attribution goes on from its finished steps, the layer grid and the rough figures
        staying (usertest 12: each answer restarted it from step 2, and once from the grid: 5 min
        from the click); from the start only where it cannot (the layers were not read yet, or
        the model changed meanwhile)."""
        go_on = self.go_on
        if go_on is None or self.partial is None:
            self.ask()
            return
        self.ticket += 1  # what the paused run still sends is ignored
        self._focus_from((self.button,), self.cancel_button)
        self.button.hide()
        self._say("")
        self.progress_box.show()
        self.ranking.goes_on()
        if not go_on():
            self.ask()

    def cancel(self) -> None:
        """Cancel pressed: the run is told to stop (it does at its next layer) and the section
        is usable at once; what it had shown (the grid, the sampler) stays."""
        self.stop()
        self.ticket += 1  # what the stopped run still sends is ignored
        kept = " (its figures so far stay below)" if self.ranking.figures_shown else ""
        self._stopped(f"Cancelled: the attribution was not finished{kept}. Click \u201c{words.SECTION_TITLE}\u201d "
                      "again to start over.")
        self._plain_stopped()

    def _plain_stopped(self) -> None:
        """The Text tab's plain line, once the attribution stopped unfinished, says so rather than "is being
        worked out below"."""
        if self.partial is not None and self.partial.context.in_text and self.result is None:
            self.plain.setText(plain_why(self.partial, stopped=True))

    def _focus_from(self, widgets, to) -> None:
        """Before ``widgets`` hide or disable: the focus one of them has goes to ``to``."""
        if any(w.hasFocus() for w in widgets):
            to.setFocus()

    def _stopped(self, message: str) -> None:
        self.stopper = None
        self.button.setVisible(True)
        turn(self.button, True, EXPLAIN_TIP)
        self._focus_from((self.cancel_button,), self.button)
        self.progress_box.hide()
        self._say(message)
        self.ranking.stopped(started=self.partial is not None)

    def failed(self, ticket: int, message: str) -> None:
        if ticket == self.ticket and self.pausing:  # a running attribution stops with an error: stopped for an answer
            self.cancelled(ticket)
        elif ticket == self.ticket:
            self._stopped(message)

    def show_part(self, ticket: int, item) -> None:
        """What the run reports on its way: the lens and sampler first (an Explanation with no
        attribution yet), then ExplainProgress after every batch of passes."""
        if ticket != self.ticket:
            return
        if getattr(item, "attribution", 0) is None:
            self._show_first_part(item)
        elif hasattr(item, "before"):  # tasks.TurnAhead: waiting behind other work, or started
            self.progress_text.setText(words.turn_words(item.before) if item.before else self._first_words())
        elif hasattr(item, "done"):
            self._show_progress(item)

    def _show_first_part(self, partial) -> None:
        """The layer grid and the sampler are in; the attribution runs."""
        self.partial = partial
        self._focus_from((self.button,), self.cancel_button)
        self.button.hide()  # Cancel (by the bar) is what there is to press now
        self._say("")
        for w in (self.lens_caption, self.sampler):
            w.show()
        self._show_lens(partial)
        self._show_sampler(partial)
        self.ranking.working(partial.context.in_text)
        self.bar.setRange(0, 0)  # until the first batch of passes says how many
        self.progress_text.setText(self._first_words())
        self.progress_box.show()
        self.details.show()
        QTimer.singleShot(0, self, self._scroll_into_view)

    def _first_words(self) -> str:
        """Beside the bar before a batch of passes has ended: a run going on from rough figures says it goes on
        from their passes, as the caption over them counts them (``estimate_words``)."""
        estimate = self.ranking.estimate
        return words.time_left_words(None, estimate.steps + 1 if estimate is not None else 0)

    def _show_progress(self, progress) -> None:
        """A batch of the attribution's passes is done (core.attribution.ExplainProgress)."""
        self.bar.setRange(0, progress.total)
        self.bar.setValue(progress.done)
        self.progress_text.setText(words.progress_line(progress))
        if progress.estimate is not None:
            self.ranking.show_estimate(progress.estimate)

    def show_result(self, ticket: int, result) -> None:
        if ticket != self.ticket:
            return  # an answer for a token no longer shown
        self.stopper, self.result = None, result
        self._remember(result)
        for w in (self.lens_caption, self.sampler):
            w.show()
        self.exact_button.setVisible(self.ranking.show_final(result))
        self._focus_from((self.button, self.cancel_button), self.toggle)  # the next thing to do with it
        self.button.hide()
        self._say("")
        self.progress_box.hide()
        self._show_lens(result)
        self._show_sampler(result)
        self._show_back(result)
        self._show_next(result)
        if self.toggle.isChecked():  # still ticked from the run before (Exact weights): paint this one
            self.overlay_toggled.emit(True)
        if not self.details.isVisible():
            self.details.show()
            QTimer.singleShot(0, self, self._scroll_into_view)

    def _scroll_into_view(self) -> None:
        """The section sits below the alternatives: bring its top up when the result arrives."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None and parent.widget() is not None:
            top = self.mapTo(parent.widget(), QPoint(0, 0)).y()
            parent.verticalScrollBar().setValue(max(0, top - 8))

    def _show_lens(self, result) -> None:
        lens = result.lens
        self.grid.setVisible(lens is not None)
        if lens is None:
            self.lens_caption.setText(result.lens_error)
            return
        self.grid.set_lens(lens)
        self.lens_caption.setText(lens_words(lens))

    def _show_back(self, result) -> None:
        back = self.switched_from is not None and result.precision == "float32"
        if back:
            was = self.switched_from[1]
            self.back_note.setText(words.exact_now_words(was))
            self.back_button.setText(f"Back to {was.split(' ')[0]} weights")
        self.back_box.setVisible(back)

    def _show_plain(self, result) -> None:
        in_text = result.context.in_text
        self.plain.setText(plain_why(result) if in_text else "")
        self.plain.setVisible(in_text)

    def _show_sampler(self, result) -> None:
        self._show_plain(result)
        gist = words.sampler_gist(result)
        self.gist.setText(gist or "")
        self.gist.setVisible(gist is not None)
        self.gist.setToolTip(result.recorded_note if result.rounded_apart else "")  # the re-read's why, in full
        self.sampler.setText(words.sampler_words(result))
        self.sampler.setToolTip(words.sampler_tip(result))
