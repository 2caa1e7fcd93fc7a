"""One-line labels that give way in a narrow window, dropping or cutting their parts rather than
overflowing: a card's meta line and author, the status bar's model line, the fine-tune label."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel

from desktop_app.core.reading_words import BESIDE_FINETUNE
from desktop_app.core.word_cut import ELLIPSIS, TRAILING
from desktop_app.gui.answer_words import FINISH_WORDS

SEPARATOR = " \u00b7 "
COUNT_ONLY = re.compile(r"[\d,]+ tokens?")  # a meta line's first part that is only a count
# words of the meta line that say the answer is not whole: kept in view before the author's adapter
NOT_WHOLE = {FINISH_WORDS["length"], FINISH_WORDS["context"], FINISH_WORDS["cancelled"]}  # (and a row of its own)
# after the reading line while a fine-tune trains beside the answer (core.reading_words.reading_line): kept in view
# as those are, the author's name giving way first (waiting83: at 1280 px the header had let it go)
KEPT_IN_VIEW = NOT_WHOLE | {BESIDE_FINETUNE}


# shorter words for a part that does not fit: a cut answer says so even beside the ‹ 2/3 › arrows
SHORT_WORDS = {"reached the token limit": "token limit", "filled the context window": "context full"}


def fitted_meta(text: str, metrics, width: int) -> str:
    """The most of a "a · b · c" line that fits ``width``: whole parts are dropped from the end
    (never "branched at to\u2026"), each count tried with the short words (SHORT_WORDS) before
    a part goes; only a first part too long on its own is cut."""
    parts = text.split(SEPARATOR)
    short = [SHORT_WORDS.get(part, part) for part in parts]
    for count in range(len(parts), 0, -1):
        lines = [SEPARATOR.join(parts[:count]), SEPARATOR.join(short[:count])]
        if count == 2 and cut_mark(parts) is not None:
            lines.append(cut_mark(parts))  # "stopped" says more than "23 tokens" (usertest 11)
        for line in lines:
            if metrics.horizontalAdvance(line) <= width:
                return line
    return at_word(parts[0], metrics, width)


def at_word(text: str, metrics, width: int) -> str:
    """``text`` in ``width``: whole, else its words up to the last that fits with "…" after it (the status
    bar's "Converting SmolLM2-135M-Instruct.Q4_1.gguf for this com…" ended in half a word beside the
    progress bar at 1024x600, leftovers56); a first word too long alone is cut where it must be."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        line = " ".join(words[:count]).rstrip(TRAILING) + ELLIPSIS
        if metrics.horizontalAdvance(line) <= width:
            return line
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


def cut_mark(parts: list[str]) -> str | None:
    """The short words of a count's "not whole" part ("stopped", "token limit") for a line
    "23 tokens · stopped ...", else None."""
    if len(parts) > 1 and COUNT_ONLY.fullmatch(parts[0]) and parts[1] in NOT_WHOLE:
        return SHORT_WORDS.get(parts[1], parts[1])
    return None


class ElidedLabel(QLabel):
    """One line that drops its last parts when it does not fit; text() keeps the whole line, and a line shown
    cut has it whole in its tooltip (unless the label was given a tooltip of its own)."""

    fitted = staticmethod(fitted_meta)  # (text, font metrics, width) -> the text painted

    def __init__(self, text: str = "", parent=None, *, least: int | None = None) -> None:
        super().__init__(text, parent)
        self.least = least  # the most width it asks a layout for, at least; None: its whole text

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        if self.least is not None:
            hint.setWidth(min(hint.width(), self.least))
        return hint

    def paintEvent(self, _event) -> None:
        rect = self.contentsRect()
        shown = self.fitted(self.text(), self.fontMetrics(), rect.width())
        self._tip_whole(shown)
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(),
                                  shown, self.foregroundRole())
        painter.end()

    def _tip_whole(self, shown: str) -> None:
        own = self.toolTip()
        if own and own != getattr(self, "whole_tip", None):  # a tooltip of its own stays
            return
        self.whole_tip = self.text() if shown != self.text() else ""
        if own != self.whole_tip:
            self.setToolTip(self.whole_tip)


