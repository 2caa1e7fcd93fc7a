"""The inspector's alternatives: their chart, what the sampler cut, a picked one against the written token, and
"Continue with …", which starts a branch from it. A part of ``InspectorPanel`` (gui/inspector.py)."""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton

from desktop_app.core.more_alternatives import MORE_ALTERNATIVES, kept_first
from desktop_app.core.piece_words import other_model, piece_hex
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import SamplerCut, cut_below_the_list, cut_of_longer_list, cut_words
from desktop_app.core.token_words import MARKS_TIP, ordered_alternatives
from desktop_app.gui.alternatives_chart import AlternativesChart
from desktop_app.gui.explain_view import ExplainView
from desktop_app.gui.inspector_words import (MORE_TIP, alternative_label, busy_branch_words, more_words,
                                             phrase_branch_words, sampler_verdict, versus_words)
from desktop_app.gui.off_words import branch_tip
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import turn
from desktop_app.gui.word_probe_view import WordProbeBox

BRANCH_LABEL = "Continue with this alternative"
ALTERNATIVES_NAME = "Alternatives"  # the chart's title and its name for a screen reader
BRANCH_SHORT_LABEL = "Continue with it"  # a narrow view's words (the whole ones: its accessible name)


class AlternativesPart:
    """The alternatives and branching from one (a mixin of ``InspectorPanel``: its ``record``, ``message_id``,
    ``index``, ``can_branch``, text mode's actions, signals and scroll area are the panel's)."""

    def _build_alternatives(self, layout) -> None:
        """The alternatives chart, its coverage line, the branch button with its hint, and "Why this token?"."""
        self.alt_title = styled_label(ALTERNATIVES_NAME, "PanelTitle", wrap=True)
        self.alt_title.setToolTip(MARKS_TIP)
        layout.addWidget(self.alt_title)
        self.chart = AlternativesChart()
        self.chart.setAccessibleName(ALTERNATIVES_NAME)  # painted rows: its title's words, its tooltip the keys
        self.chart.picked.connect(self._picked)
        self.chart.entered.connect(self.branch_button_click)
        layout.addWidget(self.chart)
        # the next alternatives, read again from the model, under the setting's list (session 62: it stopped at 10)
        self.more_button = QPushButton()
        self.more_button.setToolTip(MORE_TIP)
        self.more_button.clicked.connect(self._ask_more)
        self.more_token: tuple | None = None  # the token whose longer list was asked for, until it comes
        self.more_asked_at = 0.0  # time.monotonic() when it was asked for
        self.more_seconds: float | None = None  # how long the last longer list took to come (None: none came yet)
        layout.addWidget(self.more_button)
        self.coverage = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.coverage)
        self.sampler_note = styled_label("", "Muted", wrap=True)  # the alternatives the sampler could not pick
        layout.addWidget(self.sampler_note)
        self._build_probe_and_branch(layout)

    def _build_probe_and_branch(self, layout) -> None:
        """"How likely was…", the picked alternative against the written token, the branch button and its hint,
        and "Why this token?"."""
        self.probe = WordProbeBox(layout.parentWidget())  # "How likely was…": a word the person has in mind, at this token
        self.probe.answered.connect(self._probed)
        self.probed: Alternative | None = None  # a probed one-token word outside the chart: it can be continued with
        self.probed_rank = 0  # its rank in the whole vocabulary
        self.sampler_cut: SamplerCut | None = None  # the shown token's (None: not a sampled answer's token)
        self.probed_phrase: str | None = None  # why a probed phrase cannot be continued with (the greyed tooltip)
        layout.addWidget(self.probe)
        self.versus = styled_label("", "Muted", wrap=True)  # the picked alternative against the written token
        self.versus.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.versus)
        self.branch_button = QPushButton(BRANCH_LABEL)
        self.branch_words = BRANCH_LABEL  # its whole words (_set_branch_words): cut to a narrow view's width
        self.branch_button.setIcon(icon("branch"))
        turn(self.branch_button, False, branch_tip(picked=False, same=False, in_text=False))
        self.branch_button.clicked.connect(self._branch)
        layout.addWidget(self.branch_button)
        self.hint = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.hint)
        self.explain = ExplainView(layout.parentWidget())  # made in place (gui/in_place.py)
        layout.addWidget(self.explain)

    def _show_alternatives(self, record: TokenRecord, cut: SamplerCut | None, can_branch: bool,
                           busy: str | None) -> None:
        """The chart of its alternatives, what the sampler cut, and "Continue with …" back to none picked."""
        self.chart.piece_hex = self._alternative_hex
        self.chart.cut = cut.cut if cut is not None else {}
        self.sampler_cut = cut
        self.sampler_note.setText(cut_words(cut, ordered_alternatives(record)) if cut is not None else "")
        self.sampler_note.setVisible(bool(self.sampler_note.text()))
        self._chart_alternatives(record)
        self.more_token = None
        self.more_button.setText(more_words(len(record.top), self.more_seconds))
        self.more_button.setEnabled(True)
        self.probed = self.probed_phrase = None
        turn(self.branch_button, False, branch_tip(picked=False, same=False, in_text=False))
        self.versus.hide()
        self._set_branch_words(BRANCH_LABEL)  # an alternative picked for an earlier token is not this one's
        self.hint.setText("Pick another alternative above (or Tab to it, \u2191 \u2193, Enter), then continue the answer from it as a new branch."
                          if can_branch else busy_branch_words(busy) if busy
                          else "Prompt tokens are scored only; branching starts from answer tokens.")

    def _chart_alternatives(self, record: TokenRecord) -> None:
        """The chart of ``record``'s alternatives, its title and the share of the probability they cover."""
        self.chart.set_data(ordered_alternatives(record), record.id, record)
        # a written token outside the top gets a row of its own: "TOP 10" over 11 rows read as a miscount (usertest37)
        written = " + THE WRITTEN TOKEN" if self.chart.chosen_outside is not None else ""
        self.alt_title.setText(f"TOP {len(record.top)} ALTERNATIVES{written}")
        covered = sum(a.prob for a in record.top)
        self.coverage.setText(f"These {len(record.top)} alternatives cover {covered * 100:.1f}% of the probability.")

    def offer_more(self, readable: bool) -> None:
        """"Show N more" under the chart where the model in use can read this token again (an answer's token or
        the Text tab's, written by the model in use) and its record keeps fewer than MORE_ALTERNATIVES."""
        keeps_fewer = self.record is not None and len(self.record.top) < MORE_ALTERNATIVES
        self.more_button.setVisible(readable and keeps_fewer and not other_model(self.records_model, self.model_id()))

    def _ask_more(self) -> None:
        if self.record is None:
            return
        self.more_token = (self.message_id, self.index, self.record)
        self.more_asked_at = time.monotonic()
        # a disabled button passes the focus on: Qt gave it to "How likely was…"; the window's focus widget, not
        # hasFocus(), which is False while the window is not the active one (the focus moved all the same)
        if self.more_button.window().focusWidget() is self.more_button:
            self.chart.setFocus(Qt.FocusReason.OtherFocusReason)
        self.more_button.setEnabled(False)  # one read at a time; it says so meanwhile
        self.more_button.setText("Reading the next alternatives\u2026")
        self.more_asked.emit()

    def show_more(self, token: tuple, alternatives) -> None:
        """The token's longer list (core.more_alternatives), where it is still the token shown: the chart, its title
        and coverage say it, the rows the sampler could not have picked dimmed as the record's are; the record and
        what it keeps stay as they were (the setting is unchanged)."""
        if token != self.more_token or token != (self.message_id, self.index, self.record):
            return
        self.more_token = None
        self.more_seconds = time.monotonic() - self.more_asked_at  # the next token's button says it
        alternatives = kept_first(self.record.top, alternatives)  # the rows shown keep their figures
        longer = replace(self.record, top=alternatives)
        if self.sampler_cut is not None:  # the 40 more had all looked pickable (inspector86)
            self.sampler_cut = cut_of_longer_list(self.sampler_cut, self.record, alternatives)
            self.chart.cut = self.sampler_cut.cut
            self.sampler_note.setText(cut_words(self.sampler_cut, ordered_alternatives(longer)))
            self.sampler_note.setVisible(bool(self.sampler_note.text()))
        self._chart_alternatives(longer)
        self.more_button.hide()

    def more_failed(self, token: tuple, message: str) -> None:
        """The longer list could not be read (``message``, "" when stopped): the button offers it again."""
        if token != self.more_token:
            return
        self.more_token = None
        self.more_button.setEnabled(True)
        self.more_button.setText(more_words(len(self.record.top), self.more_seconds) if self.record is not None else "")
        bar = getattr(self.window(), "statusBar", None)
        if message and bar is not None:
            bar().showMessage(f"The next alternatives could not be read: {message}", 8000)

    def _alternative_hex(self, alt: Alternative) -> str:
        """An alternative's bytes where its text is only part of a character and the model in use wrote the
        record (another model's ids are another vocabulary's: its row keeps "\ufffd")."""
        if "\ufffd" not in alt.text or other_model(self.records_model, self.model_id()):
            return ""
        return piece_hex(self.tokenizer(), alt.id)

    def selected_alternative(self) -> Alternative | None:
        """The row picked in the chart, else a probed word the chart does not list (None: neither)."""
        if self.record is None:
            return None
        if not 0 <= self.chart.current < len(self.chart.alternatives):
            return self.probed
        return self.chart.alternatives[self.chart.current]

    def _probed(self, probe) -> None:
        """A "How likely was…" answer at the shown token: a word of one token is picked to continue with (its row
        in the chart where it has one), since the person asked about it; a longer phrase cannot start a branch,
        which the greyed button's tooltip says (it had stayed greyed with "Pick another alternative" only)."""
        if self.record is None or (probe.message_id, probe.index) != (self.message_id, self.index):
            return
        if len(probe.tokens) > 1:
            self.probed_phrase = phrase_branch_words(probe.typed, len(probe.tokens))
            self._turn_branch()
            return
        word = probe.tokens[0]
        row = next((i for i, alt in enumerate(self.chart.alternatives) if alt.id == word.id), None)
        if row is not None:
            self.pick(row)
            return
        self.probed, self.probed_rank = word, probe.first_rank
        self.chart.current = -1
        self.chart.update()
        self._picked(-1)

    def _cut_why(self, alt: Alternative | None) -> str | None:
        """Why the sampler could not have picked ``alt``: a listed one's from the chart, a probed word's below them."""
        if alt is None or self.record is None:
            return None
        if alt is self.probed and self.sampler_cut is not None:
            return cut_below_the_list(self.sampler_cut, self.record.top, self.probed_rank, alt.prob)
        return self.chart.cut.get(alt.id)

    def pick(self, row: int) -> None:
        self.chart.current = row
        self.chart.update()
        self._picked(row)

    def _picked(self, row: int) -> None:
        alt = self.selected_alternative()
        same = alt is not None and alt.id == self.record.id
        self._turn_branch()
        said = versus_words(alt, self.record, self._alternative_hex(alt)) if alt is not None and not same else ""
        why = self._cut_why(alt)
        self.versus.setText(f"{said} {sampler_verdict(why, self.text_branch)}" if said and why else said)
        self.versus.setVisible(bool(self.versus.text()))
        if self.versus.isVisible():  # once laid out: the label's place is known after the layout's pass
            QTimer.singleShot(0, self, self._show_versus)
        if alt is not None:  # a piece of a character by its bytes, as its row says (its text alone is "\ufffd": intl69)
            label = alternative_label(alt, self._alternative_hex(alt))
            self._set_branch_words(f"Continue with \u201c{label[:24]}\u201d")

    def _set_branch_words(self, words: str) -> None:
        self.branch_words = words
        self.branch_button.setAccessibleName(words)
        self._fit_branch_words()

    def _fit_branch_words(self) -> None:
        """"Continue with …" whole where it fits the view's width, else "Continue with it" (the line above names
        the alternative), cut with "…" only where even that does not fit; the whole words: its accessible name."""
        words, button = self.branch_words, self.branch_button
        button.setText(words)
        room = self._body_room()
        if not self.isVisible() or button.sizeHint().width() <= room:  # (a panel not shown yet has no width)
            return
        button.setText(BRANCH_SHORT_LABEL)  # at 240 px: "Continue with this alterna…" had cut a word
        if button.sizeHint().width() > room:
            padding = button.sizeHint().width() - button.fontMetrics().horizontalAdvance(BRANCH_SHORT_LABEL)
            button.setText(button.fontMetrics().elidedText(BRANCH_SHORT_LABEL, Qt.TextElideMode.ElideRight,
                                                           room - padding))

    def _turn_branch(self) -> None:
        """"Continue with …" on when an alternative other than the token is picked and nothing it needs
        is still running; its tooltip says which of those it waits for."""
        if self.record is None:
            return
        alt = self.selected_alternative()
        same = alt is not None and alt.id == self.record.id
        wait = self.text_wait if self.text_branch else None
        unpicked = self.probed_phrase if alt is None else None
        turn(self.branch_button, (self.can_branch or self.text_branch) and alt is not None and not same and not wait,
             wait or unpicked or branch_tip(picked=alt is not None, same=same, in_text=self.text_branch))

    def _show_versus(self) -> None:
        """The comparison line and "Continue with …" under it scrolled into view: at 1024x600 the line that
        appears under the chart was below the fold, and a pick seemed to do nothing (leftovers56)."""
        if self.versus.isVisible():
            self.scroll.ensureWidgetVisible(self.branch_button, 0, 8)
            self.scroll.ensureWidgetVisible(self.versus, 0, 8)  # the line first, where both do not fit

    def branch_button_click(self) -> None:
        """Enter on the chart: what "Continue with …" does, when it may (not on the token already there)."""
        if self.branch_button.isEnabled():
            self.branch_button.click()

    def _branch(self) -> None:
        alt = self.selected_alternative()
        if alt is not None and self.text_branch:
            self.text_branch_requested.emit(self.index, alt)
        elif alt is not None and self.message_id is not None:
            self.branch_requested.emit(self.message_id, self.index, alt.id)
