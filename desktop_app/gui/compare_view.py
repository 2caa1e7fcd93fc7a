"""Compare: per token, how much more (green) or less (purple) likely the active adapter makes an
answer than the base model or an earlier adapter of the model's history did ("Compared with"): a
diverging heatmap. The rated
continuations of Text mode (which a fine-tune learns from too) are listed after the answers
and compared with the base model, scored each time they are shown (not stored: a branch's text
can still change, and there is no stored scoring of it to reuse). The better answers (and
continuations) the person wrote are listed under the ones they replace and scored the same way
when picked, kept while the window lives: they are what the person taught, expected to rise.

The records come from the store (a kept fine-tune re-scores every rated answer under the new
adapter and the base model); an answer without them is scored here on a worker thread with
the chat model (its adapter on, then off) and the result is stored for next time.

What the view lists and the scorings lined up token by token are compare_data.py's, its words
compare_words.py's (both free of Qt), its colour bar and scoring row compare_widgets.py's, what it
shows for the text picked and the scoring it asks for compare_scoring.py's, its window
compare_dialog.py's.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)
from shiboken6 import isValid

from desktop_app.core.adapters import adapter_name
from desktop_app.core.adapters import label as adapter_label
from desktop_app.core.palette import change_color
from desktop_app.core.rating_conflicts import conflicts_of, find_conflicts
from desktop_app.core.session import earlier_adapters
from desktop_app.core.text_pieces import CharacterLayout, marked_tokens, stored_ratings
from desktop_app.core.token_words import completed_character, piece_label, token_label, token_said
from desktop_app.gui.compare_data import fact_items, lined_up, picker_choices
from desktop_app.gui.compare_scoring import CompareScoring
from desktop_app.gui.compare_widgets import DivergingBar, LegendWords, ScoringProgress
from desktop_app.gui.compare_words import (BASE_CHOICE, END_CELL, HEADING, LATER_TIP, LEGEND_TITLE, PICKER_TIP,
                                           answer_expectation, better_key, better_of, change_said, colour_key,
                                           compared_choice_words, compared_gone_words, compared_names, compared_title,
                                           deltas, changed_words, heading, later_expectation, legend_title, legend_words,
                                           mark_words, movers_words, weights_words,
                                           nice_scale, pair_words, shown_part, summary_words, times_words,
                                           token_change_tip, totals, whitespace_words, with_disagreement)
from desktop_app.gui.ratings import BAD_UNDERLINE, GOOD_UNDERLINE, underline_hook
from desktop_app.gui.tasks import Task
from desktop_app.gui.theme import colors, is_dark, styled_label
from desktop_app.gui.title_combo import TitleCombo
from desktop_app.gui.token_view import CARD_TEXT_NAMES, TokenView

log = logging.getLogger(__name__)

# a view shorter than this scrolls its header (title, pickers, legend, prompt) away with the answer: kept above it,
# the header left a long answer 184 px at 640x480 and 290 px at 800x600
HEADER_SCROLLS_BELOW_PX = 520


class CompareView(CompareScoring, QFrame):
    """Pick a rated answer and a baseline; see the change per token.

    Attributes:
        store: the Store the answers and their stored scorings come from.
        chat: the ChatController, owner of the chat model (asked to score on its lane).
        message_id: the answer shown.
        compared_with: the earlier adapter "before" is read under (its id), None for the base model: the
            "Compared with" choice, kept while the window lives and reset by another adapter in use.
        before, after: its TokenRecords under the baseline and under the active adapter.
        values: per token, the change in log-probability (after - before).
        scale: the colour scale's end, in nats.
        task: the scoring asked of the chat model and not yet back, or None.
        token_ratings: token index -> +1 / -1, the person's token ratings (underlined).
    """

    status = Signal(str)
    title_changed = Signal(str)  # the window's title: what is compared (compare_words.compared_title)

    def __init__(self, store, chat, parent=None):
        super().__init__(parent)
        self.setObjectName("CompareView")
        self.store, self.chat = store, chat
        self.message_id: int | None = None
        self.before: list = []
        self.after: list = []
        self.values: list[float] = []
        # the tokens' tooltips name what is compared: read once a scoring is shown, not per token at each repaint
        # (a theme switch repainted a closed window's view, and every token read the store it had closed)
        self.token_names = compared_names(None, None)
        self.ended = False  # the last of before/after is the end-of-text token that ended the answer
        self.scale = 1.0
        self.task: Task | None = None
        # the scoring of the better answer beside the model's answer picked, and the keys whose scoring failed
        self.pair_task, self.pair_failed = None, set()  # (CompareScoring._score_pair)
        self.token_ratings: dict[int, int] = {}  # token index -> +1/-1: the marks over the scoring shown
        self.rated_rows: list[tuple[int, int]] = []  # the answer's token ratings as stored (index, value), oldest first
        self._init_listing()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_answer_area(), 1)
        self.header_scrolls = False  # the header is in the answer's scroll (a short window: _place_header)
        self.answer_combo.currentIndexChanged.connect(lambda _i: self._answer_changed())
        self.baseline_combo.currentIndexChanged.connect(lambda _i: self._compared_changed())

    def _init_listing(self) -> None:
        """What the picker lists and what it is read against: the rated texts (and the better ones scored), the run
        that made the adapter in use, the adapter compared with, the ratings that disagree."""
        self.branches: dict[int, dict] = {}  # the rated Text continuations listed, by branch id
        self.corrections: dict[int, str] = {}  # the better answers the person wrote, by the answer's message id
        # better texts scored here, by (picker key, adapter id, text): not stored (a text can be rewritten)
        self.better_scores: dict[tuple, tuple[list, list]] = {}
        self.trained_by_run: int | None = None  # the run that made the active adapter (None: imported, or none)
        self.later_keys: set[int] = set()  # the listed answers (and -branch ids) rated after that run
        self.facts: list[dict] = []  # the never-rated questions whose fact that run changed (compare_data)
        self.compared_with: int | None = None
        self.compared_for: int | None = None  # the adapter in use when it was chosen: another one resets it
        self.gone_id: int | None = None  # the earlier adapter the note under the list says is gone
        self.earlier: dict[int, dict] = {}  # the earlier adapters the "Compared with" list offers, by id
        # the ratings that disagree (core/rating_conflicts.py), found on the store lane at each listing: read on
        # this thread they held the window ~0.1 s at 3,000 ratings, and longer with more (words108)
        self.conflicts: list = []
        self.conflicts_task: Task | None = None
        self.expected: tuple[int, list[str]] | None = None  # an answer's expectation before its conflicts' words

    def _build_header(self) -> QWidget:
        """The title, the pickers, the legend, the prompt and the scoring's progress: what is not the answer."""
        self.header = QWidget()
        layout = QVBoxLayout(self.header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.heading = styled_label(HEADING, "PanelTitle")
        layout.addWidget(self.heading)
        layout.addLayout(self._build_pickers())
        layout.addLayout(self._build_legend())
        self.prompt_label = styled_label("", "Muted", wrap=True)
        layout.addWidget(self.prompt_label)
        self.expect_label = QLabel()
        self.expect_label.setWordWrap(True)
        layout.addWidget(self.expect_label)
        self.scoring = ScoringProgress(self)
        self.scoring.cancel_button.clicked.connect(self._cancel_pressed)
        layout.addWidget(self.scoring)
        return self.header

    def minimumSizeHint(self):
        """As wide as the header asks wherever it is (the window's least width is read from it: fit_over)."""
        hint = super().minimumSizeHint()
        margins = self.layout().contentsMargins()
        hint.setWidth(max(hint.width(), self.header.minimumSizeHint().width() + margins.left() + margins.right()))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_header(event.size().height() < HEADER_SCROLLS_BELOW_PX)

    def _place_header(self, scrolls: bool) -> None:
        """In a short window the header scrolls away with the answer, else it stays above it: at 640x480 it took
        225 of the window's 412 px and left a long answer a strip of 184 px (seven lines) to be read through."""
        if scrolls == self.header_scrolls:
            return
        self.header_scrolls = scrolls
        target = self.answer_holder.layout() if scrolls else self.layout()
        self.header.layout().setContentsMargins(0, 0, 0, 0)
        target.insertWidget(0, self.header)
        # (moved, the header's combos went after the answer in the Tab order: put back before it)
        QWidget.setTabOrder(self.answer_combo, self.baseline_combo)
        QWidget.setTabOrder(self.baseline_combo, self.scoring.cancel_button)
        QWidget.setTabOrder(self.scoring.cancel_button, self.view)

    def _build_pickers(self) -> QFormLayout:
        """Which answer, what it is compared with (the base model or an earlier adapter) and the adapter in use."""
        pick = QFormLayout()  # one choice a row: the view fits the chat area of a narrow window
        pick.setHorizontalSpacing(8)
        pick.setVerticalSpacing(6)
        pick.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        # cut after a word with "…", whole in its tooltip: a plain box clipped an answer mid-word at 800 px
        self.answer_combo = TitleCombo()
        self.answer_combo.tip_whole_text(PICKER_TIP)
        self.answer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.answer_combo.setMinimumContentsLength(16)
        self.answer_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # the row's width
        pick.addRow("Answer", self.answer_combo)
        self.baseline_combo = QComboBox()
        self.baseline_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.baseline_combo.setMinimumContentsLength(16)
        self.baseline_combo.setToolTip("What the adapter in use is compared with: the base model (all the runs' "
                                       "change), or an earlier adapter (what the runs after it changed)")
        pick.addRow("Compared with", self.baseline_combo)
        # why the list is back on the base model (the adapter chosen was deleted): a notice in the main window
        # would be under this window, which covers the chat where there is no room beside it
        self.compared_note = styled_label("", "Muted", wrap=True)
        self.compared_note.hide()
        pick.addRow(self.compared_note)
        self.after_label = styled_label("", "AdapterChip")
        after = QHBoxLayout()
        after.addWidget(self.after_label)
        after.addStretch(1)
        pick.addRow("After", after)
        return pick

    def _build_legend(self) -> QHBoxLayout:
        """The diverging colour bar with its low / high labels."""
        legend = QHBoxLayout()
        legend.setSpacing(8)
        self.low_label = LegendWords()
        self.bar = DivergingBar()
        self.high_label = LegendWords()
        legend.setSpacing(6)
        self.legend_title = LegendWords(LEGEND_TITLE)  # which model the colours are of
        for w in (self.legend_title, self.low_label, self.bar, self.high_label):
            legend.addWidget(w)
        legend.addStretch(1)
        return legend

    def _build_answer_area(self) -> QScrollArea:
        """The coloured answer, the summary and the tokens that moved most, scrolling together."""
        card = QFrame()
        card.setObjectName("AnswerCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(14, 10, 14, 10)
        self.view = TokenView(card)
        self.view.setAccessibleName(CARD_TEXT_NAMES["assistant"])
        self.view.set_colorizer(self._colour)
        self.view.set_format_hook(self._tooltip)
        self.view.said_for = self._said
        inner.addWidget(self.view)
        self.answer_scroll = scroll = QScrollArea()
        scroll.setObjectName("Transcript")
        scroll.setAccessibleName(CARD_TEXT_NAMES["assistant"])
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.answer_holder = holder = QWidget()
        holder.setObjectName("TranscriptInner")
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.setSpacing(10)
        hl.addWidget(card)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        hl.addWidget(self.summary)
        self.pair = QLabel()  # a better answer beside the model's answer it replaces: one rose, one fell
        self.pair.setObjectName("ComparePair")
        self.pair.setWordWrap(True)
        self.pair.setTextFormat(Qt.TextFormat.RichText)
        self.pair.hide()
        hl.addWidget(self.pair)
        self.movers = QLabel()
        self.movers.setWordWrap(True)
        self.movers.setTextFormat(Qt.TextFormat.RichText)
        hl.addWidget(self.movers)
        hl.addStretch(1)
        scroll.setWidget(holder)
        scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return scroll

    # ------------------------------------------------------------ choices
    @property
    def model_id(self) -> str | None:
        return getattr(self.chat.loaded, "model_id", None)

    def active(self) -> dict | None:
        return self.store.active_adapter(self.model_id) if self.model_id else None

    def reload_answers(self, select: int | None = None, learned_only: bool = False) -> None:
        """List the rated answers and Text continuations: first those the active adapter's run
        learned from (rated before it started), then, apart and marked, those rated after it;
        open on ``select``, else the one shown, else the newest the run learned from.
        ``learned_only``: open on ``select`` only when the run learned from it (the run's
        report asks for what that run taught, not for the conversation that happens to be open)."""
        current = select if select is not None else self.message_id
        self._find_conflicts()
        self.answer_combo.blockSignals(True)
        self.answer_combo.clear()
        choices = self._choices(current)
        learned = [c for c in choices if not c[2]]
        if learned_only and current not in {c[0] for c in learned if c[0] in self.rated_keys}:
            current = None
        for data, label, _later in learned:
            self.answer_combo.addItem(label, data)
            self.answer_combo.setItemData(self.answer_combo.count() - 1, self._mark_tip(data, label),
                                          Qt.ItemDataRole.ToolTipRole)
        later = [c for c in choices if c[2]]
        self.later_keys = {c[0] for c in later}
        if later:
            run = self.trained_by_run
            if learned:
                self.answer_combo.insertSeparator(self.answer_combo.count())
            for data, label, _later in later:
                done = "written" if better_of(data) is not None else "rated"  # the person's own answer: written
                self.answer_combo.addItem(f"{label}  \u00b7 {done} after run {run}", data)
                self.answer_combo.setItemData(self.answer_combo.count() - 1, self._later_tip(data),
                                              Qt.ItemDataRole.ToolTipRole)
        self._add_fact_items()
        at = self.answer_combo.findData(current) if current is not None else -1
        if at < 0:
            at = self.answer_combo.findData(learned[-1][0]) if learned else self.answer_combo.count() - 1
        self.answer_combo.setCurrentIndex(max(0, at))
        self.answer_combo.blockSignals(False)
        self._answer_changed()

    def _explain_shown_marks(self) -> None:
        """The closed box's tooltip starts with what the shown item's marks mean (its own tooltip in the
        list), then the key to all marks: a "▲" before the answer shown was explained only in the list
        opened, or among the six marks of the key (leftovers62)."""
        combo = self.answer_combo
        own = combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) if combo.count() else None
        combo.tip_whole_text("\n\n".join(x for x in (own, f"All the marks: {PICKER_TIP}") if x))

    def _add_fact_items(self) -> None:
        """The answers to never-rated questions whose fact the run changed, before and after it,
        apart at the end (usertest 10: "Zagreb \u2192 Zaragoza" could not be opened here)."""
        items = fact_items(self.facts)
        if items and self.answer_combo.count():
            self.answer_combo.insertSeparator(self.answer_combo.count())
        for data, label, tip in items:
            self.answer_combo.addItem(label, data)
            self.answer_combo.setItemData(self.answer_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)

    def _choices(self, current: int | None) -> list[tuple]:
        """(data, label, rated after the active adapter's run) of each answer (its message id)
        and Text continuation (minus its branch id, as in the training data's groups), each
        followed by the better text the person wrote for it, if any (``better_key``)."""
        active = self.active()
        self.trained_by_run = active.get("run_id") if active else None
        choices = picker_choices(self.store, self.trained_by_run, current)
        self.corrections, self.branches, self.rated_keys = choices.corrections, choices.branches, choices.rated_keys
        self.facts = list(choices.facts)
        return choices.items

    def show_message(self, message_id: int) -> None:
        self.reload_answers(select=message_id)

    def _answer_changed(self) -> None:
        if self.answer_combo.currentData() != self.message_id:  # another answer reads from its top (and the header)
            self.answer_scroll.verticalScrollBar().setValue(0)
        self.message_id = self.answer_combo.currentData()
        self._explain_shown_marks()
        active = self.active()
        self._fill_compared_with(active)
        self.after_label.setText(f"{adapter_label(active, start=True)} (active)" if active else "no adapter active")
        self.refresh()

    def _fill_compared_with(self, active: dict | None) -> None:
        """The "Compared with" list: the base model, then each earlier adapter of this model's history; the
        choice kept while the window lives, back to the base model once another adapter is in use (a newly
        kept run: its own change is what the person looks for first)."""
        active_id = active["id"] if active else None
        if active_id != self.compared_for:
            self.compared_with, self.compared_for = None, active_id
            self.compared_note.hide()
        was = self.against()
        self.earlier = {row["id"]: row for row in earlier_adapters(self.store, active)} if active else {}
        if self.compared_with not in self.earlier:  # deleted meanwhile
            self.compared_with = None
            if was is not None:
                self.compared_note.setText(compared_gone_words(was, "the compare view"))
                self.compared_note.show()
                self.gone_id = was["id"]
        if self.gone_id in self.earlier:  # brought back by Undo: "no longer in the adapter history" stood beside it
            self.compared_note.hide()   # in the list (usertest54)
            self.gone_id = None
        combo = self.baseline_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(BASE_CHOICE, None)
        for row in self.earlier.values():
            combo.addItem(compared_choice_words(row), row["id"])
        combo.setCurrentIndex(combo.findData(self.compared_with) if self.compared_with is not None else 0)
        combo.blockSignals(False)
        self._say_compared()

    def follow_history(self) -> None:
        """The adapter history changed (an adapter deleted, brought back, imported; here or from the terminal): the
        list offers what is there now, and an answer compared with an adapter now gone is read against the base
        model. The list had kept a deleted adapter, which then failed when chosen."""
        chosen = self.compared_with
        self._fill_compared_with(self.active())
        if chosen is not None and self.compared_with is None and self.message_id is not None:
            self.refresh()

    def _compared_changed(self) -> None:
        self.compared_with = self.baseline_combo.currentData()
        self.compared_note.hide()  # the person chose: the note on the earlier choice is done
        self._say_compared()
        self.refresh()

    def against(self) -> dict | None:
        """The earlier adapter's row "before" is read under; None: the base model."""
        return self.earlier.get(self.compared_with) if self.compared_with is not None else None

    def compared(self) -> tuple[str | None, str | None]:
        """(the adapter in use, the earlier adapter compared with, None for the base model), by name."""
        active, against = self.active(), self.against()
        return (adapter_label(active) if active else None), (adapter_label(against) if against else None)

    def numbers(self) -> tuple[str | None, str | None]:
        """``compared``'s two adapters by number alone ("adapter 3", "adapter 2"), for the heading."""
        active, against = self.active(), self.against()
        return (adapter_name(active["id"]) if active else None), (adapter_name(against["id"]) if against else None)

    def _changed(self) -> str:
        """Whose change the colours show, for the sentences about it ("the fine-tune")."""
        return changed_words(*self.numbers())

    def _later_tip(self, data) -> str:
        """A text rated after the run: that run did not learn from it, and whose change its colours show."""
        done = "written" if better_of(data) is not None else "rated"  # the person's own answer: written
        return LATER_TIP.format(done=done.capitalize(), run=self.trained_by_run, what=self._changed())

    def _say_compared(self) -> None:
        """The heading, the legend's title, the later answers' tips and the window's title name what is compared."""
        self.heading.setText(heading(*self.numbers()))
        combo = self.answer_combo
        for index in range(combo.count()):
            if combo.itemData(index) in self.later_keys:
                combo.setItemData(index, self._later_tip(combo.itemData(index)), Qt.ItemDataRole.ToolTipRole)
        self.legend_title.setText(legend_title(*self.compared()))
        self.title_changed.emit(compared_title(*self.compared()))


    # ------------------------------------------------------------ drawing
    def _show_note(self, text: str, message: dict | None = None) -> None:
        self.before, self.after, self.values, self.ended = [], [], [], False
        self.view.set_records([], prefix=(message or {}).get("text", ""))
        self.summary.setText(text)
        self.movers.setText("")
        self._show_pair()
        self._legend()

    def set_data(self, before, after) -> None:
        """Show two scorings of one answer; the end-of-text token that ended it (scored with
        both, core.session.split_end) shows as a last "end" cell and counts in the whole."""
        lined = lined_up(before, after, getattr(self.chat.loaded, "tokenizer", None))
        if lined.ids_differ:
            log.warning("compare: the token ids differ between the two scorings of %s", self.message_id)
        self.before, self.after, self.ended = lined.before, lined.after, lined.ended
        self.values = deltas(self.before, self.after)
        self.token_names = compared_names(*self.compared())
        self.scale = nice_scale(self.values)
        self._legend()
        self._mark_rated(self.after)
        self.view.set_records(self.after)
        self._summarise()
        self.status.emit("compare shown")

    def _legend(self) -> None:
        """The bar's ends in words (how many times as likely a token at each end became), the
        nats in a tooltip for those who want them (usertest 10)."""
        times = times_words(self.scale)
        low, high = legend_words(self.scale, self.values)
        self.low_label.setText(low)
        self.high_label.setText(high)
        tip = (f"{colour_key(*self.compared())} The ends are {times} as likely or more: a change of "
               f"\u00b1{self.scale:g} nats "
               f"(natural-log units) in its log-probability.")
        # with no adapter in use there is no "after": a colour key of nothing read as if the answer had been compared
        compared = self.active() is not None
        for w in (self.legend_title, self.low_label, self.bar, self.high_label):
            w.setToolTip(tip)
            w.setVisible(compared)

    def _colour(self, index, _record):
        if 0 <= index < len(self.values):
            return change_color(self.values[index], self.scale, is_dark())
        return None

    def _tooltip(self, index, record, fmt) -> None:
        if 0 <= index < len(self.values):
            end = self.ended and index == len(self.values) - 1
            fmt.setToolTip(token_change_tip(self.before[index], self.after[index], self.values[index], token_label,
                                            end=end, names=self.token_names))
        if self.token_ratings:
            underline_hook(self.token_ratings)(index, record, fmt)

    def _said(self, records, index: int) -> str:
        """The token the keys reached, said by its change, which its colour shows, not by its chance; a token with
        no change to tell (none scored yet) by its chance, as any heatmap's."""
        if not 0 <= index < len(self.values):
            return token_said(records, index)
        end = self.ended and index == len(self.values) - 1
        label = piece_label(records[index].text, completed_character(records, index))
        return change_said(label, self.values[index], end=end, names=self.token_names)

    def _expectation(self, mid: int) -> None:
        """What the person asked for, so the colours can be read against it; rated tokens marked."""
        try:
            rows = self.store.ratings(mid)
            correction = self.store.correction(mid)
        except Exception:  # noqa: BLE001
            rows, correction = [], None
        thumbs = next((r["value"] for r in rows if r["token_index"] is None), None)
        self.rated_rows = [(r["token_index"], r["value"]) for r in sorted(rows, key=lambda r: (r["created"], r["id"]))
                           if r["token_index"] is not None]
        self._mark_rated([])  # as stored, until the answer's scoring is shown (set_data)
        self._expect(mid, answer_expectation(thumbs, bool(correction), bool(self.token_ratings)))

    def _expect(self, key: int, words: list[str]) -> None:
        """Say ``words`` of the answer or continuation (``key``: minus its branch id) shown, its ratings that disagree
        with another's in their place."""
        self.expected = (key, words)
        # said once the conflicts are known ("expect green" flashed before "disagree"); one rated after the run says
        # that alone (_say_expectation)
        if self.conflicts_task is not None and key not in self.later_keys:
            self.expect_label.hide()
            return
        self._say_expectation(with_disagreement(words, conflicts_of(self.conflicts, key), key), key)

    def _find_conflicts(self) -> None:
        """Find the ratings that disagree on the store lane (the one that reads and writes the ratings, in order);
        what the view says of them follows when they arrive (``_conflicts_found``)."""
        if self.conflicts_task is not None:
            self.chat.tasks.store.cancel(self.conflicts_task)
        store = self.store
        task = Task(lambda _report, _cancel: find_conflicts(store), "find ratings that disagree", "conflicts")
        # an answer asked for before the last listing (its run was under way when the next was asked) is not heard
        task.on_success = lambda found: self._conflicts_found(found, task)
        task.on_failure = lambda error: self._conflicts_not_found(error, task)
        self.conflicts_task = self.chat.tasks.store.submit(task)

    def _conflicts_not_found(self, error, task: Task) -> None:
        """The store could not be read (deleted meanwhile): the expectation as the answer's own ratings say it."""
        log.warning("compare: %s", error)
        self._conflicts_found([], task)

    def _conflicts_found(self, conflicts: list, task: Task) -> None:
        """The conflicts arrived: the picker's tips and the answer shown's expectation say them."""
        if not isValid(self) or task is not self.conflicts_task:  # the window deleted meanwhile, or a newer ask
            return
        self.conflicts, self.conflicts_task = conflicts, None
        combo = self.answer_combo
        for index in range(combo.count()):
            data = combo.itemData(index)
            if isinstance(data, int) and data not in self.later_keys:  # an answer, or a continuation (minus its id)
                combo.setItemData(index, self._mark_tip(data, combo.itemText(index)), Qt.ItemDataRole.ToolTipRole)
        self._explain_shown_marks()
        if self.expected is not None and self.expected[0] == self.message_id:
            mid, words = self.expected
            self._say_expectation(with_disagreement(words, conflicts_of(conflicts, mid), mid), mid)

    def _mark_tip(self, data, label: str) -> str:
        """An item's tooltip: what its marks mean, as the compare view says it where its ratings disagree."""
        answer = data if isinstance(data, int) else None  # an answer, or a Text continuation (minus its branch id)
        key = better_of(data) if better_of(data) is not None else answer  # a better text: what it replaces
        return mark_words(label, conflicts_of(self.conflicts, answer) if answer is not None else [], answer,
                          continuation=key is not None and key < 0)

    def _mark_rated(self, records) -> None:
        """The rated tokens' marks over ``records`` (the scoring shown): a character split over several
        tokens is marked under all of them, wherever its rating is stored (core.text_pieces)."""
        layout = CharacterLayout([r.text for r in records], self.chat.token_bytes(records))
        self.token_ratings = marked_tokens(layout, stored_ratings(layout, self.rated_rows))
        self.view.set_marks({i: (GOOD_UNDERLINE if v > 0 else BAD_UNDERLINE, v < 0)
                             for i, v in self.token_ratings.items()})

    def _say_expectation(self, words: list[str], key: int) -> None:
        """Show what to expect; for a rating given after the run, that the run did not learn from it."""
        if key in self.later_keys and words:
            words = [later_expectation(self.trained_by_run, written=better_of(key) is not None, what=self._changed())]
        if self.active() is None:  # no "after" to colour: the note under the text says so (NO_ADAPTER_NOTE), once
            words = []
        self.expect_label.setText(" ".join(words))
        self.expect_label.setVisible(bool(words))

    def _chip_label(self, index: int) -> str:
        if self.ended and index == len(self.after) - 1:
            return END_CELL.strip()
        return whitespace_words(self.after[index].text) or token_label(self.after[index].text)

    def _show_pair(self) -> None:
        """Beside an answer the person corrected, or their better answer for it: how each of
        the two moved, one line each (a text not scored yet says how to score it)."""
        key = better_of(self.message_id)
        answer = key if key is not None else self.message_id
        active = self.active()
        if not isinstance(answer, int) or answer <= 0 or answer not in self.corrections or active is None:
            self.pair.hide()
            return
        found = self.better_scores.get(self._kept_key(answer, active, self.corrections[answer]))
        yours = totals(*found) if found else None
        scoring = self.message_id == better_key(answer) and self.task is not None
        # scored beside the model's answer, not only once picked itself (usertest32), where it can be
        off = found is None and self.message_id == answer and not self._score_pair(answer, active)
        model = active["base_model"]
        before = self.store.token_records(answer, adapter_id=self.compared_with, kind="rescored", model_id=model)
        after = self.store.token_records(answer, adapter_id=active["id"], kind="rescored", model_id=model)
        theirs = totals(before, after) if before and after and len(before) == len(after) else None
        later = better_key(answer) in self.later_keys or answer in self.later_keys
        text = pair_words(answer, yours, theirs, adapter_label(active),
                          later_run=self.trained_by_run if later else None, answer_shown=self.message_id == answer,
                          liked=self._thumbs_of(answer) == 1, yours_scoring=scoring or self.pair_task is not None,
                          yours_off=off, against=self.compared()[1] or BASE_CHOICE)
        self.pair.setText(text.replace("@muted", colors(is_dark())["muted"]))
        self.pair.show()

    def colours(self) -> list[tuple[int, int, int]]:
        return [change_color(v, self.scale, is_dark()) for v in self.values]

    def _summarise(self) -> None:
        v = self.values
        if not v:
            self.summary.setText("The answer has no tokens.")
            return
        key = better_of(self.message_id)
        whole = "The whole answer" if key is None else "Your whole answer" if key > 0 else "Your whole continuation"
        if key is None and isinstance(self.message_id, int) and self.message_id > 0:  # an answer, not a continuation
            answer = self.store.get_message(self.message_id)["text"]
            whole = shown_part("".join(r.text for r in self.after[:len(self.after) - self.ended]), answer) or whole
        muted = colors(is_dark())["muted"]
        in_use, against = self.compared()
        adapters = (against, in_use) if against is not None else None
        weights = weights_words(self.before, self.after, getattr(self.chat.loaded, "precision", None))
        said = summary_words(self.before, self.after, self.ended, whole, adapters)
        if weights:
            said += f"<br><small style='color:@muted'>{weights}</small>"
        self.summary.setText(said.replace("@muted", muted))
        self._show_pair()
        self.movers.setText(movers_words(self.before, self.after, v, self.scale, self._chip_label, token_label,
                                         is_dark(), compared_names(in_use, against)))
