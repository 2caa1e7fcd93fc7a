"""The colour key over the chat: the measure the tokens are coloured by, its palette's bar and end words (or the
key of other colours painted instead), and "Score my prompts"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.core.palette import MEASURES, attribution_palette
from desktop_app.gui.responsive import Stepper
from desktop_app.gui.theme import is_dark, styled_label
from desktop_app.gui.token_view import PLAIN, legend_stops

COLOUR_BY = "Colour by"  # the measure list's label and its name for a screen reader
MEASURE_NAMES = {"probability": "Probability", "rank": "Rank (GLTR)", "entropy": "Entropy",
                 "surprisal": "Surprisal", PLAIN: "Plain text"}


class GradientBar(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.stops: list = []
        self.discrete = False
        self.gradient = None
        self.setFixedHeight(12)
        self.setMinimumWidth(60)  # gives way in a narrow window
        self.setMaximumWidth(150)

    def set_stops(self, stops, discrete: bool, gradient=None) -> None:
        """``gradient``: the colours a continuous bar runs through (None: the heatmap's palette)."""
        self.stops, self.discrete, self.gradient = stops, discrete, gradient
        self.update()

    def paintEvent(self, _event) -> None:
        if not self.stops:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(0, 1, 0, -1)
        if self.discrete:
            width = rect.width() / len(self.stops)
            for i, (_label, rgb) in enumerate(self.stops):
                painter.fillRect(int(i * width), rect.y(), int(width) + 1, rect.height(), QColor(*rgb))
        else:
            from desktop_app.core.palette import sequential_palette

            gradient = QLinearGradient(rect.left(), 0, rect.right(), 0)
            colours = self.gradient or sequential_palette(is_dark())
            for i, rgb in enumerate(colours):
                gradient.setColorAt(i / (len(colours) - 1), QColor(*rgb))
            painter.setBrush(gradient)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, 3, 3)
        painter.end()


ROW_MARGINS, TOOLBAR_MARGINS = (14, 6, 14, 6), (10, 0, 10, 0)  # the key on its row over the chat; in the toolbar
LEGEND_STEPS = 4  # the legend's shorter forms (LegendBar._shorten)
# the key while "Why this token?" paints its attribution over the text (gui/explain_overlays.py)
# (short end words: at 800 px longer ones pushed "Score my prompts" onto a row of its own, moving the chat)
ATTRIBUTION_KEY = {"title": "Why this token?", "low": "the alternative", "high": "this token",
                   "tip": "The earlier tokens are coloured by how much each pushed the model toward the explained "
                          "token (orange) or toward its alternative (pink). Untick \u201cShow it over the "
                          "conversation\u201d in the inspector for the measure's colours again."}


