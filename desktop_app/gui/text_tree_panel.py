"""The Text view's outline of continuations (Loom): the main text and its branches as a
tree, each with its first words and the mean probability of the tokens the model wrote;
a click shows that path as the document. Under it, for the continuation shown: thumbs,
Regenerate (another continuation in its place) and "Better…" (write a better
continuation). A right click renames, deletes, or makes a branch the main text; F2 renames the selected one."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QMenu, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from desktop_app.core import branch_words, text_branches as tb
from desktop_app.gui import branch_rows
from desktop_app.gui.name_dialog import ask_text
from desktop_app.gui.off_words import TEXT_REGENERATE_TIP, TextFacts, rate_branch_tip, rate_continuation_tip
from desktop_app.gui.prompt_box import ICON_ONLY_WIDTH, least_icon_width
from desktop_app.gui.responsive import Compactor
from desktop_app.gui.text_tree import BranchTree
from desktop_app.core.word_cut import clip_at_word
from desktop_app.gui.theme import colors, filled_when_checked, icon, is_dark, styled_label, white_when_selected
from desktop_app.gui.tip_clicks import TipClickThrough
from desktop_app.gui.tips import retip

MAIN = -1  # the main text's item (a branch id is never negative)
OUTLINE_NAME = "Branches"  # the outline's title (in capitals) and what a screen reader calls it
WRITING, WRITING_ROW = -2, "writing\u2026"  # the row of a continuation being written, not yet a branch (mark_writing)


BETTER_TIP = "Write a better continuation: fine-tuning prefers it to the model's"
BETTER_SAVED_WORDS = "\u270e Edit\u2026"  # short: the panel is narrow (the tooltip says more)


TIP_CHARS = 400  # of a branch's text in its tooltip
NAME_CHARS = 40  # of a branch's words where the thumbs' tooltips and the status bar name it


def _branch_tip(branch: dict, correction: str | None) -> str:
    """A branch's tooltip: its text (a long one cut, with "…"), then the better continuation
    the person wrote, which ✎ marks (usertest 17: the mark said nothing and the tooltip did not show it)."""
    tip = _cut(branch["text"])
    return tip + f"\n\n\u270e Your better continuation: \u201c{_cut(correction)}\u201d" if correction else tip


def _cut(text: str) -> str:
    return text if len(text) <= TIP_CHARS else text[:TIP_CHARS].rstrip() + "\u2026"


def _outline_label(words: str, correction: str | None) -> str:
    """A branch's line in the outline (``words``: core.branch_words.sibling_labels'), led by ✎ when the
    person wrote a better continuation for it: the narrow column cuts a line's end, so a mark after the
    words was cut with them."""
    return ("\u270e " if correction else "") + words


THUMBS = Qt.ItemDataRole.UserRole + 1  # an outline line's thumbs (+1 / -1 / None), which its icon shows


def _show_thumbs(item: QTreeWidgetItem, thumbs: int | None) -> None:
    """A rated continuation's line leads with the thumb it was given, in the colours of the buttons
    under the outline (usertest 18: after 👎 and Regenerate the two lines read alike, and which one
    was rated showed only on those buttons, for the branch shown). An icon, not an emoji: a machine
    without an emoji font drew 👍 as an empty box."""
    item.setData(0, THUMBS, thumbs)
    name, role = {1: ("thumb-up", "good"), -1: ("thumb-down", "bad")}.get(thumbs, (None, None))
    item.setIcon(0, white_when_selected(name, colors(is_dark())[role]) if name else QIcon())


BESIDE_LEAST = 40  # px of the outline beside the text, where the tab's height is its own
# whole rows the outline keeps under the text (a narrow tab), at its font's row height: a fixed 40 px
# there showed one whole row where the font was larger, and the rest hid behind a bar (conflict106)
UNDER_ROWS = 3
ROWS_MEASURED = 64  # rows whose heights the least height reads: a rated row (its thumb's icon) is taller than text


class BranchPanel(QWidget):
    """The tree of a BranchTree, and the rating buttons of the continuation shown.

    Attributes:
        tree: the BranchTree shown; outline: the QTreeWidget (item data: branch id, MAIN)."""

    better_requested = Signal(int)  # branch id: write a better continuation
    said = Signal(str)  # what a rating did, naming the branch it rated: for the status bar
    continue_main_requested = Signal()  # the main text's menu: continue it from its end
    export_main_requested = Signal()  # the main text's menu: save it as a text file

    def __init__(self, tree: BranchTree, parent=None):
        super().__init__(parent)
        self.tree = tree
        self.under = False  # under the text (set_under): the outline keeps UNDER_ROWS rows
        self.facts = TextFacts()  # the Text view's (set_facts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        self.title = styled_label(OUTLINE_NAME.upper(), "PanelTitle")
        layout.addWidget(self.title)
        self.outline = self._make_outline()
        self.rows = branch_rows.install(self.outline)  # a row's words in two lines where one cuts them (text98)
        self.outline.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.outline.setToolTip("Every continuation is a branch: click one to show that text; right-click to "
                                "rename it (F2), delete it or make it the main text")
        layout.addWidget(self.outline, 1)
        layout.addWidget(self._build_rating())
        self.margins = layout.contentsMargins()
        self.outline.itemClicked.connect(self._clicked)
        self.tip_clicks = TipClickThrough(self.outline, self._clicked)  # a row's tooltip over the next row took its click
        self.outline.customContextMenuRequested.connect(self._menu)
        # F2 renames, as in the conversation list and the adapter history (usertest39: here it did nothing);
        # the outline's own: F2 elsewhere in the window is not taken
        rename_key = QShortcut(QKeySequence(Qt.Key.Key_F2), self.outline, self.rename_selected)
        rename_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        tree.changed.connect(self.refresh)
        tree.rated.connect(lambda _id: self._show_rating())
        tree.main_edited.connect(self._main_edited)

    def _make_outline(self) -> QTreeWidget:
        """The outline's two columns (a branch's words, its mean probability), their header tips and sizes."""
        outline = QTreeWidget(self)  # made in place (gui/in_place.py)
        outline.setObjectName("BranchOutline")
        outline.setAccessibleName(OUTLINE_NAME)
        outline.setColumnCount(2)
        # a header names the percentage (text58: a % no row explained); the first column says what a row is
        outline.setHeaderLabels(["branch", branch_words.PERCENT_HEADER])
        outline.headerItem().setToolTip(0, "Each branch by its first words, or, where siblings begin alike, "
                                           "by the words where it parts from them")
        outline.headerItem().setToolTip(1, branch_words.PERCENT_TIP)
        header = outline.header()  # the first words take the room; the probability what it needs
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        outline.setIndentation(12)
        outline.setMinimumHeight(BESIDE_LEAST)  # in a short window the rating buttons under it stay whole
        outline.setRootIsDecorated(False)
        return outline

    def set_under(self, under: bool) -> None:
        """Under the text (a narrow tab): no title (the outline's first row says "Main text"), and 3 px
        margins above and below, not 6 (a short screen's Text tab: every row's pixels count)."""
        self.title.setVisible(not under)
        # under the text its two rows are all the room it has: the header goes (the cells' tooltips say it)
        self.outline.setHeaderHidden(under)
        self.rows.wrapping = not under  # under the text its two rows keep one line each
        self.outline.scheduleDelayedItemsLayout()
        self.under = under
        self._keep_rows()
        m = self.margins
        self.layout().setContentsMargins(m.left(), 3 if under else m.top(), m.right(), 3 if under else m.bottom())

    def _build_rating(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        # the pressed thumb fills in its colour, as an answer's does in the chat (usertest 20: the Text
        # tab's 👎 kept its outline, only tinted, and read as not pressed)
        palette = colors(is_dark())
        self.up_button = QPushButton(filled_when_checked("thumb-up", palette["good"]), "")
        self.down_button = QPushButton(filled_when_checked("thumb-down", palette["bad"]), "")
        self.thumb_tips = {}
        for button, value, words in ((self.up_button, 1, "good"), (self.down_button, -1, "bad")):
            button.setCheckable(True)
            button.setObjectName("RateTokenButton")
            button.setProperty("rating", "up" if value > 0 else "down")  # the style's pressed colours
            button.setAccessibleName(f"Rate this continuation {words}")  # icon only; its tip changes with the state
            self.thumb_tips[button] = rate_continuation_tip(words)
            button.clicked.connect(lambda _c=False, v=value: self.rate(v))
            row.addWidget(button)
        self.regenerate_button = QPushButton(icon("regenerate"), "Regenerate")
        self.regenerate_button.setToolTip(TEXT_REGENERATE_TIP)
        self.regenerate_button.setAccessibleName("Regenerate")  # kept when a narrow panel drops the word
        self.better_button = QPushButton("Better\u2026")
        self.better_button.setToolTip(BETTER_TIP)
        self.better_button.clicked.connect(lambda: self.better_requested.emit(self.tree.shown))
        self.regenerate_button.setMinimumWidth(least_icon_width(self.regenerate_button))
        for button in (self.regenerate_button, self.better_button):
            row.addWidget(button, 1)
        self._keep_better_whole()
        # a narrow panel drops Regenerate's word (the icon and the tooltip stay)
        self.compactor = Compactor(box, lambda compact: self.regenerate_button.setText("" if compact else "Regenerate"))
        return box

    def _keep_better_whole(self) -> None:
        """Better's words never squeezed: it has no icon to fall back on, and at a 14 pt font the narrow panel
        cut "Better…" to "etter." at both ends (Regenerate gives up its word first, the Compactor's)."""
        self.better_button.ensurePolished()  # its padding is the style sheet's
        self.better_button.setMinimumWidth(max(ICON_ONLY_WIDTH, self.better_button.sizeHint().width()))

    # ------------------------------------------------------------ the outline
    def refresh(self) -> None:
        self.outline.clear()
        main = QTreeWidgetItem([self._main_label(), ""])
        main.setData(0, Qt.ItemDataRole.UserRole, MAIN)
        main.setToolTip(0, "The document's main text")
        main.setToolTip(1, branch_words.MAIN_PERCENT_TIP)
        self.outline.addTopLevelItem(main)
        self._add_children(main, None)
        self.outline.expandAll()
        self._mark_shown()
        self._show_rating()
        self._keep_rows()

    def _keep_rows(self) -> None:
        """The outline's least height: UNDER_ROWS whole rows under the text (the panel's layout then asks
        that of the splitter), else BESIDE_LEAST."""
        if not self.under:
            self.outline.setMinimumHeight(BESIDE_LEAST)
            return
        self.outline.setMinimumHeight(UNDER_ROWS * self._tallest_row() + 2 * self.outline.frameWidth())
        self._scroll_to_current()

    def _tallest_row(self) -> int:
        """The tallest row's height: a row with a thumb's icon is taller than the main text's first row, and three
        of the first row's height showed about 2.5 rows with the current one cut in half (textwords107)."""
        heights = [self.outline.sizeHintForIndex(self.outline.indexFromItem(item)).height()
                   for item in self.items()[:ROWS_MEASURED]]
        tallest = max(heights, default=-1)  # none before the first row: the font's line then
        return tallest if tallest > 0 else self.outline.fontMetrics().height() + 2

    def _scroll_to_current(self) -> None:
        """The current row (the branch shown) whole in view once the outline's new height is laid out: the
        splitter gives the outline its height after this, and a row scrolled to before stayed cut in half."""
        QTimer.singleShot(0, self, self._current_in_view)

    def _current_in_view(self) -> None:
        current = self.outline.currentItem()
        if current is not None:
            self.outline.scrollToItem(current)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._scroll_to_current()  # a shorter outline (Fine-tune's change came on above it) keeps the row shown whole

    def _main_label(self) -> str:
        start = self.tree.main_text[:400]  # the first words only: a pasted book is not split whole
        return f"Main text \u00b7 {tb.first_words(start, 24) or '(empty)'}"

    def _main_edited(self) -> None:
        item = self.item_for(None)
        if item is not None:
            item.setText(0, self._main_label())

    def _add_children(self, item: QTreeWidgetItem, parent: int | None) -> None:
        siblings = self.tree.children(parent)
        words = self._labels(parent)  # what tells each from the others (text58)
        for branch in siblings:
            child = QTreeWidgetItem([_outline_label(words[branch["id"]], branch.get("correction")),
                                     branch_words.percent(branch)])
            _show_thumbs(child, branch.get("thumbs"))
            child.setData(0, Qt.ItemDataRole.UserRole, branch["id"])
            self._tip(child, branch, branch.get("correction"))
            child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.addChild(child)
            self._add_children(child, branch["id"])

    def _tip(self, item: QTreeWidgetItem, branch: dict, correction: str | None) -> None:
        """The row's tooltip: its text, the better continuation, when it was made and after which words;
        the percentage's cell says what it is first."""
        before = tb.prefix_text(self.tree.main_text, self.tree.by_id, branch)
        named = f"\u201c{branch['title']}\u201d\n\n" if branch.get("title") else ""  # a long name, cut in its row
        item.setToolTip(0, named + _branch_tip(branch, correction) + "\n\n" + branch_words.row_tip(branch, before))
        item.setToolTip(1, branch_words.PERCENT_TIP if branch.get("mean_prob") is not None else
                        "The model wrote none of this branch: it has no mean probability")

    def _words(self, branch: dict) -> str:
        return self._labels(branch["parent_id"])[branch["id"]]

    def _labels(self, parent: int | None) -> dict[int, str]:
        siblings = self.tree.children(parent)
        befores = {b["id"]: tb.prefix_text(self.tree.main_text, self.tree.by_id, b) for b in siblings}
        return branch_words.sibling_labels(siblings, befores)

    def items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.outline.topLevelItem(i) for i in range(self.outline.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            out.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return out

    def item_for(self, branch_id: int | None) -> QTreeWidgetItem | None:
        want = MAIN if branch_id is None else branch_id
        return next((i for i in self.items() if i.data(0, Qt.ItemDataRole.UserRole) == want), None)

    def _mark_shown(self) -> None:
        on_path = set(self.tree.path_ids())
        for item in self.items():
            bid = item.data(0, Qt.ItemDataRole.UserRole)
            font = item.font(0)
            font.setBold(bid in on_path or (bid == MAIN and self.tree.shown is None))
            item.setFont(0, font)
        current = self.item_for(self.tree.shown)
        if current is not None:
            self.outline.setCurrentItem(current)

    def mark_writing(self, parent: int | None) -> None:
        """A row for the branch being written, under ``parent`` (None: the main text), current and bold, the
        shown path's rows plain: the branch shown before had stayed marked until the new one ended. The branch's
        own row takes its place once it is kept (refresh)."""
        under = self.item_for(parent)
        if under is None:
            return
        for item in self.items():
            font = item.font(0)
            font.setBold(False)
            item.setFont(0, font)
        row = QTreeWidgetItem([WRITING_ROW, ""])
        row.setData(0, Qt.ItemDataRole.UserRole, WRITING)
        row.setToolTip(0, "The continuation being written: its branch once it ends")
        font = row.font(0)
        font.setBold(True)
        font.setItalic(True)
        row.setFont(0, font)
        under.addChild(row)
        under.setExpanded(True)
        self.outline.setCurrentItem(row)
        self.outline.scrollToItem(row)

    def drop_writing(self) -> None:
        """The writing ended: its row goes (the branch kept gets its own with the tree's next change)."""
        if self.item_for(WRITING) is not None:
            self.refresh()

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        bid = item.data(0, Qt.ItemDataRole.UserRole)
        if bid != WRITING:  # the continuation being written shows already
            self.tree.show(None if bid == MAIN else bid)

    # ------------------------------------------------------------ rename, delete, make main
    def _menu(self, point) -> None:
        item = self.outline.itemAt(point)
        bid = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else MAIN
        if bid == WRITING:  # no branch yet
            return
        if bid == MAIN:
            self._main_menu(point)
            return
        menu = QMenu(self)
        rename = menu.addAction("Rename\u2026", lambda: self.rename(bid))
        rename.setShortcut(QKeySequence(Qt.Key.Key_F2))  # shown beside the words; the outline's shortcut does it
        rename.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        menu.addAction("Make it the main text", lambda: self.tree.make_main(bid))
        menu.addSeparator()
        menu.addAction("Delete (with its branches)", lambda: self.tree.delete(bid))
        menu.popup(self.outline.viewport().mapToGlobal(point))

    def _main_menu(self, point) -> None:
        """The main text's row: what applies to it (text67: it had no menu). It has no name of its own (the
        picker names the text), is the main text already and goes only with the whole text (Delete on the picker)."""
        menu = QMenu(self)
        go_on = menu.addAction("Continue the main text from its end", self.continue_main_requested.emit)
        go_on.setEnabled(bool(self.tree.main_text.strip()))
        menu.addAction("Export the main text as a text file\u2026", self.export_main_requested.emit)
        menu.popup(self.outline.viewport().mapToGlobal(point))

    def rename_selected(self) -> None:
        """The selected branch renamed (the main text has no name of its own to give)."""
        item = self.outline.currentItem()
        bid = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else MAIN
        if bid not in (MAIN, WRITING):
            self.rename(bid)

    def rename(self, branch_id: int, title: str | None = None) -> None:
        if title is None:
            title, ok = ask_text(self, "Rename branch", "Name:", tb.label(self.tree.by_id[branch_id]))
            if not ok:
                return
        self.tree.rename(branch_id, title)

    # ------------------------------------------------------------ rating the continuation shown
    def set_facts(self, facts: TextFacts) -> None:
        """The Text view's state: the rating buttons say why they are off (while a continuation is
        written or a text opened the whole panel is off)."""
        self.facts = facts
        self._show_rating()

    def _show_rating(self) -> None:
        bid = self.tree.shown
        rated = bid is not None and self.tree.by_id.get(bid, {}).get("kind") in ("continuation", "alternative")
        for button in (self.up_button, self.down_button, self.better_button):
            button.setEnabled(rated)
        ratings = self.tree.ratings(bid) if rated else {"thumbs": None, "correction": None}
        self.up_button.setChecked(ratings["thumbs"] == 1)
        self.down_button.setChecked(ratings["thumbs"] == -1)
        facts = TextFacts(self.facts.continuing, self.facts.opening, on_continuation=rated)
        named = f" (it rates \u201c{self.branch_name(bid)}\u201d, the branch shown)" if rated else ""
        for button, tip in self.thumb_tips.items():
            retip(button, rate_branch_tip(facts, tip + named))
        self._show_better(bid if rated else None, ratings, facts)

    def _show_better(self, branch_id: int | None, ratings: dict, facts: TextFacts) -> None:
        """A saved better continuation shows: "Edit better…" with it in the tooltip, and ✎ on its
        branch in the outline (usertest 7: only the Fine-tune counter moved), beside its thumbs."""
        correction = ratings["correction"]
        self.better_button.setText(BETTER_SAVED_WORDS if correction else "Better\u2026")
        self._keep_better_whole()
        retip(self.better_button, rate_branch_tip(facts, f"Your better continuation: \u201c{correction[:300]}\u201d "
                                                         "(click to edit it)" if correction else BETTER_TIP))
        item = self.item_for(branch_id) if branch_id is not None else None
        if item is not None:
            branch = self.tree.by_id[branch_id]
            branch.update(thumbs=ratings["thumbs"], correction=correction)  # as stored: the next refresh shows them
            item.setText(0, _outline_label(self._words(branch), correction))
            _show_thumbs(item, ratings["thumbs"])
            self._tip(item, branch, correction)
            self._keep_rows()  # a thumb's icon makes its row taller

    def rate(self, value: int) -> None:
        bid = self.tree.shown
        if bid is None:
            return
        current = self.tree.ratings(bid)["thumbs"]
        given = None if current == value else value
        self.tree.rate(bid, given)
        # the branch named (walk70: a click on another row went to a tooltip, and 👎 rated the branch liked before)
        done = {1: "\U0001f44d good", -1: "\U0001f44e bad"}.get(given)
        self.said.emit(f"Rated \u201c{self.branch_name(bid)}\u201d {done}" if done else
                       f"Took back the rating of \u201c{self.branch_name(bid)}\u201d")

    def branch_name(self, branch_id: int) -> str:
        """The branch's words as its row says them (its name, or where it parts from its siblings), cut short."""
        branch = self.tree.by_id[branch_id]
        return clip_at_word(self._words(branch), NAME_CHARS)
