"""The conversation list at the window's left: new, rename, delete, search, each row's title over its quieter
second line (when it was used, what was rated in it) and its tooltip."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QToolButton,
                               QVBoxLayout)

from desktop_app.core.conversation_rows import marks_said, row_facts
from desktop_app.core.count_words import counted
from desktop_app.core.local_time import local_stamp
from desktop_app.gui.name_dialog import ask_text
from desktop_app.gui.off_words import NEW_CONVERSATION_TIP, conversation_tips
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import follow, retip

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# what a screen reader calls the list (its title shows the same words in capitals) and the search field
LIST_NAME, SEARCH_NAME = "Conversations", "Search conversations"
ITEM_TIP = Qt.ItemDataRole.UserRole + 1  # a conversation's own tooltip (the list may add why it is off)
ROW_FACTS = Qt.ItemDataRole.UserRole + 2  # the row's quieter second line: when it was used, what was rated in it
ROW_BOTTOM_PADDING = 7  # px: the style sheet's padding under a conversation's row (ConversationList::item)
FACTS_SCALE = 0.9  # the second line's font against the title's: quieter, still read at a glance


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
    export_requested = Signal(int, str)  # conversation id, "markdown" | "json" | "html"
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
        self.search.setPlaceholderText(f"{SEARCH_NAME}\u2026")
        self.search.setAccessibleName(SEARCH_NAME)  # a placeholder is only its description
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
        top.addWidget(styled_label(LIST_NAME.upper(), "PanelTitle"))
        top.addStretch(1)
        self.new_button = QToolButton()
        self.new_button.setObjectName("FlatTool")
        self.new_button.setIcon(icon("new"))
        self.new_button.setToolTip(NEW_CONVERSATION_TIP)
        self.new_button.setAccessibleName("New conversation")  # icon only: a screen reader's name for it
        self.new_button.clicked.connect(self.new_requested)
        top.addWidget(self.new_button)
        return top

    def _conversation_list(self) -> QListWidget:
        """The conversations, two lines each (the title; when it was used and what was rated in it, quieter:
        ``TwoLineRows``): choosing one opens it, a double click or F2 renames it, Delete
        deletes it, and its menu (right click) renames, exports or deletes it."""
        self.list = QListWidget()
        self.list.setObjectName("ConversationList")
        self.list.setAccessibleName(LIST_NAME)
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
        menu.addAction("Export as a web page\u2026", lambda: self.export_requested.emit(cid, "html"))
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
