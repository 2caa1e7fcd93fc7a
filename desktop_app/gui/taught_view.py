"""What the person taught, shown after a fine-tune: a few of their own rated questions and a
question or two training never saw (one an open request: did the style spread there?), each
with the greedy answer before and after the run, side by side. The pairs are the gate's re-asks (``metrics["taught"]``, core/training.py),
so showing them costs nothing; after a discarded run they show why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.finetune_effect import repeated_opening
from desktop_app.core.taught_words import (clip_at_word, new_since_words, rated, repeats_words, shown_answer,
                                           unchecked_why, yours_label)
from desktop_app.gui.finetune_words import breakable, card_rank, pick_pairs
from desktop_app.gui.theme import styled_label

# "Greedy answers" meant nothing to a new user, and the "before" differed from the answer they were
# given without a word of why (usertest 11, #12)
GREEDY_WORDS = ("Each answer here is the one the model gives when it always picks its likeliest next word, "
                "so it can differ from the answer you got in the chat, where the next word is drawn at random "
                "among the likely ones.")
PAIR_KEYS_WORDS = " Tab reaches each question; \u2191 \u2193 go from one to the next."
CLIP = 160  # characters of an answer shown; the whole answer is in the tooltip


def _tag(pair: dict, since_run=None) -> str:
    new = new_since_words(pair, since_run)  # the person's latest ratings: did this run learn them? (usertest 13)
    return f"{new} \u00b7 {_kind_tag(pair)}" if new else _kind_tag(pair)


def _kind_tag(pair: dict) -> str:
    twice = repeated_opening(pair.get("after"))
    again = repeats_words(pair.get("after"))
    broken = (f" \u00b7 broken after: it says \u201c{twice}\u201d twice" if twice
              else f" \u00b7 the new answer {again}" if again else "")
    why = unchecked_why(pair)
    unchecked = f" \u00b7 not checked automatically ({why}): compare it with yours" if why and pair.get("right") else (
        f" \u00b7 not checked automatically ({why})" if why else "")
    if pair.get("dropped_after"):
        lost = "misses your answer" if pair.get("right") else "lost its answer"
        return f"{_tag_of_kind(pair)} \u00b7 {lost}{broken}"
    return _tag_of_kind(pair) + unchecked + broken


def _tag_of_kind(pair: dict) -> str:
    # an answer the person wrote is theirs, not one they rated (leftovers77); a run recorded before pairs said
    # who wrote the answer (``right_written`` None) keeps "you rated this", which was true of it either way
    done = "you wrote an answer for this" if pair.get("right_written") is True else "you rated this"
    if pair.get("seen"):
        return done
    if pair.get("held"):
        return f"{done}; kept out of training to test the result"
    return "an open request, never seen in training" if pair.get("open") else "never seen in training"


def _clip(text: str) -> str:
    # at a whole word: "the world of art was no" read as a typo (usertest 10)
    return breakable(clip_at_word(text, CLIP))


PAIR_KEYS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}


class TaughtPair(QFrame):
    """One question with its answers, a Tab stop with a focus ring (style.qss): the card's pairs were reached
    only by scrolling the panel with PageUp/PageDown (usertest26). ↑ ↓ (or ← →) go to the pair before or
    after, Home / End to the first or last; the panel scrolls to the pair that takes the focus."""

    def __init__(self, view: "TaughtView", index: int):
        super().__init__(view.body)
        self.view, self.index = view, index
        self.setObjectName("TaughtPair")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)

    def keyPressEvent(self, event) -> None:
        count = len(self.view.pair_frames)
        key = event.key()
        to = (0 if key == Qt.Key.Key_Home else count - 1 if key == Qt.Key.Key_End
              else self.index + PAIR_KEYS[key] if key in PAIR_KEYS else None)
        if to is None:
            super().keyPressEvent(event)
            return
        self.view.pair_frames[max(0, min(to, count - 1))].setFocus(Qt.FocusReason.OtherFocusReason)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:  # the whole pair where it fits, its top where it does not
            area.ensureWidgetVisible(self, 0, 0)


class TaughtView(QFrame):
    """Question, then "before" and "after" answers in two columns, for each pair (``TaughtPair``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TaughtView")
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 6, 0, 0)
        self.outer.setSpacing(4)
        # wrapped: on a 480 px screen's panel (190 px) the title kept the card 242 px wide, cut at the panel's edge
        self.title = styled_label("The model's answers before \u2192 after", "TaughtTitle", wrap=True)
        self.title.setToolTip("Greedy decoding: each answer is the model's likeliest token at every step, "
                              "with no sampling, so a run is compared on the same footing before and after.")
        self.outer.addWidget(self.title)
        self.outer.addWidget(styled_label(GREEDY_WORDS + PAIR_KEYS_WORDS, "Muted", wrap=True))
        self.body = QWidget()
        self.column = QVBoxLayout(self.body)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(2)
        self.outer.addWidget(self.body)
        self.pairs: list[dict] = []
        self.pair_frames: list[TaughtPair] = []
        self.since_run = None
        self.hide()

    def set_pairs(self, taught: list[dict] | None, since_run=None) -> None:
        """``since_run``: the run the questions marked ``new`` were rated after (metrics' ``new_since_run_id``)."""
        for frame in self.pair_frames:  # out of the view now: a redraw's lookups find the new labels only
            frame.hide()  # first: a pair that had the focus hands it on within the window
            frame.setParent(None)
            frame.deleteLater()
        self.pairs = pick_pairs(list(taught or []))
        self.since_run = since_run
        self.pair_frames = [self._add_pair(pair, i) for i, pair in enumerate(self.pairs)]
        self.setVisible(bool(self.pairs))

    def _add_pair(self, pair: dict, index: int) -> TaughtPair:
        frame = TaughtPair(self, index)
        tag = _tag(pair, self.since_run)
        question = styled_label("", "TaughtQuestion", wrap=True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        question.setText(f"\u201c{_clip(pair.get('question') or '(no question)')}\u201d \u00b7 {tag}")
        question.setProperty("flag", card_rank(pair) < 2)  # a pair the person should read stands out (style.qss)
        frame.grid.addWidget(question, 0, 0, 1, 2)
        row = 0
        # the person's own answer (the better one they wrote, the one they liked) above every rated pair, not
        # only the unchecked ones: ux42 read "Who wrote Hamlet? · misses your answer" and never saw the answer
        if rated(pair) and pair.get("right"):
            row += 1
            self._add_yours(frame, pair, row)
        for column, (key, caption) in enumerate((("before", "before"), ("after", "after"))):
            text = shown_answer(pair, key)
            label = styled_label("", "TaughtAnswer", wrap=True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setText(f"{caption}: {_clip(text) or '(empty)'}")
            label.setToolTip(text)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            label.setProperty("side", key)
            label.setMinimumWidth(40)
            frame.grid.addWidget(label, row + 1, column)
        # what a screen reader says as the pair takes the focus: the whole of it, not its clipped labels
        frame.setAccessibleName(f"Pair {index + 1} of {len(self.pairs)}: {question.text()}")
        frame.setAccessibleDescription(f"before: {shown_answer(pair, 'before')}; after: {shown_answer(pair, 'after')}")
        self.column.addWidget(frame)
        return frame

    def _add_yours(self, frame: TaughtPair, pair: dict, row: int) -> None:
        """The person's own answer, or (Text mode) the continuation they liked or wrote: usertest 18 read
        "your answer:" over a continuation of the Eiffel Tower text, which was no answer to anything;
        usertest 20 over the model's answer they had only liked (``yours_label``)."""
        answer = pair["right"]
        yours = styled_label("", "TaughtYours", wrap=True)
        yours.setTextFormat(Qt.TextFormat.PlainText)
        yours.setText(f"{yours_label(pair)}: {_clip(answer)}")
        yours.setToolTip(answer)
        frame.grid.addWidget(yours, row, 0, 1, 2)

    def answer_labels(self) -> list[QLabel]:
        return [w for w in self.body.findChildren(QLabel) if w.objectName() == "TaughtAnswer"]

    def question_labels(self) -> list[QLabel]:
        """The pairs' question lines, in the card's order."""
        return [frame.findChild(QLabel, "TaughtQuestion") for frame in self.pair_frames]