class LegendBar(QFrame):
    """Colour measure choice, the palette legend, and prompt scoring."""

    measure_changed = Signal(str)
    score_prompts_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("LegendBar")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(*ROW_MARGINS)
        rows.setSpacing(4)
        layout = self.row = QHBoxLayout()
        layout.setSpacing(8)
        rows.addLayout(layout)
        self.second_row = QHBoxLayout()  # "Score my prompts" in a narrow window (empty: no height)
        rows.addLayout(self.second_row)
        self.colour_by = QLabel(COLOUR_BY)
        layout.addWidget(self.colour_by)
        layout.addWidget(self._measure_list())
        self._add_scale(layout)
        layout.addStretch(1)
        self.score_prompts = QCheckBox("Score my prompts")
        self.score_prompts.setToolTip("Colour your own prompts too, by how the model would have predicted them")
        self.score_prompts.toggled.connect(self.score_prompts_changed)
        layout.addWidget(self.score_prompts)
        for w in (self.colour_by, self.low, self.high):
            w.setMinimumWidth(1)  # (0 would mean "no explicit minimum": the text's width)
        self.combo.setMinimumWidth(90)
        self.score_prompts.setMinimumWidth(24)
        self.attribution_key = False  # a key of other colours shown instead of the measure's (``key``)
        self.key: dict | None = None  # that key: "Why this token?"'s attribution, a fine-tune's change
        self._changed(emit=False)
        self.compactor = Stepper(self, LEGEND_STEPS, self._width_at, self._shorten)

    def _measure_list(self) -> QComboBox:
        """The measures the tokens' colours may show, each with its tooltip, and Plain text."""
        self.combo = QComboBox(self)  # made in place (gui/in_place.py)
        for key in list(MEASURES) + [PLAIN]:
            self.combo.addItem(MEASURE_NAMES[key], key)
            self.combo.setItemData(self.combo.count() - 1, MEASURES.get(key, "No colours"),
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip("What the tokens' colours show")  # (in a narrow window "Colour by" gives way)
        self.combo.setAccessibleName(COLOUR_BY)  # kept where the label gives way or names an overlay's key
        self.combo.currentIndexChanged.connect(lambda _i: self._changed())
        return self.combo

    def _add_scale(self, layout: QHBoxLayout) -> None:
        """The palette's bar between its end words, added to ``layout`` after a small gap."""
        self.low = styled_label("", "Muted")
        self.bar = GradientBar()
        self.high = styled_label("", "Muted")
        layout.addSpacing(6)
        self.scale = QHBoxLayout()  # "0% ▬ 100%" close together: at 800 px with both side panels
        self.scale.setSpacing(3)  # the header's 8 px gaps cost the end labels (usertest 9)
        for w in (self.low, self.bar, self.high):
            self.scale.addWidget(w)
        layout.addLayout(self.scale)

    def minimumSizeHint(self):
        """On its row over the chat (a tall window), no least height: the window's least height counts the
        short form, where the key is in the toolbar (gui/short_window.py), whichever form shows."""
        hint = super().minimumSizeHint()
        if not self.property("inToolbar"):
            hint.setHeight(0)
        return hint

    def set_in_toolbar(self, on: bool) -> None:
        """A short window shows the key in the View toolbar (gui/short_window.py): no row's margins, edge or fill."""
        self.layout().setContentsMargins(*(TOOLBAR_MARGINS if on else ROW_MARGINS))
        self.setProperty("inToolbar", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def _shorten(self, step: int) -> None:
        """A narrow window takes first "Colour by" (the list names the measure); then "Score my
        prompts" goes whole onto a row of its own, and "Colour by" comes back if the first row has
        room for it (at 800 px with both side panels it read "Prompts", usertest 9); last the end
        labels go, which say what the colours mean (the bar's tooltip still names them)."""
        self._place_prompts(second=step >= 2)
        self.colour_by.setVisible(step in (0, 2))
        plain = self.measure() == PLAIN
        for w in (self.low, self.high):
            w.setVisible(step < LEGEND_STEPS and not plain)

    def _place_prompts(self, second: bool) -> None:
        box = self.score_prompts
        if second and self.second_row.indexOf(box) < 0:
            self.row.removeWidget(box)
            self.second_row.addWidget(box, 0, Qt.AlignmentFlag.AlignLeft)
        elif not second and self.row.indexOf(box) < 0:
            self.second_row.removeWidget(box)
            self.row.addWidget(box)

    def _parts_width(self, step: int, shown_only: bool = True) -> int:
        """The px of the first row's parts the steps change, as shown at ``step`` (each with its
        spacing); ``shown_only``: without "Score my prompts" while Text mode hides it."""
        gap = self.row.spacing()
        width = self.colour_by.sizeHint().width() + gap if step in (0, 2) else 0
        if self.measure() != PLAIN and step < LEGEND_STEPS:
            width += self.low.sizeHint().width() + self.high.sizeHint().width() + 2 * self.scale.spacing()
        if step < 2 and not (shown_only and self.score_prompts.isHidden()):
            width += self.score_prompts.sizeHint().width() + gap
        return width

    def _width_at(self, step: int) -> int:
        # Text mode, which hides "Score my prompts", keeps its room in the sum: both tabs show the
        # same form at a width (at 1024 px Chat had dropped "Colour by" and Text still showed it)
        return (self.sizeHint().width() - self._parts_width(self.compactor.step)
                + self._parts_width(step, shown_only=False))

    def show_attribution_key(self, on: bool) -> None:
        """While "Why this token?" paints its attribution over the text, the key says what those
        colours mean, not the measure's "Probability 0% … 100%" (usertest 11); the measure's
        list comes back with its key when the attribution is cleared."""
        self.show_key(dict(ATTRIBUTION_KEY, gradient=attribution_palette(is_dark())) if on else None)

    def show_key(self, key: dict | None) -> None:
        """The key of colours painted instead of the measure's (``key``: title, low, high, tip and
        the gradient's colours; None: the measure's list and key again)."""
        if key == self.key:
            return
        on = key is not None
        self.key, self.attribution_key = key, on
        if on:  # the row keeps the list's height without it: the chat below does not move up
            self.row.addStrut(self.combo.sizeHint().height())
        self.combo.setVisible(not on)
        self.colour_by.setText(key["title"] if on else COLOUR_BY)
        self.colour_by.setToolTip(key["tip"] if on else "")
        self._changed(emit=False)
        self.compactor.update()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "compactor"):
            self._changed(emit=False)  # the measure's stops (the rank boxes) in the new theme's colours

    def measure(self) -> str:
        return self.combo.currentData()

    def set_measure(self, measure: str) -> None:
        index = self.combo.findData(measure)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def _changed(self, emit: bool = True) -> None:
        measure = self.measure()
        plain = measure == PLAIN and not self.attribution_key
        compact = getattr(self, "compactor", None) is not None and self.compactor.step >= LEGEND_STEPS
        for w in (self.low, self.high):
            w.setVisible(not plain and not compact)
        self.bar.setVisible(not plain)
        if self.key is not None:
            key = self.key
            self.bar.set_stops([(key["low"], key["gradient"][0]), (key["high"], key["gradient"][-1])], False,
                               gradient=key["gradient"])
            self.low.setText(key["low"])
            self.high.setText(key["high"])
            self.bar.setToolTip(key["tip"])
        elif not plain:
            stops = legend_stops(measure)
            discrete = measure == "rank"
            self.bar.set_stops(stops, discrete)
            self.low.setText(stops[0][0])
            self.high.setText(stops[-1][0])
            self.bar.setToolTip(" | ".join(label for label, _rgb in stops) if discrete else MEASURES[measure])
        if emit:
            self.measure_changed.emit(measure)
