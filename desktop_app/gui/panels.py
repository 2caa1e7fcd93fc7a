"""Side and bar widgets of the main window: conversations, legend, settings popover (the banners
are gui/banner.py's)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QFontMetrics, QLinearGradient, QPainter, QPalette
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QStyle,
                               QStyledItemDelegate, QStyleOptionViewItem, QToolButton, QVBoxLayout, QWidget)

from desktop_app.core.conversation_rows import marks_said, row_facts
from desktop_app.core.count_words import counted
from desktop_app.core.generation import SamplingSettings, recommended_sampling
from desktop_app.core.local_time import local_stamp
from desktop_app.core.palette import MEASURES, attribution_palette
from desktop_app.gui.name_dialog import ask_text
from desktop_app.gui.off_words import NEW_CONVERSATION_TIP, conversation_tips
from desktop_app.gui.range_fields import ClampedDoubleSpinBox, ClampedSpinBox, Clamps
from desktop_app.gui.responsive import Stepper
from desktop_app.gui.theme import THEME_CHOICES, icon, is_dark, styled_label
from desktop_app.gui.tips import follow, retip
from desktop_app.gui.token_view import PLAIN, legend_stops
from desktop_app.gui.wheel_guard import wheel_after_click

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ITEM_TIP = Qt.ItemDataRole.UserRole + 1  # a conversation's own tooltip (the list may add why it is off)
ROW_FACTS = Qt.ItemDataRole.UserRole + 2  # the row's quieter second line: when it was used, what was rated in it
ROW_BOTTOM_PADDING = 7  # px: the style sheet's padding under a conversation's row (ConversationList::item)
FACTS_SCALE = 0.9  # the second line's font against the title's: quieter, still read at a glance

MEASURE_NAMES = {"probability": "Probability", "rank": "Rank (GLTR)", "entropy": "Entropy",
                 "surprisal": "Surprisal", PLAIN: "Plain text"}


def conversation_facts(row: dict) -> str:
    """A conversation's row tooltip under its title: "3 answers, 1 rated · updated Dec 7 03:08". Its "14
    message(s)" counted questions and answers alike and said nothing of the ratings: among sixty conversations,
    two titled alike, a person back after two weeks could not tell which held the answers they had rated
    (usertest50)."""
    answers, rated = row.get("answer_count", 0), row.get("rated_count", 0)
    if not answers:
        said = "no answer yet"
    elif rated == answers:
        said = f"{counted(answers, 'answer')}, {'all rated' if answers > 1 else 'rated'}"
    else:
        said = f"{counted(answers, 'answer')}, {rated or 'none'} rated"
    marks = marks_said(row)
    return f"{said} \u00b7 updated {local_stamp(row.get('updated'))}" + (f"\n{marks}" if marks else "")


def _describe(item, row: dict, now: datetime) -> None:
    """A conversation's row's tooltip (its own: the list may add why it is off) and quieter second line."""
    item.setData(ITEM_TIP, f"{row['title']}\n{conversation_facts(row)}")
    item.setData(ROW_FACTS, row_facts(row, now))


class TwoLineRows(QStyledItemDelegate):
    """A conversation's row: its title, and under it in a smaller, muted font its ``ROW_FACTS`` ("yesterday ·
    ▲2 ▼1"), cut with "…" in a narrow panel. The title stays the item's text (renaming and deleting read it)."""

    @staticmethod
    def facts_font(title_font: QFont) -> QFont:
        font = QFont(title_font)  # a copy: the option's own goes with it
        font.setPointSizeF(font.pointSizeF() * FACTS_SCALE)
        return font

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        if index.data(ROW_FACTS):
            size.setHeight(size.height() + QFontMetrics(self.facts_font(option.font)).height())
        return size

    def paint(self, painter, option, index) -> None:
        facts = index.data(ROW_FACTS)
        if not facts:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.displayAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop  # the facts go below
        widget = option.widget
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        title = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, widget)
        painter.save()
        painter.setFont(self.facts_font(option.font))
        # the theme's muted colour (its placeholder text's), on the row's background and on its selection alike
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        # under the title, from where its letters start (the style's padding, then the margin Qt's styles leave
        # inside a view item's text rectangle), above the row's bottom padding and margin
        inset = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        room = QRect(title.left() + inset, option.rect.top(), title.width() - 2 * inset,
                     option.rect.height() - ROW_BOTTOM_PADDING - 1)
        painter.drawText(room, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                         painter.fontMetrics().elidedText(facts, Qt.TextElideMode.ElideRight, room.width()))
        painter.restore()


