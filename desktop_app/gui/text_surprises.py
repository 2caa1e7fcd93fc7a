"""The Text tab's "Surprises": the analysed text's most surprising tokens as a list over the summary
(least likely first, or where the model was sure of something else: core.surprises), each row a click
(or Enter) away from its place in the heatmap and its figures in the inspector; F3 / Shift+F3 walk
them in the text's order, with the list open or not. Its third order, "Known by heart", lists their
opposite, passages the model predicted nearly every token of, and why (core.recited: it repeats earlier
text, or it was learnt in training); a row rings its passage in the heatmap. One list, not a second one
beside it: the tab keeps its least height, and the person finds both where they look for the text's
oddities.

Wired in by ``install(view)``. The ranking runs on the store lane (core.surprises.find_surprises, or
core.recited.find_recited, over the heatmap's records, at most HEATMAP_MAX_TOKENS of them), never on the
GUI thread; a result whose
records are no longer the heatmap's (an edit, a continuation, another branch) is dropped and asked
again while the list shows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QSizePolicy, QToolButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from desktop_app.core import recited
from desktop_app.core import surprises as core
from desktop_app.gui import recited_words
from desktop_app.gui import surprise_words as words
from desktop_app.gui.explain_reveal import reveal
from desktop_app.gui.fitted_table import FittedTable, fit_columns
from desktop_app.gui.tasks import Task
from desktop_app.gui.text_summary import fit_toggle
from desktop_app.gui.theme import styled_label, white_when_checked
from desktop_app.gui.tips import rich_tip, turn

KIND = "text surprises"  # the store lane's name for its task
SURPRISES_OPEN = "surprises_open"  # the settings' key: the list left open or closed, as at the next start
SURPRISES_ORDER = "surprises_order"  # the settings' key: the order chosen last, as at the next start

# a narrower tab shows the toggle's icon alone (text_summary.fit_toggle): its one word keeps its room longer than
# Fine-tune's change's, down to a 1024 px window beside the side panel (683 px), where a new user did not find
# the bare magnifier (usertest 21); at 800x600 beside the side panel (about 460 px) the icon alone
SURPRISES_ICON_ONLY_BELOW = 640
LIST_ROWS = 6  # the list's height in rows at most; it scrolls for the rest
# in a short tab (text_view.SHORT_HEIGHT) fewer: at 800x600 beside the side panel six rows had left the text
# four lines (usertest 24), three give it two more; F3 and the list's scrolling reach the rest
SHORT_LIST_ROWS = 3
# a narrower list leaves out its surprisal / uncertainty column (the row's tooltip and the inspector say them):
# at 800x600 the words around the token, which say where it is, had been scrolled off to the right
FIGURES_COLUMN, NARROW_LIST_PX = 3, 600
# characters of the words around: what led to the token, more; few after it, so a narrow column, cut from the
# left, still shows the token whole (14 after it had cut its opening mark at 800x600)
CONTEXT_BEFORE, CONTEXT_AFTER = 28, 9
RING_RGB = (230, 73, 128)  # the ring around a surprise found in the heatmap: a pink none of the measures paints
PASSAGE_RING_MS = 6000  # a passage's ring stays longer than a token's: a paragraph takes a while to read
STOP_ROLE = Qt.ItemDataRole.UserRole + 1  # a row's data: its first token's place (UserRole) and the one after its last


class SurprisePanel(QWidget):
    """Over the summary while Surprises is on: the order, previous / next, the line about the list, the list."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("TextSurprises")
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 6, 16, 2)
        column.setSpacing(4)
        column.addLayout(self._top_row())
        self.words = styled_label(words.NOT_ANALYSED, "Muted", wrap=True)
        column.addWidget(self.words)
        self.list = self._build_list()
        column.addWidget(self.list)
        # its own height and no more: the text takes the rest (growing, it had left a gap over the summary)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.short = False
        self.hide()

    def set_short(self, short: bool) -> None:
        """A short Text tab's list is SHORT_LIST_ROWS high: the text keeps a fair share of the tab."""
        if short != self.short:
            self.short = short
            self.fit_height()

    def sizeHint(self) -> QSize:
        """Its height at its width: its words wrap to more lines than the hint's own guess in a narrow panel, and
        held to that guess (its size policy's Maximum) the list ran past its bottom, its last row cut in two (the
        inspector at 14 pt: 23 px)."""
        hint = super().sizeHint()
        if self.width() > 0 and self.layout().hasHeightForWidth():
            hint.setHeight(max(hint.height(), self.layout().totalHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_figures(event.size().width() >= NARROW_LIST_PX)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # its hint's height follows its width

    def _show_figures(self, shown: bool) -> None:
        """The surprisal / uncertainty column, shown as wide as its header and cells: hidden while the list
        was filled, it came back at Qt's default width, its header cut to "Surprisal / unce" (a list opened at
        800x600, the window then widened to 1024; leftovers58)."""
        table = self.list
        was_hidden = table.isColumnHidden(FIGURES_COLUMN)
        table.setColumnHidden(FIGURES_COLUMN, not shown)
        if shown and was_hidden:
            table.resizeColumnToContents(FIGURES_COLUMN)
        fit_columns(table)

    def _top_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(styled_label(words.TITLE.upper(), "PanelTitle"))
        self.order = QComboBox(self)  # made in place (gui/in_place.py)
        for order, name, _meaning in words.ORDER_NAMES:
            self.order.addItem(name, order)
        rich_tip(self.order, words.order_tip())
        self.order.setAccessibleName("Order of the surprises")
        row.addWidget(self.order)
        row.addStretch(1)
        self.previous_button, self.next_button = QToolButton(self), QToolButton(self)
        for button, text, tip in ((self.previous_button, "\u25c0 Previous", words.PREVIOUS_TIP),
                                  (self.next_button, "Next \u25b6", words.NEXT_TIP)):
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(text[2:] if text.startswith("\u25c0") else text[:-2])
            row.addWidget(button)
        return row

    def _build_list(self) -> QTreeWidget:
        table = FittedTable(self)  # its columns fit its width, at any scale (dark87)
        table.setRootIsDecorated(False)
        table.setUniformRowHeights(True)
        table.setAllColumnsShowFocus(True)
        table.header().setStretchLastSection(True)
        table.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._columns_for(table, passages=False)
        return table

    @staticmethod
    def _columns_for(table: QTreeWidget, passages: bool) -> None:
        """The headers of a list of tokens, or of passages (Known by heart; five columns each, the fourth
        left out when narrow)."""
        table.set_headers(*((recited_words.HEADERS, recited_words.SHORT_HEADERS, recited_words.HEADER_TIPS) if passages
                            else (words.HEADERS, words.SHORT_HEADERS, words.HEADER_TIPS)))
        # a narrow column cuts the words around a token from the left: the token and what follows it stay (cut
        # on the right, at 800x600 "…The capital of France i" had hidden "‹Rome›" itself); a passage's words
        # from the right: how it begins says which it is
        table.setTextElideMode(Qt.TextElideMode.ElideRight if passages else Qt.TextElideMode.ElideLeft)
        table.setAccessibleName("The passages the model knows by heart" if passages else "The most surprising tokens")

    def fit_height(self) -> None:
        """At most LIST_ROWS rows high (SHORT_LIST_ROWS in a short tab), fewer for a shorter list: the text keeps
        the rest."""
        table = self.list
        rows = max(1, min(SHORT_LIST_ROWS if self.short else LIST_ROWS, table.topLevelItemCount()))
        row_height = table.sizeHintForRow(0) if table.topLevelItemCount() else table.fontMetrics().height() + 6
        # whole rows, no more: 2 px over them had shown the top of the next row, cut through (usertest 25)
        height = table.header().sizeHint().height() + rows * row_height + 2 * table.frameWidth()
        table.setFixedHeight(height)

    def show_rows(self, found: list, records) -> None:
        """One row per surprise (most surprising first); the row's data is the token's place."""
        rows = []
        for surprise in found:
            around = core.context(records, surprise.index, before=CONTEXT_BEFORE, after=CONTEXT_AFTER)
            rows.append((words.cells(surprise, around), words.row_tip(surprise), surprise.index, surprise.index + 1))
        self._fill(rows, passages=False, right_aligned=(1, 3))

    def show_passages(self, spans: list, records, written=()) -> None:
        """One row per passage (Known by heart), in the text's order; the row's data is its tokens' places.
        ``written``: the indices of the tokens a model's continuation wrote (its passages say so)."""
        rows = [(recited_words.cells(records, span, written), recited_words.row_tip(records, span, written),
                 span.start, span.stop) for span in spans]
        self._fill(rows, passages=True, right_aligned=(1, 2, 3))

    def _fill(self, rows: list, passages: bool, right_aligned: tuple) -> None:
        """``rows``: (cells, tooltip, first token's place, the place after the last)."""
        table = self.list
        table.blockSignals(True)  # filling the list is no choice of the person's: nothing jumps
        table.clear()
        self._columns_for(table, passages)
        for texts, tip, start, stop in rows:
            item = QTreeWidgetItem(list(texts))
            item.setData(0, Qt.ItemDataRole.UserRole, start)
            item.setData(0, STOP_ROLE, stop)
            for column in range(len(texts)):
                item.setToolTip(column, tip)
            for column in right_aligned:
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.addTopLevelItem(item)
        self._show_figures(self.width() >= NARROW_LIST_PX)  # and the columns fit the list's width
        table.blockSignals(False)
        self.fit_height()

    def select_place(self, index: int) -> None:
        """The row of token ``index`` (a surprise's, or a passage's that holds it) becomes current (none: no
        row is), without jumping again."""
        table = self.list
        table.blockSignals(True)
        table.setCurrentItem(None)
        for row in range(table.topLevelItemCount()):
            item = table.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) <= index < item.data(0, STOP_ROLE):
                table.setCurrentItem(item)
                table.scrollToItem(item)
                break
        table.blockSignals(False)


class Surprises(QObject):
    """The toggle in the summary's title row, the panel, the ranking's task and the jumps.

    Attributes:
        found: the surprises of ``source`` (most surprising first), or its passages (Known by heart, in the
            text's order), or None until ranked.
        source: the heatmap's records list the surprises are of (the heatmap makes a new list per text).
        order: the order ``found`` is in.
        pending: a jump asked for (F3: True forward, False back) before the ranking came."""

    def __init__(self, view):
        super().__init__(view)
        self.view, self.heatmap = view, view.heatmap
        self.found: list | None = None
        self.source, self.source_len, self.order = None, 0, "least_likely"
        self.pending: bool | None = None
        self.task: Task | None = None
        self.toggle = self._build_toggle()
        self.panel = SurprisePanel(view)  # made in place (gui/in_place.py)
        layout = view.layout()
        layout.insertWidget(layout.indexOf(view.summary_scroll), self.panel)
        self._connect()
        view.installEventFilter(self)

    def _build_toggle(self) -> QToolButton:
        # white on its accent fill while on
        toggle = self.view.summary_panel.add_toggle(words.TITLE, "SurprisesToggle", white_when_checked("surprise"))
        toggle.setToolTip(words.TOGGLE_TIP)
        return toggle

    def _connect(self) -> None:
        view, panel = self.view, self.panel
        self.toggle.toggled.connect(self._toggled)
        view.summary_panel.histograms_button.toggled.connect(
            lambda opened: opened and self._one_of_two_in_a_short_tab(self.toggle))
        panel.order.currentIndexChanged.connect(lambda _i: self._order_chosen())
        panel.next_button.clicked.connect(lambda: self.jump(forward=True))
        panel.previous_button.clicked.connect(lambda: self.jump(forward=False))
        panel.list.currentItemChanged.connect(lambda item, _before: self._row_chosen(item))
        panel.list.itemClicked.connect(lambda item, _column: self._row_chosen(item))
        panel.list.itemActivated.connect(lambda item, _column: self._row_chosen(item))
        view.controller.analysed.connect(lambda _scored, _summary: self._text_changed())
        view.controller.analysis_stopped.connect(lambda _scored, _summary: self._text_changed())
        view.heatmap.token_clicked.connect(panel.select_place)
        for keys, forward in (("F3", True), ("Shift+F3", False)):
            shortcut = QShortcut(QKeySequence(keys), view, lambda f=forward: self.jump(forward=f))
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _one_of_two_in_a_short_tab(self, other: QToolButton) -> None:
        """In a short tab, Surprises and the histograms the person opened close each other: together they had left
        the text six lines at 1024x640, one of them at least nine (layout71); each button opens its own again."""
        from desktop_app.gui.text_view import SHORT_HEIGHT

        if self.view.height() < SHORT_HEIGHT and other.isChecked():
            other.setChecked(False)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            fit_toggle(self.toggle, self.view.width(), SURPRISES_ICON_ONLY_BELOW)
            self._fit_short()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ the ranking
    def current(self) -> bool:
        """Whether ``found`` is of the heatmap's records as they are now, in the order chosen."""
        records = self.heatmap.records
        return (self.found is not None and self.source is records and self.source_len == len(records)
                and self.order == self.panel.order.currentData())

    def request(self) -> Task | None:
        """Rank the heatmap's records on the store lane (one ranking at a time: a newer one replaces it)."""
        records, order = self.heatmap.records, self.panel.order.currentData()
        if not records:
            self.found = None
            self.panel.words.setText(words.NOT_ANALYSED)
            self.panel.show_rows([], records)
            return None
        if self.task is not None:
            self.view.controller.chat.tasks.store.cancel(self.task)
        snapshot = tuple(records)  # the lane reads its own copy; the heatmap's list may grow meanwhile
        if order == recited_words.ORDER:
            window = getattr(self.view.controller.chat.loaded, "context_window", None)
            self.panel.words.setText(recited_words.FINDING)
            work, what = (lambda _report, _cancel: recited.find_recited(snapshot, window=window),
                          "find the passages the model knows by heart")
        else:
            self.panel.words.setText(words.FINDING)
            work, what = lambda _report, _cancel: core.text_surprises(snapshot, order), "find the text's surprises"
        self.task = Task(work, what, KIND, on_success=lambda found: self._ranked(found, records, len(snapshot), order))
        self.view.controller.chat.tasks.store.submit(self.task)
        return self.task

    def _ranked(self, found: list, records, length: int, order: str) -> None:
        self.task = None
        if records is not self.heatmap.records or length != len(records):
            if self.toggle.isChecked() or self.pending is not None:
                self.request()  # the text changed meanwhile: rank it as it is now
            return
        self.found, self.source, self.source_len, self.order = found, records, length, order
        whole = self._whole_tokens()
        if order == recited_words.ORDER:
            written = self.heatmap.model_written
            self.panel.words.setText(recited_words.headline(found, length, whole, written))
            self.panel.show_passages(found, records, written)
        else:
            self.panel.words.setText(words.headline(len(found), length, order, whole))
            self.panel.show_rows(found, records)
        self.panel.select_place(self.heatmap.selected)
        self._jumps_follow()
        if self.pending is not None:
            forward, self.pending = self.pending, None
            self.jump(forward)

    def _whole_tokens(self) -> int | None:
        shown = getattr(self.view.analysis_tools, "shown", None)
        return len(shown[0].records) if shown else None

    def _text_changed(self) -> None:
        self.found = None
        self._jumps_follow()
        if self.toggle.isChecked():
            self.request()

    def _order_chosen(self) -> None:
        self.found = None
        self._jumps_follow()
        self.request()

    def _fit_short(self) -> None:
        """In a short tab the open list is SHORT_LIST_ROWS high and the summary under it keeps its least height
        (its figures scrolled to): the layout gives room back to its tallest part first, so the rows the list
        gave up went to the summary and the text kept its four lines (usertest 24, 800x600)."""
        from desktop_app.gui.text_view import SHORT_HEIGHT

        short = self.view.height() < SHORT_HEIGHT
        self.panel.set_short(short)
        self.view.summary_scroll.set_least(short and self.toggle.isChecked())
        self.view.fit_summary()  # the histograms fold where the list takes their room

    def _toggled(self, on: bool) -> None:
        self.panel.setVisible(on)
        if on:
            self._one_of_two_in_a_short_tab(self.view.summary_panel.histograms_button)
        self._fit_short()
        if on and not self.current():
            self.request()

    # ------------------------------------------------------------ the jumps
    def jump(self, forward: bool = True) -> int | None:
        """To the next (or previous) surprise in the text from the selected token; ranked first if
        need be (then the jump comes with the ranking). Returns the token's place, None for none yet."""
        if not self.current():
            if self.heatmap.records:
                self.pending = forward
                self.request()
            return None
        passages = self.order == recited_words.ORDER
        places = [span.start for span in self.found] if passages else core.in_text_order(self.found)
        place = core.step(places, self.heatmap.selected, forward)
        if place is None:
            return None
        if passages:
            span = recited.span_at(self.found, place)
            self.show_place(span.start, span.stop)
        else:
            self.show_place(place)
        return place

    def _row_chosen(self, item) -> None:
        if item is not None:
            self.show_place(item.data(0, Qt.ItemDataRole.UserRole), item.data(0, STOP_ROLE))

    def show_place(self, index: int, stop: int | None = None) -> None:
        """Token ``index`` in view, ringed a moment, selected, in the inspector; its row current. ``stop``: a
        passage, tokens ``index`` to ``stop`` - 1, all ringed (a while longer), its first token selected."""
        view, heatmap = self.view, self.heatmap
        stop = index + 1 if stop is None else stop
        if not 0 <= index < stop <= len(heatmap.starts):
            return
        view.set_editing(False)
        reveal(view.heatmap_scroll, heatmap, heatmap.starts[index], heatmap.ends[stop - 1], RING_RGB)
        if stop - index > 1:
            heatmap.flash(heatmap.starts[index], heatmap.ends[stop - 1], RING_RGB, PASSAGE_RING_MS)
        heatmap.choose_token(index)
        self.panel.select_place(index)

    def _jumps_follow(self) -> None:
        """Previous / next are off over a ranked list that is empty (nothing to go to), on otherwise (not
        ranked yet: a jump ranks first)."""
        on = self.found is None or bool(self.found)
        for button, tip in ((self.panel.previous_button, words.PREVIOUS_TIP), (self.panel.next_button, words.NEXT_TIP)):
            turn(button, on, tip if on else words.NOTHING_TO_JUMP_TIP)


def install(view) -> Surprises:
    return Surprises(view)
