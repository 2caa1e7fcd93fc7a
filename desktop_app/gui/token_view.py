"""TokenView: a text of TokenRecords drawn as coloured spans (the probability heatmap).

Each token is one span whose QTextCharFormat carries the background colour, an HTML
tooltip and the token's index (``TOKEN_INDEX`` user property), so hover and click map
back to records. Colours come from a colour function, so other views (a before/after
"compare" colouring, token ratings drawn as underlines) reuse the same widget:
``set_colorizer(fn)`` and ``set_format_hook(fn)``.
"""

from __future__ import annotations

import bisect
import html
import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (QColor, QContextMenuEvent, QCursor, QFont, QKeySequence, QPainter, QTextBlockFormat,
                           QTextCharFormat, QTextCursor)
from PySide6.QtWidgets import QApplication, QSizePolicy, QTextEdit, QToolTip

from desktop_app.core.records import TokenRecord
from desktop_app.core.grapheme_cells import drawn_texts, redraw_start
from desktop_app.core.token_words import (cell_texts, completed_character, shown_text, token_said, tooltip_html,
                                          written_places)
from desktop_app.gui.token_marks import MarkPainter, span_rects
# the formats and colours live in token_formats; their names stay importable from here, where callers found them
from desktop_app.gui.token_formats import (MODEL_START_COLOUR, MODEL_WORDS, PLAIN, TOKEN_INDEX, Colorizer,  # noqa: F401
                                           FormatHook, MeasureColors, Overlay, coloured_format, dark_now,
                                           legend_stops, measure_colorizer, model_start_rects, overlay_format,
                                           paint_model_starts)

MARKS_MARGIN = 6  # px around the text: a mark on its first or last line is not cut off
LINE_GAP = 7  # px between lines, for the tokens' marks and rings
# what a screen reader calls a view by where it shows (the token under the keys' selection: its description)
CARD_TEXT_NAMES = {"user": "Your message", "assistant": "Answer"}
HEATMAP_NAME = "Your text's tokens"


# a piece's mark in half its width: a family emoji's ~11 GPT-2 tokens (20 in the tiny test tokenizer's bytes) drew a
# row of full-width dots before its glyph, 95 px of them; each piece keeps its own cell, colour and click (text71)
PIECE_MARK = shown_text("", coloured=True)
PIECE_SPACING = 50  # percent of the mark's own advance

FLASH_MS = 2500  # how long a word the ranking pointed at keeps its ring: long enough to find it after the scroll


STEP_OUT_KEYS = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
SHOW_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)  # the selected token shown again