def fitted_author(text: str, metrics, width: int) -> str:
    """"model · adapter 1" in ``width``: the model's name is elided first and the last part
    (which adapter, or "base model") stays, so siblings from the base model and an adapter
    stay told apart in a narrow chat; only when that part alone does not fit is it cut."""
    if metrics.horizontalAdvance(text) <= width or SEPARATOR not in text:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    model, which = text.rsplit(SEPARATOR, 1)
    tail = SEPARATOR + which
    room = width - metrics.horizontalAdvance(tail)
    for cut in name_cuts(model):  # "SmolLM2-135M…", then "SmolLM2…": whole pieces of the name first
        if metrics.horizontalAdvance(cut) <= room:
            return cut + tail
    head = metrics.elidedText(model, Qt.TextElideMode.ElideRight, room)
    if len(head) >= AUTHOR_HEAD_CHARS:
        return head + tail
    return metrics.elidedText(which, Qt.TextElideMode.ElideRight, width)


def fitted_model_line(text: str, metrics, width: int) -> str:
    """"model (note) · cpu · Fast (bfloat16)" in ``width``: the name's note goes first, then
    pieces of the name, so the device and the precision stay in a narrow window (usertest 8:
    "· cpu" with no precision read as if it were not known yet); past that, parts go from the end."""
    if metrics.horizontalAdvance(text) <= width or SEPARATOR not in text:
        return fitted_meta(text, metrics, width)
    name, rest = text.split(SEPARATOR, 1)
    tail = SEPARATOR + rest
    bare = name.split(" (")[0]
    for cut in [bare, *name_cuts(bare)]:
        if metrics.horizontalAdvance(cut + tail) <= width:
            return cut + tail
    return fitted_meta(text, metrics, width)


class ModelLabel(ElidedLabel):
    """The status bar's "model · device · precision": narrowed, it keeps the device and precision."""

    fitted = staticmethod(fitted_model_line)


def name_cuts(name: str) -> list[str]:
    """A model's name cut after its dash-separated pieces, longest first, each ending in "…"."""
    pieces = name.split("-")
    return ["-".join(pieces[:count]) + "\u2026" for count in range(len(pieces) - 1, 0, -1)]


AUTHOR_HEAD_CHARS = 4  # fewer characters of the model's name say nothing: "which" alone then


class AuthorLabel(ElidedLabel):
    """An answer's author, "model · adapter N": gives way by eliding the model's name; its
    minimum width holds the adapter part. text() keeps the whole line (its tooltip says more)."""

    fitted = staticmethod(fitted_author)

    def sensible_width(self) -> int:
        """The px of its shortest form that still names the model: "SmolLM2\u2026 \u00b7 base model"."""
        text = self.text()
        if SEPARATOR in text:
            model, which = text.rsplit(SEPARATOR, 1)
            text = (name_cuts(model) or [model])[-1] + SEPARATOR + which
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2

    def readable_width(self) -> int:
        """The px of its form that still says which model: two pieces of the name, "SmolLM2-135M…
        · adapter 1" (usertest: "SmolLM2…" beside the compare and pencil icons named no model; the
        header's tools move to a row of their own before the name goes below this)."""
        text = self.text()
        if SEPARATOR in text:
            model, which = text.rsplit(SEPARATOR, 1)
            cuts = name_cuts(model.split(" (")[0])  # a "(bundled, offline)" note is the first to go
            text = (cuts[-2] if len(cuts) > 1 else model.split(" (")[0]) + SEPARATOR + which
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 2
        return min(width, self.sizeHint().width())

    def minimumSizeHint(self):
        """The adapter part ("adapter 1", "base model") whole, in the font it is painted in
        (the style sheet's bold arrives after the text is set)."""
        hint = super().minimumSizeHint()
        which = self.text().rsplit(SEPARATOR, 1)[-1]
        width = self.fontMetrics().horizontalAdvance(which) + self.contentsMargins().left() + self.contentsMargins().right() + 2
        hint.setWidth(min(width, self.sizeHint().width()))
        return hint
