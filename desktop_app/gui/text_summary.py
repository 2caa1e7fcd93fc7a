"""The GLTR summary of a scored text: the rank-bucket bar, the figures, two histograms and how often the
model's first guesses were right (the charts: summary_charts.py, first_guess_chart.py)."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QMenu, QProgressBar, QPushButton, QToolButton, QWidget

from desktop_app.core.count_words import counted
from desktop_app.core.documents import TextSummary
from desktop_app.core.palette import MAX_ENTROPY_BITS
from desktop_app.core.plain_figures import PROSE_BAND_WORDS, surprise_sentence
from desktop_app.gui.first_guess_chart import FirstGuessChart
from desktop_app.gui.responsive import Compactor
from desktop_app.gui.summary_charts import BucketBar, Histogram
from desktop_app.gui.theme import colors, icon, is_dark, styled_label
from desktop_app.gui.tips import rich_tip


NO_BREAK = "\u00a0"  # a space a line does not break at
ROOM_KEPT_WITHIN_PX = 4  # a continued text's room is not measured again for a width change this small (_reserved_near)
WIDE_SUMMARY_PX = 620  # narrower: the histograms go under the bar (at 800 px their titles were cut)
FIGURES_LEAST_WIDE = 240  # px: the figures' least width in the wide form (_arrange)
HISTOGRAMS_CLOSED, HISTOGRAMS_OPEN = "Histograms \u25b8", "Histograms \u25be"
HISTOGRAMS_SHOWN = "histograms_open"  # the settings' key: a short tab's histograms opened, as at the next start
# the figures' longest form, once a continuation is analysed: the room a streaming one keeps for them
# (figures of a usual size: a longer text's own figures keep their room once they come)
# (joined where figures_text joins: a figure with its words)
CONTINUED_FIGURES = ("Your text: 999 tokens · About as predictable as ordinary prose to the model: "
                     + "mean surprisal 9.99 bits · perplexity 99.9".replace(" ", NO_BREAK) + "\n"
                     + " · ".join(figure.replace(" ", NO_BREAK) for figure in (
                         "rank 1–10 99.9%", "rank 11–100 99.9%", "rank 101–1000 99.9%", "beyond 1000 9.9%")) + "\n"
                     + "With the model's continuation (128 tokens, in italics): "
                     + "999 tokens · perplexity 9.9".replace(" ", NO_BREAK))
EXPORT_TIP = ("Save the text itself, the heatmap as PNG or as a web page others can hover, every token's figures "
              "as JSON or as CSV for a spreadsheet, this summary as CSV")
# "tokens.csv": every token's row, as `analyse --out X.tokens.csv` writes it; a teacher wanted the tokens and their
# chances in a spreadsheet for a handout, and the one CSV here held the summary's histograms (usertest71)
EXPORTS = (("txt", "Text as a file\u2026"), ("png", "Heatmap as PNG\u2026"), ("html", "HTML page (.html)\u2026"),
           ("json", "Tokens as JSON\u2026"), ("tokens.csv", "Tokens as CSV\u2026"), ("csv", "Summary as CSV\u2026"))


# a Text tab narrower than this shows the summary's toggles (Fine-tune's change, Surprises) as their icons: their
# words took the Export button's room in an 800 px window, and squeezed the histograms narrower than their titles
# in 1024 and 1088 px ones (tests/test_gui_ux15_fixes.py)
TOGGLE_ICON_ONLY_BELOW = 800


TITLE, SHORT_TITLE = "TOKEN RANKS", "RANKS"  # the short one where the row lacks room for the long (its tooltip says)
# the room the title row keeps its bar where it can (fit_width): squeezed to nothing beside the buttons, the
# summary's figure was gone (not the bar's least width: that narrowed the histograms of a wide form beside it)
BAR_LEAST_IN_TITLE = 48
MARGIN, TIGHT_MARGIN = 16, 8  # px left and right of the summary; tight where its title row lacks room


def fit_toggle(toggle: QToolButton, tab_width: int, icon_only_below: int = TOGGLE_ICON_ONLY_BELOW) -> None:
    """A summary toggle's words beside its icon, or its icon alone in a tab narrower than ``icon_only_below``
    (its name stays in its accessible name, for screen readers)."""
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if tab_width < icon_only_below
                              else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)


class SummaryPanel(QWidget):
    """GLTR's summary of the analysed text, the progress of a long analysis (with Cancel) and
    the Export menu.

    Attributes:
        summary: the TextSummary shown, or None.
        figures: the line with token count, mean surprisal and perplexity.
        progress, cancel_button: shown while a long text is analysed.
        export_button: its menu asks for the heatmap (PNG, or an HTML page), the tokens (JSON), the summary (CSV)."""

    cancel_requested = Signal()
    export_requested = Signal(str)  # "txt" | "png" | "html" | "json" | "csv"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TextSummary")
        self.summary: TextSummary | None = None
        self.note = ""  # a line under the figures about them (set_note)
        self.before = ""  # the figures are of the text before a continuation, which these words say (set_before)
        grid = QGridLayout(self)
        grid.setContentsMargins(MARGIN, 8, MARGIN, 8)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.grid = grid
        title = self.title = styled_label(TITLE, "PanelTitle")
        title.setToolTip("The share of tokens the model ranked 1 to 10, 11 to 100, 101 to 1000, or beyond (GLTR): "
                         "each token counts once")
        self.title_row = self._title_row(title)
        self.bar = BucketBar()
        self.bar.setAccessibleName(TITLE.capitalize())  # painted shares: its tooltip says them (the description)
        self.figures = QLabel("Not analysed yet.")
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures.setWordWrap(True)
        rich_tip(self.figures, SURPRISE_TIP)
        self.probabilities = Histogram("probability", "0%", "100%", "probability")
        self.entropies = Histogram("entropy (bits)", "0", f"{MAX_ENTROPY_BITS:g}+", "entropy")
        self.first_guesses = FirstGuessChart()
        self.wide: bool | None = None
        self.short = False
        self.holding = False  # a continuation streams: the figures keep their room (hold_room)
        self.reserved_width: int | None = None  # the figures' width a continued text's room was kept at (_reserve_room)
        self._arrange(False)  # narrow until there is room: a wide form never widens the window
        self._progress_row()  # (made last: its Cancel comes last in the Tab order, as when the grid held it)

    def _arrange(self, wide: bool) -> None:
        """Wide: the charts beside the bar and figures, under the title row (across the whole width: beside the
        charts' three titles its buttons had held the summary wider than a 1088x680 window's room). Narrow: under
        them, side by side, so their titles and scales keep room to be read."""
        if wide == self.wide:
            return
        self.wide, grid = wide, self.grid
        span = 1 if wide else len(self.charts)  # narrow, as the charts' row: a column more left a 16 px gap
        grid.addWidget(self.title_row, 0, 0, 1, len(self.charts) + 1 if wide else span)
        self._place_bar()
        grid.addWidget(self.figures, 2, 0, 1, span)
        for column, chart in enumerate(self.charts):
            if wide:
                grid.addWidget(chart, 1, column + 1, 2, 1)
            else:
                grid.addWidget(chart, 3, column)
        self._stretch_columns()
        for histogram in self.charts:
            # room for the title in either form: wide, an eighth of WIDE_SUMMARY_PX is less than "first guess right"
            histogram.setMinimumWidth(histogram.title_width())
        # wide, the figures wrap to what the charts leave: the label's own least width (Qt's guess for wrapped
        # words, ~430 px) beside the three titles had held the summary wider than a 1088x680 window's room
        self.figures.setMinimumWidth(FIGURES_LEAST_WIDE if wide else 0)

    @property
    def charts(self) -> tuple[Histogram, ...]:
        """The summary's charts, left to right: the probability histogram, how often the first guess was right
        by how sure it was (beside the probabilities it reads), the entropy histogram."""
        return self.probabilities, self.first_guesses, self.entropies

    def _stretch_columns(self) -> None:
        """Wide, the charts' columns take three eighths (the figures keep the width two histograms left them, not
        to wrap a line longer: test_left50_short_text_room), when they show: hidden (a short tab), they had
        kept that room empty beside the title row, the bar and the figures, which wrapped at 1024x640
        ("perplexity" / "405.1")."""
        beside = self.wide and not self.probabilities.isHidden()
        charts = len(self.charts)
        stretches = ((5,) + (1,) * charts if beside else (1,) + (0,) * charts if self.wide
                     else (1,) * charts + (0,))
        for column, stretch in enumerate(stretches):
            self.grid.setColumnStretch(column, stretch)

    def _wide_fits(self, width: int) -> bool:
        """The wide form, at ``width``, where its histograms show: with them hidden (a short tab), their two
        empty columns kept their 16 px gaps, 32 px empty right of the summary's title row and figures."""
        return width >= WIDE_SUMMARY_PX and not self.probabilities.isHidden()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_progress()
        self._arrange(self._wide_fits(event.size().width()))
        if event.size().width() != event.oldSize().width():
            # a narrower width can wrap the figures a line longer: measured again once laid out
            QTimer.singleShot(0, self, self._room_at_this_width)

    def _room_at_this_width(self) -> None:
        """The figures' room measured at the new width, held or not as it is when this runs, not as it was at the
        resize: a release chosen at a width change just before a continuation began ran after its ``hold_room``
        and let the room go as the first tokens came, moving the Regenerate row 8 px on a busy CPU (301 px at the
        start, 293 at the end at 800x480: test_geom43_row_at_stream_start)."""
        if not self.holding and self._reserved_near(self.figures.contentsRect().width()):
            return
        if self.holding:
            # the held room grows to the figures' height at this width and does not shrink while held: the Text
            # tab is 2 px wider while "writing…" shows, where the figures can wrap a line shorter, and measured
            # anew the room had shrunk and grown back, moving the Regenerate row 14 px each way as a continuation
            # streamed and ended (test_polish40_text_row_stays on a busy CPU: [381, 395, 367])
            self.hold_room(resized=True)
        else:
            self.release_room()

    def hold_room(self, resized: bool = False) -> None:
        """From a continuation's first token, the figures keep the height of their form with it
        (a line more: "With the model's continuation …") and do not shrink, so the panel, and the
        branches' Regenerate and thumbs row above it, stay where they are as it ends and is
        analysed: the row had moved up under a click aimed at it. Until ``release_room``."""
        self.holding = True
        continued = self.summary is not None and self.summary.yours is not None
        self._keep_room(self.figures.text() if continued else CONTINUED_FIGURES,  # (Regenerate: the same form)
                        as_tall=not resized)

    def release_room(self) -> None:
        """The person changed the text or opened another: the figures take their own height, at least a
        continued text's (``reserve_room``)."""
        self.holding = False
        self.figures.setMinimumHeight(0)
        self.reserved_width = None
        self._reserve_room()

    def _reserve_room(self) -> None:
        """The figures keep the room of their form with a continuation before there is one: a text's first
        continuation added its line and moved the TOKEN RANKS row, the thumbs and Regenerate 14 px as it began, at
        1280x800 (textflow67). A short tab too: where it had given that line to the text, the text's row shrank
        15 px as a continuation began at 1024x640 (leftovers70); where the tab lacks the room, the summary scrolls.
        The room is kept through a width change of a few px (``_reserved_near``)."""
        if self.summary is not None and self.summary.tokens:
            self._keep_room(CONTINUED_FIGURES, as_tall=False)
            self.reserved_width = self.figures.contentsRect().width()

    def _reserved_near(self, width: int) -> bool:
        """Whether a continued text's room was kept at about ``width``: the tab is 2 px wider while its status
        words show ("colouring… 34%"), where the continued figures can wrap a line shorter, and measured anew the
        room shrank and grew back with the words, moving the text and the rows under it a line each way
        (test_leftovers64_text_status_words)."""
        return self.reserved_width is not None and abs(width - self.reserved_width) <= ROOM_KEPT_WITHIN_PX

    def _keep_room(self, text: str, as_tall: bool = True) -> None:
        """The figures at least as tall as ``text`` would be and as their own text needs (``as_tall``:
        and as they are)."""
        label = self.figures
        width = max(1, label.contentsRect().width())
        wrapped = label.fontMetrics().boundingRect(QRect(0, 0, width, 1 << 20), Qt.TextFlag.TextWordWrap, text)
        margins = label.contentsMargins()
        need = max(label.height() if as_tall and label.isVisible() else 0, label.heightForWidth(label.width()),
                   wrapped.height() + margins.top() + margins.bottom())
        label.setMinimumHeight(max(label.minimumHeight(), need))

    def set_short(self, short: bool) -> None:
        """A short Text tab keeps the bar and the figures; the histograms give their height to
        the editor and the heatmap until the person opens them with the Histograms button, which
        only a short tab shows (a tall one shows them anyway)."""
        if short != self.short or self.histograms_button.isHidden() == short:
            self.short = short
            self.histograms_button.setVisible(short)
            self._show_histograms()
            self._place_bar()
            if not self.holding:
                self.release_room()

    @property
    def bar_in_title(self) -> bool:
        """Whether the bar sits in the title row (a short tab) rather than on a row of its own."""
        return self.title_row.layout().indexOf(self.bar) >= 0

    def _place_bar(self) -> None:
        """A short tab puts the bar in the title row, between the title and its buttons: on a row of
        its own under it, it held the window 26 px taller than an 800x480 screen leaves under a title
        bar (the Text tab's least height: the title row and the bar whole, the figures scrolled to)."""
        row = self.title_row.layout()  # the title, the spacer after it, the buttons
        if self.short and not self.bar_in_title:
            self.grid.removeWidget(self.bar)
            row.insertWidget(1, self.bar, 1)
            row.setStretch(2, 0)  # the spacer: the bar takes the room
        elif not self.short:
            if self.bar_in_title:
                row.removeWidget(self.bar)
                row.setStretch(1, 1)
            self.grid.addWidget(self.bar, 1, 0, 1, 1 if self.wide else len(self.charts))  # (as the figures)
        self.title_compactor.recheck()  # the row's full form is wider with the bar, narrower without

    def fit_width(self, width: int) -> None:
        """Within ``width`` px (the scroll area's): where the title row with its long title and the usual margins
        is wider, the short title and tight margins. At 640x480 beside the inspector the summary had been 12 px
        wider than its room, scrolled sideways with its right end cut and its bar squeezed to nothing (leftovers62)."""
        title, metrics = self.title, self.title.fontMetrics()
        extra = title.minimumSizeHint().width() - metrics.horizontalAdvance(title.text())  # the label's own margins
        others = self.title_row.minimumSizeHint().width() - title.minimumSizeHint().width()
        others += BAR_LEAST_IN_TITLE if self.bar_in_title else 0
        tight = others + extra + metrics.horizontalAdvance(TITLE) + 2 * MARGIN > width
        if title.text() != (SHORT_TITLE if tight else TITLE):
            title.setText(SHORT_TITLE if tight else TITLE)
        margins = self.grid.contentsMargins()
        side = TIGHT_MARGIN if tight else MARGIN
        if margins.left() != side:
            self.grid.setContentsMargins(side, margins.top(), side, margins.bottom())

    def _show_histograms(self) -> None:
        opened = self.histograms_button.isChecked()
        words = HISTOGRAMS_OPEN if opened else HISTOGRAMS_CLOSED
        self.histograms_button.setText(words[-1] if self.title_compactor.compact else words)  # the ▸ or ▾ alone
        for histogram in self.charts:
            histogram.setVisible(not self.short or opened)
        self._arrange(self._wide_fits(self.width()))
        self._stretch_columns()

    def add_toggle(self, title: str, object_name: str, toggle_icon: QIcon) -> QToolButton:
        """A checkable tool in the title row, before Histograms (filled while on: style.qss, by
        ``object_name``); the tab narrows it to its icon with ``fit_toggle``."""
        toggle = QToolButton()
        toggle.setText(title)
        toggle.setCheckable(True)
        toggle.setObjectName(object_name)
        toggle.setAccessibleName(title)
        toggle.setIcon(toggle_icon)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        row = self.title_row.layout()
        row.insertWidget(row.indexOf(self.histograms_button), toggle)
        return toggle

    def _title_row(self, title: QLabel) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addStretch(1)
        self.histograms_button = QToolButton()
        self.histograms_button.setCheckable(True)
        self.histograms_button.setToolTip("Show or hide the charts of probability, the first guesses and entropy "
                                          "(closed in a short window, so the text keeps its height)")
        self.histograms_button.toggled.connect(self._show_histograms)
        self.histograms_button.hide()
        layout.addWidget(self.histograms_button)
        self.export_button = QToolButton()
        self.export_button.setText("Export \u25be")
        self.export_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")  # the ▾ says it
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for kind, label in EXPORTS:
            menu.addAction(label, lambda k=kind: self.export_requested.emit(k))
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        self.export_button.setToolTip("Nothing to export yet: the text is not analysed")
        layout.addWidget(self.export_button)
        for button, words in ((self.histograms_button, "Histograms"), (self.export_button, "Export")):
            button.setAccessibleName(words)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # a narrow row with the bar in it (a short tab) drops the buttons' words for their icons: with
        # them, 460 px left the bar 47 px
        self.title_compactor = Compactor(row, self._title_words)
        return row

    def _title_words(self, compact: bool) -> None:
        self.histograms_button.setIcon(icon("histogram") if compact else QIcon())
        self.export_button.setIcon(icon("export") if compact else QIcon())
        self.export_button.setText("\u25be" if compact else "Export \u25be")
        self._show_histograms()

    def _progress_row(self) -> QWidget:
        # over the rank bar, out of the layout: on a row of its own under the summary it lifted TOKEN RANKS and the
        # Regenerate and thumbs row above it 30 px while a continuation was analysed, then dropped them back
        self.progress_row = QWidget(self)
        self.progress_row.setAutoFillBackground(True)  # the bar under it hidden, not showing at its edges
        layout = QHBoxLayout(self.progress_row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()  # its words inside it: a label beside it would widen a narrow window
        self.progress.setFormat("Analysing %v / %m tokens")
        self.progress.setMinimumWidth(60)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the analysis: what was analysed so far is shown")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        self.progress_row.hide()
        self.bar.installEventFilter(self)  # the bar moves between the title row and a row of its own
        return self.progress_row

    def eventFilter(self, watched, event) -> bool:
        if watched is self.bar and event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            self._place_progress()
        return False

    def _place_progress(self) -> None:
        """The progress row over the rank bar, which the analysis fills anew, centred on it. In a short tab's title
        row the bar can be 48 px: there the row reaches the right margin, over the buttons it does not need meanwhile."""
        row, bar = self.progress_row, self.bar
        if row.isHidden():
            return
        at = bar.mapTo(self, QPoint(0, 0))
        margins = self.grid.contentsMargins()
        right = self.width() - margins.right()
        if self.bar_in_title:
            title = self.title_row.geometry()
            row.setGeometry(at.x(), title.y(), max(1, right - at.x()), title.height())
            return
        width = min(max(bar.width(), row.minimumSizeHint().width()), right - margins.left())
        height = row.sizeHint().height()
        row.setGeometry(max(margins.left(), min(at.x(), right - width)), at.y() + (bar.height() - height) // 2,
                        width, height)

    def show_progress(self, progress) -> None:
        """A long analysis's progress (a core.scoring.ScoreProgress: characters read, then
        tokens scored); hidden once the last window is done."""
        if progress.stage == "scoring" and progress.done >= progress.total:
            self.hide_progress()
            return
        self.progress.setFormat(progress_format(progress))
        self.progress.setRange(0, max(1, progress.total))
        self.progress.setValue(progress.done)
        self.progress_row.show()
        self._place_progress()

    def hide_progress(self) -> None:
        self.progress_row.hide()

    def set_summary(self, summary: TextSummary | None) -> None:
        """The figures of ``summary`` (None: not analysed yet), the text's own: no longer dimmed (set_before)."""
        self.summary = summary
        self._dim("")
        if summary is None:  # a text just shown or emptied: no analysis of it is on its way yet
            self.hide_progress()
        self.export_button.setEnabled(summary is not None and summary.tokens > 0)
        self.export_button.setToolTip(EXPORT_TIP if self.export_button.isEnabled()
                                      else "Nothing to export yet: the text is not analysed" if summary is None
                                      else "Nothing to export: the text is too short to analyse")
        if summary is None or not summary.tokens:
            self.bar.set_shares(())
            self.probabilities.set_counts(())
            self.first_guesses.set_calibration(None)
            self.entropies.set_counts(())
            self.figures.setText("Not analysed yet." if summary is None else "Too short to analyse: write more.")
            return
        charted = charted_summary(summary)
        self.bar.set_shares(charted.bucket_shares)
        self.probabilities.set_counts(charted.probability_histogram)
        self.entropies.set_counts(charted.entropy_histogram)
        self.first_guesses.set_calibration(charted.calibration)
        self._show_figures()

    def set_note(self, note: str) -> None:
        """A line under the figures saying what is about to change them ("" for none): the
        fine-tune's change reading the text anew, whose figures the summary then takes."""
        if note != self.note:
            self.note = note
            if self.summary is not None and self.summary.tokens:
                self._show_figures()

    def set_before(self, words: str) -> None:
        """A continuation is written: the figures, bar and histograms on screen are of the text before it,
        so they are dimmed and ``words`` say so in the shares' line (the bar shows them, its tooltip has
        them), until the next ``set_summary`` (the analysis of the text with it). In that line, not one
        more: held for the continuation, a line more had squeezed an 800x560 tab's text to its least and
        moved the Regenerate row as Regenerate began. Nothing to dim while the text is not analysed."""
        if self.summary is not None and self.summary.tokens:
            self._dim(words)
            self._show_figures()

    def _dim(self, words: str) -> None:
        self.before = words
        for chart in (self.bar, *self.charts):
            if chart.dimmed != bool(words):
                chart.dimmed = bool(words)
                chart.update()
        self.figures.setStyleSheet(f"color: {colors(is_dark())['muted']};" if words else "")

    def _show_figures(self) -> None:
        lines = figures_text(self.summary).split("\n")
        if self.before:
            lines[1] = self.before  # (the shares' line: figures_text)
        self.figures.setText("\n".join(lines) + (f"\n{self.note}" if self.note else ""))
        if self.holding:
            self._keep_room(self.figures.text())
        else:
            self._reserve_room()


def progress_format(progress) -> str:
    """The bar's words: the text being read (tokenized), then analysed; the percentage is of the
    work (a long pass counts its layers), not of tokens finished."""
    if progress.stage == "reading":
        return "Reading the text %p%"
    return f"Analysing {progress.total:,} tokens %p%"


def charted_summary(summary: TextSummary) -> TextSummary:
    """What the bar and the histograms show: the person's own text when a model's continuation
    is part of the text (its tokens would make the text look more predictable than it is), the
    whole text when the model wrote all of it."""
    yours = summary.yours
    return yours if yours is not None and yours.tokens else summary


def _perplexity(summary: TextSummary) -> str:
    return f"{summary.perplexity:,.1f}" if math.isfinite(summary.perplexity) else "\u221e"


def _whole(figure: str) -> str:
    """A figure's words and its value, kept on one line."""
    return figure.replace(" ", NO_BREAK)


# the figures lead with plain words (a new user met "mean surprisal ... bits · perplexity" as jargon, words45; a
# writer read the figures as having no meaning, usertest70); SURPRISE_TIP says the rest. The words replace the
# lead "How surprising the text is to the model:", not to add a line: the summary's wrapped lines took the
# text's room (9.9 lines at 1280x780, test_left50_short_text_room)
SURPRISE_TIP = ("<b>How surprising the text is to the model</b><br><b>Surprisal</b>: how unexpected each token was, "
                "in bits: 1 bit is a coin toss, 10 bits about one chance in a thousand. The mean is over every "
                "token.<br><b>Perplexity</b>: the same as the number of equally likely tokens the model was choosing "
                "between on average (2 to the power of the mean surprisal). Lower: the text is more predictable to "
                "the model.<br><b>rank 1–10 / 11–100 / 101–1000 / beyond 1000</b>: the share of tokens the model ranked "
                "there; each token counts in one of them, so the four add up to 100%.<br>" + PROSE_BAND_WORDS)


def surprise_words(summary: TextSummary) -> str:
    """"About as predictable as ordinary prose to the model: mean surprisal 5.12 bits · perplexity 34.8", the two
    figures with their words on one line: at 1280x800 "· perplexity 30.5" had wrapped alone onto a line of its own.
    The words are core.plain_figures.surprise_sentence's, which the HTML page's summary says too."""
    return surprise_sentence(summary, _whole)


def figures_text(summary: TextSummary) -> str:
    """The figures, saying which text they are about once a model's continuation is in it; the
    rank buckets' shares are always the second line."""
    charted = charted_summary(summary)
    # a figure's words and its value stay on one line: at 1024x600 "beyond" ended one line and
    # "1000 0.0%" began the next ("perplexity" / "407.4" narrower)
    shares = " · ".join(_whole(f"{label} {share * 100:.1f}%") for label, share in zip(charted.bucket_labels,
                                                                                   charted.bucket_shares))
    if summary.yours is None:
        return f"{counted(summary.tokens, 'token', grouped=True)} scored · {surprise_words(summary)}\n{shares}"
    model = counted(summary.model_tokens, "token", grouped=True)
    if charted is summary:
        return f"The model wrote all {model} (a continuation) · {surprise_words(summary)}\n{shares}"
    yours = summary.yours
    continued = f"{counted(summary.tokens, 'token', grouped=True)} · perplexity {_perplexity(summary)}"
    return (f"Your text: {counted(yours.tokens, 'token', grouped=True)} · {surprise_words(yours)}\n{shares}\n"
            f"With the model's continuation ({model}, in italics): {_whole(continued)}")