class ConversationPanel(QFrame):
    """Conversations, newest first: new, rename, delete, search by text.

    Attributes:
        list: one row per conversation (its id in the row's data).
        _filling: the list is being refilled (its selection signals are not the person's)."""

    selected = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    search_changed = Signal(str)
    export_requested = Signal(int, str)  # conversation id, "markdown" | "json"
    chosen = Signal()  # Enter on a conversation, or Esc on an empty search: the window's cue to the prompt
    # Enter on the search's words (its first match opened, or the open one kept): the window shows where they are
    search_entered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("SidePanel")
        # conversation id -> a warning to add before deleting it ("" for none); the window sets it
        self.delete_warning = lambda _cid: ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(self._title_row())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search conversations\u2026")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search.text().strip()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.installEventFilter(self)  # Down walks into the matches, Enter opens one (eventFilter)
        layout.addWidget(self.search)
        layout.addWidget(self._conversation_list(), 1)
        self.empty = styled_label("No conversations yet.", "Muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self._filling = False
        self.answering = False  # an answer being written: the list is off (set_answering)

    def _title_row(self) -> QHBoxLayout:
        """"CONVERSATIONS" and, at the row's end, the new-conversation button."""
        top = QHBoxLayout()
        top.addWidget(styled_label("CONVERSATIONS", "PanelTitle"))
        top.addStretch(1)
        self.new_button = QToolButton()
        self.new_button.setObjectName("FlatTool")
        self.new_button.setIcon(icon("new"))
        self.new_button.setToolTip(NEW_CONVERSATION_TIP)
        self.new_button.clicked.connect(self.new_requested)
        top.addWidget(self.new_button)
        return top

    def _conversation_list(self) -> QListWidget:
        """The conversations, two lines each (the title; when it was used and what was rated in it, quieter:
        ``TwoLineRows``): choosing one opens it, a double click or F2 renames it, Delete
        deletes it, and its menu (right click) renames, exports or deletes it."""
        self.list = QListWidget()
        self.list.setObjectName("ConversationList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(False)
        self.list.setItemDelegate(TwoLineRows(self.list))
        self.list.setUniformItemSizes(True)  # every row has its two lines: one size measured, not sixty
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(lambda item: self.ask_rename(item.data(Qt.ItemDataRole.UserRole)))
        self.list.installEventFilter(self)  # F2 renames, Delete deletes (eventFilter)
        return self.list

    def set_conversations(self, rows: list[dict], current: int | None) -> None:
        self._filling = True
        self.list.clear()
        now = datetime.now().astimezone()  # one clock for every row's "today" and "yesterday"
        for row in rows:
            item = QListWidgetItem(row["title"] or "Untitled")
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            _describe(item, row, now)
            self.list.addItem(item)
            if row["id"] == current:
                self.list.setCurrentItem(item)
        self._filling = False
        self._tip_items()
        self.empty.setVisible(not rows)
        self.empty.setText("Nothing matches." if self.search.text() else "No conversations yet.")

    def update_facts(self, rows: list[dict]) -> None:
        """The rows' second lines and tooltips again, in place: a rating just given shows its mark without the
        list being filled anew (its scroll, its current row and the keyboard's place stay)."""
        by_id, now = {row["id"]: row for row in rows}, datetime.now().astimezone()
        for i in range(self.list.count()):
            item = self.list.item(i)
            row = by_id.get(item.data(Qt.ItemDataRole.UserRole))
            if row is not None:
                _describe(item, row, now)
        self._tip_items()

    def set_answering(self, answering: bool) -> None:
        """Off while an answer is written, each part saying why (its own tooltip once it ends)."""
        self.answering = answering
        self.setEnabled(not answering)
        tips = conversation_tips(answering)
        retip(self.new_button, tips["new"])
        retip(self.search, tips["search"])
        retip(self.list, tips["list"])
        self._tip_items()

    def _tip_items(self) -> None:
        why = conversation_tips(self.answering)["item"]
        for i in range(self.list.count()):
            item, old = self.list.item(i), self.list.item(i).toolTip()
            item.setToolTip(item.data(ITEM_TIP) + (f"\n\n{why}" if why else ""))
            follow(old, item.toolTip(), self.list.viewport())

    def _current_changed(self, item, _previous) -> None:
        if item is not None and not self._filling:
            self.selected.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched, event) -> bool:
        """F2 renames and Delete deletes the selected conversation, as in a file manager: the
        keyboard reached them only through the Menu key (usertest16). Enter on a conversation, and Down or
        Enter on the search, are ``_list_key``'s and ``_search_key``'s."""
        if event.type() == QEvent.Type.KeyPress and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if watched is self.list and self._list_key(event.key()):
                return True
            if watched is self.search and self._search_key(event.key()):
                return True
        return super().eventFilter(watched, event)

    def _list_key(self, key) -> bool:
        """F2, Delete, or Enter (the conversation is open already: on to the prompt). True where it was used."""
        item = self.list.currentItem()
        if item is None or key not in (Qt.Key.Key_F2, Qt.Key.Key_Delete, *ENTER_KEYS):
            return False
        cid = item.data(Qt.ItemDataRole.UserRole)
        if key == Qt.Key.Key_F2:
            self.ask_rename(cid)
        elif key == Qt.Key.Key_Delete:
            self._confirm_delete(cid, item.text())
        else:
            self.chosen.emit()
        return True

    def _search_key(self, key) -> bool:
        """Down walks from the search into its matches, Enter opens the first (or the open one, where it matches) and
        shows where the words are (``search_entered``): both did nothing, and a returning person who searched for yesterday's conversation had
        to reach for the mouse or guess Tab (usertest41). True where it was used."""
        if key != Qt.Key.Key_Down and key not in ENTER_KEYS:
            return False
        if self._search_timer.isActive():  # typed and Enter at once: the list matches what the box says first
            self._search_timer.stop()
            self.search_changed.emit(self.search.text().strip())
        if not self.list.count():
            return key in ENTER_KEYS
        if self.list.currentItem() is None:
            self.list.setCurrentRow(0)  # opens it, as a click does
        if key == Qt.Key.Key_Down:
            self.list.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.search.text().strip():
            self.search_entered.emit(self.search.text().strip())
        else:
            self.chosen.emit()
        return True

    def leave_search(self) -> bool:
        """Esc in the search: its words go (every conversation is listed again); Esc on an empty search goes back
        to the prompt. The window's Esc (stop the answer) took the key and did nothing: the list stayed filtered and
        the cursor stayed in the search (usertest48). True where the search had the focus."""
        if not self.search.hasFocus():
            return False
        if self.search.text():
            self.search.clear()
        else:
            self.chosen.emit()
        return True

    def ask_rename(self, conversation_id: int) -> None:
        item = next((self.list.item(i) for i in range(self.list.count())
                     if self.list.item(i).data(Qt.ItemDataRole.UserRole) == conversation_id), None)
        old = item.text() if item else ""
        title, ok = ask_text(self, "Rename conversation", "Title:", old)
        if ok and title.strip():
            self.rename_requested.emit(conversation_id, title.strip())

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        cid = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction("Rename\u2026", lambda: self.ask_rename(cid))
        menu.addAction("Export as Markdown\u2026", lambda: self.export_requested.emit(cid, "markdown"))
        menu.addAction("Export as JSON\u2026", lambda: self.export_requested.emit(cid, "json"))
        menu.addSeparator()
        menu.addAction("Delete\u2026", lambda: self._confirm_delete(cid, item.text()))
        menu.exec(self.list.mapToGlobal(pos))

    def _confirm_delete(self, cid: int, title: str) -> None:
        warning = self.delete_warning(cid)
        no = QMessageBox.StandardButton.No  # by default, as for an adapter: Enter after Delete must not delete
        answer = QMessageBox.question(self, "Delete conversation",
                                      f"Delete \u201c{title}\u201d with all its answers and ratings?"
                                      + (f"\n\n{warning}" if warning else ""),
                                      QMessageBox.StandardButton.Yes | no, no)
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(cid)


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
        self.colour_by = QLabel("Colour by")
        layout.addWidget(self.colour_by)
        self.combo = QComboBox(self)  # made in place (gui/in_place.py)
        for key in list(MEASURES) + [PLAIN]:
            self.combo.addItem(MEASURE_NAMES[key], key)
            self.combo.setItemData(self.combo.count() - 1, MEASURES.get(key, "No colours"),
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip("What the tokens' colours show")  # (in a narrow window "Colour by" gives way)
        self.combo.currentIndexChanged.connect(lambda _i: self._changed())
        layout.addWidget(self.combo)
        self.low = styled_label("", "Muted")
        self.bar = GradientBar()
        self.high = styled_label("", "Muted")
        layout.addSpacing(6)
        self.scale = QHBoxLayout()  # "0% ▬ 100%" close together: at 800 px with both side panels
        self.scale.setSpacing(3)  # the header's 8 px gaps cost the end labels (usertest 9)
        for w in (self.low, self.bar, self.high):
            self.scale.addWidget(w)
        layout.addLayout(self.scale)
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
        self.colour_by.setText(key["title"] if on else "Colour by")
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


SETTINGS_HINT = "Point at a setting's name for what it does. Changes apply to the next answer."
# the Text tab's: its continuations read no system text and no Enter key (usertest 25 read "System text:
# instructions placed before the conversation" there, and "the next answer")
TEXT_SETTINGS_HINT = "Point at a setting's name for what it does. Changes apply to the next continuation."
# (the form's name, what it does): the sampler's fields in the popover's order (usertest 9: "Min-p"
# and "Alternatives kept" said nothing to a new user)
FIELD_TIPS = (
    ("Temperature", "How adventurous the choice of each next token is: lower picks the likely ones, higher "
                    "lets less likely ones through (0: always the most likely)"),
    ("Top-k", "Draw each token from only the k most likely ones (off: from all of them)"),
    ("Top-p", "Draw each token from the most likely tokens that together make up this share of the "
              "probability (1.00: all of them)"),
    ("Min-p", "Drops every token less than this share as likely as the most likely one, so a rare word "
              "cannot start an answer off course (0.00: off)"),
    ("Repetition penalty", "Makes a token already in the answer less likely to be drawn again (1.00: off). "
                           "The colours and probabilities shown stay the model's own."),
    ("Max new tokens", "The longest answer, in tokens: the model stops here if it has not ended by itself"),
    ("Seed", "The same seed and settings give the same answer again (random: a different one each time)"),
    ("Greedy", "Always take the most likely token: the same answer every time"),
    ("Alternatives kept", "How many of the other likely tokens each token keeps, with their probabilities, for "
                          "the tooltip and the token inspector"),
    ("System text", "Instructions placed before the conversation, which the model sees and the chat does not show"),
)


GAP = 6  # px between the popover and its button
LEAST_ROOM = 240  # px: a window with less room beside its button than this (one made only of the button) lends the screen's


def popover_area(widget: QWidget) -> QRect:
    """Where a popup by ``widget`` may lie, in global coordinates: its window's inside, on the screen;
    the screen's free area where the window leaves less than LEAST_ROOM above and below the widget."""
    screen = widget.screen().availableGeometry()
    window = widget.window()
    inside = QRect(window.mapToGlobal(QPoint(0, 0)), window.size()).intersected(screen)
    top = widget.mapToGlobal(QPoint(0, 0)).y()
    if max(top - inside.top(), inside.bottom() - top - widget.height()) - GAP < LEAST_ROOM:
        return screen
    return inside


def popup_left(button: QRect, width: int, area: QRect) -> int:
    """The left edge of a popup ``width`` wide by ``button``: it opens over the button and on toward the
    side of ``area`` with more room (its left edge on the button's where the button stands left of the
    middle, else its right edge on the button's), moved only as far as ``area`` needs. Its right edge
    always on the button's had opened it well to the left of the chat's Settings button, at the left of
    its row (polish36); the Text tab's, at the right, keeps it so."""
    more_room_right = button.center().x() - area.left() < area.right() - button.center().x()
    x = button.left() if more_room_right else button.right() + 1 - width
    return max(area.left(), min(x, area.right() + 1 - width))


class SettingsPopover(QFrame):
    """Sampling settings and system text, shown as a popup above the Settings button."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("Popover")
        self.clamped_to = None  # (field, the text it was set to) the range note tells of
        self._lay_out()
        self.setMinimumWidth(340)
        self.set_settings(recommended_sampling(), "")
        self._connect_changes()

    def _make_fields(self, fields: QWidget) -> None:
        """The fields, made in ``fields`` (gui/in_place.py) in their Tab order."""
        self.temperature = ClampedDoubleSpinBox(parent=fields, minimum=0.0, maximum=3.0, singleStep=0.05, decimals=2)
        self.top_k = ClampedSpinBox(parent=fields, minimum=0, maximum=100000)
        self.top_k.setSpecialValueText("off")
        self.top_p = ClampedDoubleSpinBox(parent=fields, minimum=0.0, maximum=1.0, singleStep=0.01, decimals=2)
        self.min_p = ClampedDoubleSpinBox(parent=fields, minimum=0.0, maximum=1.0, singleStep=0.01, decimals=2)
        self.min_p.setSpecialValueText("off")
        self.repetition = ClampedDoubleSpinBox(parent=fields, minimum=1.0, maximum=3.0, singleStep=0.05, decimals=2)
        self.repetition.setSpecialValueText("off")
        self.max_new = ClampedSpinBox(parent=fields, minimum=1, maximum=8192)
        self.seed = QSpinBox(parent=fields, minimum=-1, maximum=2**31 - 1)
        self.seed.setSpecialValueText("random")
        self.greedy = QCheckBox("always pick the most likely token", fields)
        self.alternatives = ClampedSpinBox(parent=fields, minimum=1, maximum=50)
        self.system = QPlainTextEdit(fields)
        self.system.setObjectName("SystemText")  # the style sheet's focus ring: Tab into it showed none (usertest26)
        self.system.setPlaceholderText("Optional instructions placed before the conversation")
        self.system.setFixedHeight(64)
        self.system.setTabChangesFocus(True)  # Tab typed a tab here: the keyboard could not leave it (usertest16)
        self.enter_sends = QCheckBox("Enter sends (Shift+Enter: new line)", fields)
        self.enter_sends.setToolTip("Off: Enter starts a new line and Ctrl+Enter sends")
        self.enter_sends.setChecked(True)
        self.theme = QComboBox(fields)
        for words, choice in THEME_CHOICES:
            self.theme.addItem(words, choice)
        self.theme.setToolTip("The window's colours: light, dark, or as the system's")

    def theme_choice(self) -> str:
        return self.theme.currentData()

    def set_theme_choice(self, choice: str) -> None:
        """A saved choice ("system", "light", "dark"); an unknown one follows the system."""
        self.theme.setCurrentIndex(max(0, self.theme.findData(choice)))

    def _lay_out(self) -> None:
        """The fields in a scroll area, Close under it: on a screen shorter than the popover (800x480,
        or 1280x800 at 150 %) its foot, Close and Enter's meaning among it, had been off the screen."""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 12)
        column.setSpacing(8)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("PopoverScroll")
        # no Tab stop of its own (it scrolls to the field that has the focus): the Tab after Close
        # stopped on it, with no ring anywhere (usertest26)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fields = QWidget(self.scroll.viewport())
        fields.setObjectName("PopoverFields")
        self.scroll.setWidget(fields)  # empty: its size hint then polishes nothing before the popover opens
        self._make_fields(fields)
        column.addWidget(self.scroll, 1)
        form = QFormLayout(fields)
        form.setContentsMargins(14, 12, 14, 0)
        form.setVerticalSpacing(8)
        self._add_fields(form)
        wheel_after_click(fields)  # scrolling the fields past a spin box must not turn it (wheel_guard.py)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the settings (Esc); changes are kept as you make them")
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout()
        row.setContentsMargins(14, 0, 14, 0)
        row.addStretch(1)
        row.addWidget(self.close_button)
        column.addLayout(row)

    def for_text(self, text: bool) -> None:
        """The Text tab's settings (``text``): the sampler's alone, said to apply to the next continuation;
        else the chat's, with the system text and the Enter key."""
        self.hint.setText(TEXT_SETTINGS_HINT if text else SETTINGS_HINT)
        for row in self.chat_rows:
            self.form.setRowVisible(row, not text)

    def _add_fields(self, form: QFormLayout) -> None:
        self.form = form
        form.addRow(QLabel("<b>Sampling</b>"))
        self.hint = styled_label(SETTINGS_HINT, "Muted", wrap=True)
        form.addRow(self.hint)
        self.range_note = styled_label("", "Muted", wrap=True)  # a value past a field's range, set to its end
        self.range_note.hide()
        form.addRow(self.range_note)
        fields = (self.temperature, self.top_k, self.top_p, self.min_p, self.repetition, self.max_new, self.seed,
                  self.greedy, self.alternatives, self.system)
        for (name, tip), field in zip(FIELD_TIPS, fields):
            label = QLabel(name)
            if isinstance(field, Clamps):
                tip = f"{tip}. From {field.range_words()}"
                field.on_clamp = lambda typed, kept, name=name, field=field: self._clamped(name, field, typed, kept)
                self._note_goes_with_edits(field)
            label.setToolTip(tip)  # the name is where a person points to ask what it means
            field.setToolTip(tip)
            form.addRow(label, field)
        keys = QLabel("<b>Keys</b>")
        form.addRow(keys)
        form.addRow("", self.enter_sends)
        self.chat_rows = (self.system, keys, self.enter_sends)  # only the chat reads them
        form.addRow(QLabel("<b>Look</b>"))
        form.addRow("Colours", self.theme)

    def _clamped(self, name: str, field, typed: str, kept: str) -> None:
        self.range_note.setText(f"{name} goes from {field.range_words()}: {typed} became {kept}.")
        self.range_note.show()
        self.clamped_to = (field, kept)

    def _note_goes_with_edits(self, field) -> None:
        """The range note tells of one value the person typed: it goes once they type again, or that
        field moves off the end it was set to (it had stayed until the settings were reset)."""
        field.lineEdit().textEdited.connect(lambda _text: self.range_note.hide())
        field.valueChanged.connect(lambda _value: self._hide_note_if_moved(field))

    def _hide_note_if_moved(self, field) -> None:
        if self.clamped_to is not None and self.clamped_to[0] is field and field.text() != self.clamped_to[1]:
            self.range_note.hide()

    def _connect_changes(self) -> None:
        """Every field says ``changed`` when the person changes it."""
        for w in (self.temperature, self.top_p, self.min_p, self.repetition):
            w.valueChanged.connect(self.changed)
        for w in (self.top_k, self.max_new, self.seed, self.alternatives):
            w.valueChanged.connect(self.changed)
        self.greedy.toggled.connect(self.changed)
        self.system.textChanged.connect(self.changed)
        self.enter_sends.toggled.connect(self.changed)

    def set_settings(self, s: SamplingSettings, system: str) -> None:
        self.range_note.hide()
        self.temperature.setValue(s.temperature)
        self.top_k.setValue(s.top_k)
        self.top_p.setValue(s.top_p)
        self.min_p.setValue(s.min_p)
        self.repetition.setValue(s.repetition_penalty)
        self.max_new.setValue(s.max_new_tokens)
        self.seed.setValue(-1 if s.seed is None else s.seed)
        self.greedy.setChecked(s.greedy)
        self.alternatives.setValue(s.alternatives)
        self.system.setPlainText(system)

    def settings(self) -> SamplingSettings:
        return SamplingSettings(max_new_tokens=self.max_new.value(), temperature=self.temperature.value(),
                                top_k=self.top_k.value(), top_p=self.top_p.value(),
                                seed=None if self.seed.value() < 0 else self.seed.value(),
                                greedy=self.greedy.isChecked(), alternatives=self.alternatives.value(),
                                repetition_penalty=self.repetition.value(), min_p=self.min_p.value())

    def system_text(self) -> str:
        return self.system.toPlainText().strip()

    def popup_above(self, widget: QWidget) -> None:
        """Over ``widget`` (the Settings button), inside the window: placed by the screen's height, at 1024x600
        it opened at the screen's top-left corner, half off the window (usertest26). Below the button where
        there is more room there (the Text tab's Continue, at the top); the fields scroll in the room there is."""
        self.range_note.hide()  # about a value typed the last time the settings were open
        # the button where the layouts still to run put it: Ctrl+, at once after the window narrowed to 800 px read
        # it in a passing place (the conversations folded, their handle not yet), 144 px right of where it settled
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.fit_height(10_000)
        area = popover_area(widget)
        button = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        above, below = button.top() - GAP - area.top(), area.bottom() - button.bottom() - GAP
        on_top = above >= self.height() or above >= below
        self.fit_height(max(above if on_top else below, 0))
        y = button.top() - GAP - self.height() if on_top else button.bottom() + GAP + 1
        self.move(popup_left(button, self.width(), area), y)
        self.opener = widget
        self.show()
        # the first field takes the keys: after Ctrl+, nothing in the popup had the focus, and what
        # was typed went nowhere (usertest16)
        self.temperature.setFocus(Qt.FocusReason.PopupFocusReason)
        self.temperature.selectAll()

    def fit_height(self, room: int) -> None:
        """Its whole height where ``room`` (by its button, in the window) has it, else ``room``, the fields scrolled."""
        self.adjustSize()
        whole = self.sizeHint().height() + self.scroll.widget().sizeHint().height() - self.scroll.sizeHint().height()
        self.resize(self.width(), min(whole, room))

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        # the popup held the mouse: the button that opened it never heard the pointer leave and
        # kept its hover look after Esc; it is told now, unless the pointer really is over it
        opener = getattr(self, "opener", None)
        if opener is not None and not opener.rect().contains(opener.mapFromGlobal(QCursor.pos())):
            opener.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
            opener.style().unpolish(opener)
            opener.style().polish(opener)
            opener.update()