class TokenView(QTextEdit):
    """Read-only heatmap of one text. ``prefix`` is plain text shown before the records
    (e.g. a prompt's first token, which nothing predicts).

    Attributes:
        records, prefix: what it shows.
        starts, ends: document positions of each token's span.
        measure, colorizer: the colour measure and the function that colours a token.
        format_hook: extra formatting per token (rating underlines, compare tooltips), or None.
        marks: token index -> (colour, dashed): bars drawn under tokens.
        model_written: indices of the tokens a model's continuation wrote: drawn in italic,
            with a bar where each stretch of them begins (the person's text ends).
        selected: the clicked token (-1: none); _hovered: the token under the mouse."""

    token_clicked = Signal(int)
    token_hovered = Signal(int)  # -1 when the pointer leaves the tokens
    overlay_changed = Signal()  # an overlay (the attribution) was painted or cleared: the colour key follows
    # Up / Down: the text above or below this one (an answer card's: the chat's answer before or after), so a
    # keyboard user reaches an older answer without Tabbing round the whole window (usertest42); only where
    # ``steps_out`` is set: the Text tab's heatmap scrolls its one text with them
    step_out = Signal(int)  # -1 up, +1 down

    def __init__(self, parent=None, measure: str = "probability", *, lazy_tooltips: bool = False):
        super().__init__(parent)
        # lazy: a token's tooltip is written when the pointer rests on it, not for every span
        # when the text is laid out (a long text's heatmap lays out in a third of the time)
        self.lazy_tooltips = lazy_tooltips
        self._base_formats: dict = {}  # colour -> a format with that background and its text colour
        self.chip_colours: dict = {}  # token index -> the colour behind it, as last laid out
        self.backdrop_key: str | None = None  # the theme's colour behind the text, where faint chips get an edge
        self._read_only_look()
        self.document().setDocumentMargin(MARKS_MARGIN)  # room for the marks around the first and last lines
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self.mark_painter = MarkPainter(self)  # the marks' rectangles, kept until the layout changes
        self.document().contentsChanged.connect(self.mark_painter.forget)
        self.document().documentLayout().documentSizeChanged.connect(self.mark_painter.forget)
        self._no_tokens_yet(measure)
        self.flashed: tuple[int, int, QColor] | None = None  # (start, end, colour): a word pointed at, for a moment
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self.end_flash)
        self._hovered = -1
        # the text moves under a still pointer (the Text tab's heatmap scrolls itself): no mouse move tells
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.recheck_hover())
        self._press_pos = None
        self._press_index = -1  # the token under the press: the one a click picks (see mouseReleaseEvent)
        self.picked_by_click = False  # set while a click's (or Enter's) choose_token runs: the inspector then comes forward
        self._block_format = QTextBlockFormat()
        self._block_format.setLineHeight(LINE_GAP, QTextBlockFormat.LineHeightTypes.LineDistanceHeight.value)
        QTextCursor(self.document()).setBlockFormat(self._block_format)  # streamed text too, not only rebuilt
        self._fit_height()

    def _no_tokens_yet(self, measure: str) -> None:
        """The view's tokens, their colours and marks, all empty until a text is set; coloured by ``measure``."""
        self.records: list[TokenRecord] = []
        self.prefix = ""
        self.suffix = ""
        self.starts: list[int] = []  # document position where each token's span starts
        self.ends: list[int] = []
        self.drawn: list[str] = []  # what each token's cell draws (a cluster spread over tokens: whole, in its last)
        self.shown: list[str] = []  # what each cell shows: ``drawn`` with the view's marks
        self.measure = measure
        self.colorizer: Colorizer | None = measure_colorizer(measure)
        self.format_hook: FormatHook | None = None
        self.tip_for = None  # (index, record) -> a token's tooltip in place of its figures' (None: theirs)
        self.said_for = token_said  # (records, index) -> the token the keys reached, for a screen reader
        self.marks: dict[int, tuple[str, bool]] = {}  # token index -> (colour, dashed): bars under tokens
        self.overlay: Overlay | None = None  # colours shown over the measure's for a while (attribution)
        self.model_written: set[int] = set()
        self.chosen: dict[int, str] = {}  # token index -> the words saying the person chose it (set_records)
        self.prefix_model_spans: list[tuple[int, int]] = []  # a plain text's continuations, before its colours
        self.selected = -1
        self._built_dark = False  # the theme the tokens were last coloured in
        self.steps_out = False  # Up / Down emit step_out (an answer card's view), else move as a text box's do

    def _read_only_look(self) -> None:
        """Text to read and click, not to edit: no frame, no scroll bars of its own (it grows to its text:
        ``_fit_height``), a pointing hand over the tokens, which follow the mouse for their tooltips."""
        self.setObjectName("TokenView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QTextEdit.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)

    def line_pitch(self) -> int:
        """From one line of text to the next: the font's line and the gap under it."""
        return self.fontMetrics().lineSpacing() + LINE_GAP

    # ------------------------------------------------------------ content
    def set_records(self, records, prefix: str = "", model_written=(), suffix: str = "", prefix_model_spans=(),
                    chosen=None) -> None:
        """Show ``records`` after ``prefix``; ``model_written``: the indices a model's
        continuation wrote (marked as the model's); ``suffix``: plain text after them (the
        part of a text no scoring reached); ``prefix_model_spans``: the characters of ``prefix`` a
        model wrote, marked the same way while the text waits for its colours; ``chosen``: {index: words} of
        the tokens a person chose for a branch (core/chosen_token.py), dotted under and said in their tooltips."""
        self.records = list(records)
        self.chosen = dict(chosen or {})
        self.prefix = prefix
        self.suffix = suffix
        self.model_written = set(model_written)
        self.prefix_model_spans = [(start, min(end, len(prefix))) for start, end in prefix_model_spans
                                   if start < len(prefix)]
        self._rebuild()

    def append_records(self, records, by_model: bool = False) -> None:
        """Add streamed tokens at the end in one edit block (``by_model``: a continuation's)."""
        records = list(records)
        if not records:
            return
        first = len(self.records)
        self.records.extend(records)
        if by_model:
            self.model_written.update(range(first, first + len(records)))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        start, redrawn = self._draw_tail(cursor, first)
        for index in range(redrawn, len(self.records)):
            self._insert(cursor, index, self.records[index])
        self._retip(cursor, start, redrawn)
        cursor.endEditBlock()

    def _draw_tail(self, cursor: QTextCursor, first: int) -> tuple[int, int]:
        """The cells from ``first`` on drawn anew, and those before it that the new tokens change: a cluster at the
        text's end grows (a joiner came, then the emoji it joins) and a piece's mark follows the character after it.
        Those cells are taken out of the document (``cursor`` left where they were, else where it was); returns the
        first cell the new tokens may concern (``redraw_start``) and the first to insert."""
        start = redraw_start(_TextsOf(self.records), self.drawn, first)  # read back from the end: a few tokens
        tail = drawn_texts([record.text for record in self.records[start:]])
        # a cell before ``start`` keeps its mark: the character after it, at ``start``, stays where it is
        drawn, shown = self.drawn[:start] + tail, self.shown[:start] + cell_texts(tail, self.colorizer is not None)
        redrawn = next((i for i in range(start, first) if shown[i] != self.shown[i] or drawn[i] != self.drawn[i]), first)
        if redrawn < first:
            cursor.setPosition(self.starts[redrawn])
            cursor.setPosition(self.ends[first - 1], QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            del self.starts[redrawn:], self.ends[redrawn:]
        self.drawn, self.shown = drawn, shown
        return start, redrawn

    def _retip(self, cursor: QTextCursor, start: int, end: int) -> None:
        """Cells ``start`` to ``end`` (kept as they were drawn) formatted again: their tooltips, set as they streamed
        in, said "(part of a character)" before the token completing them came; now they name it, "(part of “首”)",
        as the inspector does (left69), or the whole cluster a later token grew ("👩‍👩‍👧", glyph70). Tooltips made at
        hover time read the records as they are then."""
        if self.lazy_tooltips and not self.format_hook:
            return
        for index in range(start, end):
            if self.starts[index] < self.ends[index]:  # a cell that shows nothing has no tooltip to mend
                cursor.setPosition(self.starts[index])
                cursor.setPosition(self.ends[index], QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(self.char_format(index, self.records[index]))

    def set_chosen(self, chosen: dict) -> None:
        """Mark the tokens a person chose for a branch, as ``set_records``'s ``chosen``, on the tokens shown."""
        if dict(chosen) != self.chosen:
            self.chosen = dict(chosen)
            self._rebuild()

    def set_measure(self, measure: str) -> None:
        self.measure = measure
        self.colorizer = measure_colorizer(measure)
        self._rebuild()

    def set_colorizer(self, colorizer: Colorizer | None) -> None:
        """Any colouring (e.g. a diverging before/after change); None draws plain text."""
        self.colorizer = colorizer
        self._rebuild()

    def set_format_hook(self, hook: FormatHook | None) -> None:
        """Called for every token's format after colouring (e.g. to underline rated tokens)."""
        self.format_hook = hook
        self._rebuild()

    def set_marks(self, marks: dict) -> None:
        """Bars drawn under tokens (e.g. rated ones): index -> (colour, dashed)."""
        self.marks = dict(marks)
        self.mark_painter.marks_changed()
        self.viewport().update()

    def set_overlay(self, overlay: "Overlay | None") -> None:
        """Colours and tooltips shown instead of the measure's until cleared with None (e.g. an
        attribution heatmap); the measure, the format hook and the marks stay as they were."""
        self.overlay = overlay
        self._rebuild()
        self.overlay_changed.emit()

    def refresh(self) -> None:
        self._rebuild()

    def model_starts(self) -> list[int]:
        """Document positions where a stretch of the model's tokens (or of a plain prefix's) begins."""
        return [start for start, _end in self.prefix_model_spans] + [
            self.starts[i] for i in sorted(self.model_written) if i < len(self.starts) and (i - 1) not in self.model_written]

    def paintEvent(self, event) -> None:
        """The text, then the marks over it: a box and a bar for each rated token (dashed: bad),
        and a ring around the selected token, whose own colour stays in view (usertest 11: a bad
        rating was a tiny red line under one glyph, and the selection's blue hid the heat colour).
        The marks' rectangles and drawing are kept per layout (gui/token_marks.py)."""
        super().paintEvent(event)
        if self.model_written or self.prefix_model_spans:
            painter = QPainter(self.viewport())
            offset = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
            paint_model_starts(painter, self.document(), self.model_starts(), offset)
            painter.end()
        self._paint_faint_chip_edges(event.rect())
        if not self.marks and not 0 <= self.selected < len(self.starts) and self.flashed is None:
            return
        from desktop_app.gui.theme import colors, is_dark

        theme = colors(is_dark())
        painter = QPainter(self.viewport())
        self.mark_painter.paint(painter, event.rect(), QColor(theme["accent"]), QColor(theme["card"]))
        if self.flashed is not None:
            start, end, colour = self.flashed
            self.mark_painter.paint_flash(painter, span_rects(self, start, end), colour, QColor(theme["card"]))
        painter.end()

    def _paint_faint_chip_edges(self, exposed) -> None:
        if self.backdrop_key is None or not self.chip_colours:
            return
        from desktop_app.gui.chip_edges import paint_chip_edges
        from desktop_app.gui.theme import colors

        backdrop = QColor(colors(self._built_dark)[self.backdrop_key])
        painter = QPainter(self.viewport())
        paint_chip_edges(self, painter, QRectF(exposed), (backdrop.red(), backdrop.green(), backdrop.blue()))
        painter.end()

    def flash(self, start: int, end: int, rgb, ms: int = FLASH_MS) -> None:
        """A ring in ``rgb`` around document positions ``start`` to ``end`` for ``ms``: the word
        "Why this token?"'s ranking pointed at, found among the others (its colours may be on)."""
        self.flashed = (start, end, QColor(*rgb))
        self._flash_timer.start(ms)
        self.viewport().update()

    def end_flash(self) -> None:
        self._flash_timer.stop()
        if self.flashed is not None:
            self.flashed = None
            self.viewport().update()

    def token_rects(self, index: int) -> list[QRectF]:
        """The viewport rectangles of token ``index``, one per visual line it covers."""
        offset = QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())
        return [r.translated(offset) for r in self.mark_painter.token_rects(index)]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.mark_painter.forget()  # another width: other line breaks

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self.mark_painter.forget()
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "records", None) and self._built_dark != dark_now():
            self._rebuild()  # Settings → Colours: the heatmap takes the new theme's scale at once

    def _rebuild(self) -> None:
        self._built_dark = dark_now()
        if isinstance(self.colorizer, MeasureColors):
            self.colorizer.dark = self._built_dark
        doc = self.document()
        self.starts, self.ends = [], []
        self.drawn = drawn_texts([record.text for record in self.records])
        self.shown = cell_texts(self.drawn, self.colorizer is not None)
        self.chip_colours = {}
        doc.clear()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        cursor.setBlockFormat(self._block_format)
        if self.overlay is not None and self.overlay.prefix_pieces and self.prefix:
            for text, rgb, tip in self.overlay.prefix_pieces:
                cursor.insertText(text, overlay_format(rgb, tip))
        elif self.prefix:
            self._insert_plain_prefix(cursor)
        for index, record in enumerate(self.records):
            self._insert(cursor, index, record)
        if self.suffix:
            cursor.insertText(self.suffix, QTextCharFormat())
        cursor.endEditBlock()
        if 0 <= self.selected < len(self.records):
            self.select_token(self.selected)
        self._rehover()

    def _insert_plain_prefix(self, cursor: QTextCursor) -> None:
        """The uncoloured prefix, a model's stretches of it in italics (as its tokens will be once coloured): a
        reopened text showed its continuations as the person's own words until the model had loaded (usertest43)."""
        italic, done = QTextCharFormat(), 0
        italic.setFontItalic(True)
        for start, end in self.prefix_model_spans:
            cursor.insertText(self.prefix[done:start], QTextCharFormat())
            cursor.insertText(self.prefix[start:end], italic)
            done = end
        cursor.insertText(self.prefix[done:], QTextCharFormat())

    def _rehover(self) -> None:
        """The text was rebuilt under a still pointer (another text, a new analysis): the token under it is
        found again and told even at the same place, whose token is another now (usertest 24: the status
        bar kept the figures of a token of the text that went). Nothing hovered: nothing to tell."""
        if self._hovered < 0:
            return
        self._hovered = self.pointer_index()
        self.token_hovered.emit(self._hovered)

    def char_format(self, index: int, record: TokenRecord) -> QTextCharFormat:
        rgb = self.colorizer(index, record) if self.colorizer else None
        if self.overlay is not None:
            rgb = self.overlay.colours.get(index)
        fmt = QTextCharFormat(self._base_format(rgb))
        if rgb is not None:
            self.chip_colours[index] = rgb
        fmt.setProperty(TOKEN_INDEX, index)
        if not self.lazy_tooltips or self.format_hook:  # a hook may add to the tooltip
            fmt.setToolTip(self.token_tip(index, record))
        if self.overlay is not None and index in self.overlay.tips:
            fmt.setToolTip(self.overlay.tips[index])
        if index in self.model_written:
            fmt.setFontItalic(True)
        if index in self.chosen:  # dotted, in the text's own colour: a rating's underline (the hook's) still wins
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        if self.is_piece(index):
            fmt.setFontLetterSpacingType(QFont.SpacingType.PercentageSpacing)
            fmt.setFontLetterSpacing(PIECE_SPACING)
        if self.format_hook:
            self.format_hook(index, record, fmt)
        return fmt

    def is_piece(self, index: int) -> bool:
        """A cell that draws nothing of its own, only its piece mark: the first bytes of a character, or a part of
        a cluster the token after it finishes (``grapheme_cells.drawn_texts``)."""
        return index < len(self.drawn) and self.drawn[index] == "" and self.shown[index] == PIECE_MARK

    def token_tip(self, index: int, record: TokenRecord) -> str:
        """A token's tooltip: ``tip_for``'s (a change's before and after), else its figures."""
        tip = ((self.tip_for(index, record) if self.tip_for else None)
               or tooltip_html(record, completes=self.completed_character(index)))
        return tip + (f"<p><b>{html.escape(self.chosen[index], quote=False)}</b></p>" if index in self.chosen else "")

    def completed_character(self, index: int) -> str:
        """``token_words.completed_character``, read only for a token whose cell draws other than its own text (a
        piece, part of a cluster spread over tokens): a token drawn as it is holds whole characters of its own."""
        whole = index < len(self.drawn) and self.records[index].text not in ("", None) \
            and self.drawn[index] == self.records[index].text
        return "" if whole else completed_character(self.records, index)

    def _base_format(self, rgb) -> QTextCharFormat:
        """One shared format per colour (copies of a format share its data until changed)."""
        fmt = self._base_formats.get(rgb)
        if fmt is None:
            fmt = self._base_formats[rgb] = coloured_format(rgb)
        return fmt

    def _insert(self, cursor: QTextCursor, index: int, record: TokenRecord) -> None:
        text = self.shown[index]
        fmt = self.char_format(index, record)
        start = cursor.position()
        if "\n" in text:  # a newline inside a span: keep the colour up to the line end only
            parts = text.split("\n")
            for n, part in enumerate(parts):
                if part:
                    cursor.insertText(part, fmt)
                if n < len(parts) - 1:
                    cursor.insertText("\n", fmt)
        else:
            cursor.insertText(text, fmt)
        self.starts.append(start)
        self.ends.append(cursor.position())

    # ------------------------------------------------------------ geometry
    least_height = 0  # set_least_height's: the room a holder gives a short text (0: the text's own height)

    def _fit_height(self, *_args) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth() + 2
        height = max(height, 24, self.least_height)
        if height != self.height():
            self.setFixedHeight(height)

    def set_least_height(self, pixels: int) -> None:
        """At least ``pixels`` high however short the text: the Text tab's heatmap takes the room the editor had,
        its frame round it (a short text's was one line tall over blank room, left69)."""
        self.least_height = max(0, pixels)
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(400, self.height())

    # ------------------------------------------------------------ hit testing
    def index_at(self, point) -> int:
        """The token under a viewport point, or -1."""
        doc_point = QPointF(point.x() + self.horizontalScrollBar().value(),
                            point.y() + self.verticalScrollBar().value())
        pos = self.document().documentLayout().hitTest(doc_point, Qt.HitTestAccuracy.ExactHit)
        if pos < 0:
            return -1
        return self.index_at_position(self._char_beside(pos, point.x()))

    def _char_beside(self, pos: int, x: int) -> int:
        """The character under ``x`` of the two beside cursor position ``pos`` (hitTest's nearest boundary):
        the one whose box holds ``x``. Right-to-left text puts a character left of its own position, so the rule
        "left of the boundary: the character before it" picked the neighbouring token there (intl69: an Arabic
        word's first letter opened the word before it)."""
        for char in (pos, pos - 1):
            if char >= 0 and self._char_holds(char, x):
                return char
        return pos - 1 if pos > 0 and self._caret_x(pos)[0] > x else pos

    def _char_holds(self, char: int, x: int) -> bool:
        """Whether character ``char``'s box on its line spans ``x`` (its edges: the carets before and after it)."""
        (start, start_y), (end, end_y) = self._caret_x(char), self._caret_x(char + 1)
        return start_y == end_y and min(start, end) <= x < max(start, end)

    def _caret_x(self, pos: int) -> tuple[int, int]:
        """The viewport x and y of the caret at document position ``pos``."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(pos, self.document().characterCount() - 1))
        rect = self.cursorRect(cursor)
        return rect.x(), rect.y()

    def index_at_position(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        if 0 <= i < len(self.ends) and pos < self.ends[i]:
            return i
        return -1

    def span_rect(self, index: int):
        """Viewport rectangle of a token's first character (for tests and popups)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.starts[index])
        rect = self.cursorRect(cursor)
        rect.setWidth(max(4, rect.width()))
        cursor.setPosition(min(self.starts[index] + 1, self.ends[index]))
        right = self.cursorRect(cursor).x()
        if right > rect.x():
            rect.setRight(right)
        return rect

    def event(self, event) -> bool:
        """The Menu key opens the selected token's menu, at the token, as a right-click on it does: Qt
        put the menu at the text cursor, on no token, with only Copy and Select all (usertest22: a
        keyboard user told "right-click a token to rate it" pressed the Menu key)."""
        if (event.type() == QEvent.Type.ContextMenu and event.reason() == QContextMenuEvent.Reason.Keyboard
                and 0 <= self.selected < len(self.starts)
                and self.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu):
            self.customContextMenuRequested.emit(self.span_rect(self.selected).center())
            return True
        return super().event(event)

    def viewportEvent(self, event) -> bool:
        # Qt's own char-format tooltip rounds to the nearest character boundary, so the right
        # half of a token would show the next token's tooltip; use the same hit test as clicks.
        if event.type() == QEvent.Type.ToolTip:
            index = self.index_at(event.pos())
            if index >= 0:
                fmt = QTextCursor(self.document())
                fmt.setPosition(self.starts[index] + 1)
                tip = fmt.charFormat().toolTip() or self.token_tip(index, self.records[index])
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        self.hover(self.index_at(event.position().toPoint()))

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.hover(-1)

    def recheck_hover(self) -> None:
        """The token under the pointer again after the text moved under it with no mouse move (a
        scroll: usertest 14, the status bar kept a token's figures after the wheel moved it away)."""
        self.hover(self.pointer_index())

    def pointer_index(self) -> int:
        """The token under the pointer, found by geometry (Qt's own enter and leave lag behind a
        scroll); -1 where the pointer is not over the text's shown part."""
        viewport = self.viewport()
        pos = viewport.mapFromGlobal(QCursor.pos())
        if not (self.isVisible() and viewport.rect().contains(pos) and viewport.visibleRegion().contains(pos)):
            return -1
        return self.index_at(pos)

    def hover(self, index: int) -> None:
        """Token ``index`` is under the pointer now (-1: none); ``token_hovered`` tells a change."""
        if index != self._hovered:
            self._hovered = index
            self.token_hovered.emit(index)

    def mousePressEvent(self, event) -> None:
        self._press_pos = event.position().toPoint()
        self._press_index = self.index_at(self._press_pos)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._press_pos is not None and (point - self._press_pos).manhattanLength() > 4:
            return  # a drag selects text
        if self.textCursor().hasSelection():
            return
        # the token pressed, not the one under the release: an answer that ends between the two
        # reflows its card, and the same point then lies on another token (usertest 8)
        index = self._press_index
        if 0 <= index < len(self.records):
            self.picked_by_click = True  # the inspector comes forward for a token pointed at, not one walked to
            self.choose_token(index)
            self.picked_by_click = False

    def keyPressEvent(self, event) -> None:
        """Keyboard users reach every token: Left/Right (Home/End) move the selection, and the
        inspector follows it, as a click would; Enter or Space shows the selected token again; Up/Down
        leave for the text above or below where ``steps_out`` is set."""
        if event.matches(QKeySequence.StandardKey.Copy) and self.copy_selected():
            return
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self.steps_out and plain and event.key() in STEP_OUT_KEYS:
            self.step_out.emit(STEP_OUT_KEYS[event.key()])
            return
        index = self._key_target(event.key())
        if index is None or not self.records or not plain:
            super().keyPressEvent(event)
            return
        # Enter / Space ask to see the token, as a click does: during a run the inspector comes forward for it
        # (a token walked to fills it behind the Fine-tune tab), which no key brought without a mouse (a11y70)
        self.picked_by_click = event.key() in SHOW_KEYS
        try:
            self.choose_token(max(0, min(index, len(self.records) - 1)))
        finally:
            self.picked_by_click = False

    def _key_target(self, key) -> int | None:
        current = self.selected
        moves = {Qt.Key.Key_Right: current + 1 if current >= 0 else 0,
                 Qt.Key.Key_Left: current - 1 if current >= 0 else len(self.records) - 1,
                 Qt.Key.Key_Home: 0, Qt.Key.Key_End: len(self.records) - 1}
        if key in SHOW_KEYS:
            return current if current >= 0 else 0
        return moves.get(key)

    # ------------------------------------------------------------ selection mark
    def choose_token(self, index: int) -> None:
        """The person picked token ``index`` (a click, a key, a right-click): marked, and the
        inspector told, so a token rated from its menu shows its figures as a clicked one does."""
        self.select_token(index)
        self.token_clicked.emit(index)

    def select_token(self, index: int) -> None:
        self.selected = index
        # what a screen reader says of the token the keys reached: its tooltip and colour reach no one who cannot
        # see them, and Qt tells the reader of the new description itself (a DescriptionChanged event)
        self.setAccessibleDescription(self.said_for(self.records, index) if 0 <= index < len(self.records) else "")
        if not 0 <= index < len(self.starts):
            self.viewport().update()
            return
        self.viewport().update()  # the ring is painted (paintEvent): a selection's colours hid the token's own

    def clear_selection_mark(self) -> None:
        self.select_token(-1)

    def can_copy(self) -> bool:
        """Text selected (a drag), or a token chosen (a click, or the arrow keys, which select no text: Copy was off
        for a token walked to by keys and on for one dragged over, leftovers85)."""
        return self.textCursor().hasSelection() or 0 <= self.selected < len(self.records)

    def copy_selected(self) -> bool:
        """Copies the text selected (as written), else the chosen token's own text (its exact characters, a leading space
        included); False where there is neither."""
        cursor = self.textCursor()
        if cursor.hasSelection():  # as written: not the heatmap's marks (a · per piece of a split emoji, ↵, →; intl69)
            QApplication.clipboard().setText(self.written_text(cursor.selectionStart(), cursor.selectionEnd()))
        elif 0 <= self.selected < len(self.records):
            QApplication.clipboard().setText(self.records[self.selected].text)
        else:
            return False
        return True

    def written_text(self, start: int, end: int) -> str:
        """The text between document positions ``start`` and ``end`` as written, without the heatmap's marks."""
        return "".join(ch for ch, first, last in self.written_places() if first < end and last > start)

    def written_places(self) -> list[tuple[str, int, int]]:
        """Each character of the text as written, with the document positions its shown form takes."""
        raw = self.document().toRawText().replace("\u2029", "\n")  # a block break: one position, one character
        return written_places(raw, self.drawn, self.starts, self.ends, self.colorizer is not None)


class _TextsOf:
    """The records' texts by index, read only where asked (``redraw_start`` reads a few from the end)."""

    def __init__(self, records):
        self.records = records

    def __getitem__(self, index: int) -> str:
        return self.records[index].text


__all__ = ["TokenView", "Overlay", "TOKEN_INDEX", "PLAIN", "legend_stops"]


def finish_token_menu(menu, view, pos):
    """Copy and Select all under a token menu's own actions, then the menu at ``pos`` of ``view``
    (a chat answer or the Text heatmap). Returns the menu (tests read it)."""
    copy = menu.addAction("Copy")
    copy.setEnabled(view.can_copy())
    copy.triggered.connect(view.copy_selected)
    menu.addAction("Select all", view.selectAll)
    menu.popup(view.viewport().mapToGlobal(pos))
    return menu

