"""Adapter history: every kept fine-tune, newest first; use one, go back to the base model,
roll back to the previous one, delete old ones, export one, import one trained elsewhere."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QInputDialog, QLineEdit,
                               QListWidgetItem, QMenu, QMessageBox, QPushButton, QToolButton, QVBoxLayout,
                               QWidget)

from desktop_app.core.adapters import NAME_CHARS, label
from desktop_app.gui import save_folder
from desktop_app.gui.adapter_history_words import adapter_line, figures_tip, waiting_ratings_words
from desktop_app.gui.elided_labels import ElidedLabel
from desktop_app.gui.off_words import EXPORT_TIP, HistoryFacts, history_tips  # noqa: F401 (EXPORT_TIP: read here)
from desktop_app.gui.theme import icon, styled_label
from desktop_app.gui.tips import ListWithTipsAbove, retip


# how to make one, not only that there is none (usertest: Ctrl+H with none showed the tab and said nothing)
EMPTY = ("No adapter yet. To make one, rate some answers (thumbs up or down, a token, or a better answer), then "
         "press “Fine-tune on my ratings” above: a kept fine-tune appears here. Until then the base model "
         "answers.")
NONE_YET = "No adapter yet: rate some answers, then press “Fine-tune on my ratings” to make one"
# after a discarded run, "rate some answers, then press Fine-tune" told the person to do what they had just
# done (usertest36): the history says the run was discarded and where its card says why
EMPTY_AFTER_DISCARD = ("No adapter yet: your last fine-tune was discarded, so the base model still answers. Its card "
                       "above says why and what to try next; a kept fine-tune appears here.")
NONE_KEPT = "No adapter yet: your last fine-tune was discarded (its card in the Fine-tune tab says why)"
LOADING = "The adapter history appears once the model has loaded\u2026"
HISTORY_NAME = "Adapter history"  # the title (in capitals) and what a screen reader calls the list
LIST_LEAST = 60  # px: the list's least height, about one row, where the panel is short
USING_LEAST_PX = 120  # px the "In use" line asks at least: "In use: adapter 3…" (the panel stays narrow)


def list_key(widget: QWidget, key: Qt.Key, action) -> QShortcut:
    """``key`` does ``action`` only while ``widget`` has the focus. Set with setContext: PySide6 takes no
    ``context=`` beside a callable, and the shortcut was the window's while the Fine-tune tab showed: Enter
    on any button there ("Use base model", "Report…") was taken by it and used the selected adapter or did
    nothing, and F2 in the conversation list renamed an adapter (usertest26)."""
    shortcut = QShortcut(QKeySequence(key), widget, action)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    return shortcut


class AdapterHistory(QFrame):
    """The adapters of the chat model, newest first, with use / base / roll back / delete.

    Attributes:
        rows: the adapters shown (dicts from core.adapters.list_adapters).
        busy: a fine-tune runs (the buttons wait).
        ask: whether a delete is confirmed first (tests turn it off).
        focus_elsewhere: called when the keyboard was on the list or its buttons and the list
            hid (the last adapter deleted): the window puts it where a person types."""

    activate_requested = Signal(int)
    deactivate_requested = Signal()
    rollback_requested = Signal()
    delete_requested = Signal(int)
    export_requested = Signal(int)
    import_requested = Signal(str)  # a PEFT adapter folder
    report_requested = Signal(int)  # show the report of the run that made this adapter
    rename_requested = Signal(int, str)  # adapter id, its new name ("" for none)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("AdapterHistory")
        self.ask = True  # confirm deletes (tests turn it off)
        self.choose_folder = None  # tests: a callable returning the folder instead of the file dialog
        self.ask_name = None  # tests: a callable (adapter id, current name) -> new name or None
        self.focus_elsewhere = None
        self.rows: list[dict] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.title_row = QHBoxLayout()  # the title, and Import… (it adds to the list: no selection needed)
        self.title_row.setContentsMargins(0, 0, 0, 0)
        self.title_row.addWidget(styled_label(HISTORY_NAME.upper(), "PanelTitle", wrap=True), 1)  # wraps: narrow screens
        layout.addLayout(self.title_row)
        # its own line, one line high: a longer name (a rename, a switch) wrapped a line more and moved the rows and
        # buttons under it; cut after a whole word instead, the whole in its tooltip. Its least width keeps the
        # panel narrow
        self.using = ElidedLabel("", least=USING_LEAST_PX)
        self.using.setObjectName("Muted")
        layout.addWidget(self.using)
        layout.addWidget(self._build_list())
        self.empty = styled_label(EMPTY, "Muted", wrap=True)
        layout.addWidget(self.empty)
        self._build_buttons(layout)
        self.busy = False
        self.after_discard = False  # the run card above is a discarded run's (set_after_discard)
        self.waiting = 0  # the ratings a first fine-tune would learn from (set_waiting)
        self.set_adapters([])

    def _build_list(self) -> ListWithTipsAbove:
        """The adapters, one a row: a double click or Enter uses one, F2 renames it, its menu (right click) the rest."""
        # a row's tooltip opens above the row: under the pointer it covered the buttons below the list (leftovers77)
        self.list = ListWithTipsAbove()
        self.list.setObjectName("AdapterList")
        self.list.setAccessibleName(HISTORY_NAME)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMinimumHeight(LIST_LEAST)
        self.list_wanted = LIST_LEAST  # px the list asks for: up to four rows whole (set_adapters)
        self.room: tuple[int, int] | None = None  # (width, height) the panel's view has for the history (fit_to)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(lambda item: self.activate_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        # Enter on a row uses it, as a double-click does: from the keyboard it took a Tab to "Use selected"
        # first, and Enter on the row the person had just picked did nothing (usertest22)
        for key, action in ((Qt.Key.Key_F2, self.rename_selected), (Qt.Key.Key_Return, self._use_if_allowed),
                            (Qt.Key.Key_Enter, self._use_if_allowed)):
            list_key(self.list, key, action)
        return self.list

    def _build_buttons(self, layout) -> None:
        """The buttons two by two and their wiring: Use selected / Roll back, Use base model /
        Delete, and the selected adapter's Report / Export; Import sits by the title (it adds
        to the list and needs no selection), so no row is half full."""
        self.buttons = QWidget()  # hidden while there is no adapter: none of them could do anything (usertest 13)
        grid = QGridLayout(self.buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.use_button = QPushButton(icon("check"), "Use selected")
        self.base_button = QPushButton(icon("model"), "Use base model")
        self.rollback_button = QPushButton(icon("history"), "Roll back")
        self.rollback_button.setToolTip("Go back to the adapter the one in use was trained from")
        self.delete_button = QPushButton(icon("delete"), "Delete")
        self.delete_button.setToolTip("Delete the selected adapter (not the active one)")
        self.export_button = QPushButton(icon("export"), "Export\u2026")
        self.import_button = QToolButton()  # by the title, like the conversation list's new-conversation button
        self.import_button.setObjectName("FlatTool")
        self.import_button.setIcon(icon("new"))
        self.import_button.setText("Import\u2026")
        self.import_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.report_button = QPushButton(icon("compare"), "Report\u2026")
        self.button_grid, self.button_columns = grid, 0
        for b in self._button_order():
            b.setObjectName("SmallButton")
        self._lay_buttons(2)
        layout.addWidget(self.buttons)
        self.title_row.addWidget(self.import_button)
        self.use_button.clicked.connect(self._use)
        self.base_button.clicked.connect(self.deactivate_requested)
        self.rollback_button.clicked.connect(self.rollback_requested)
        self.delete_button.clicked.connect(self._delete)
        self.export_button.clicked.connect(self._export)
        self.import_button.clicked.connect(self._import)
        self.report_button.clicked.connect(lambda: self.selected_id() is not None
                                           and self.report_requested.emit(self.selected_id()))

    def set_after_discard(self, discarded: bool) -> None:
        """Whether the run card above is a discarded run's: an empty history then says so, not how to start one."""
        self.after_discard = discarded
        self._say_empty()

    def set_waiting(self, ratings: int) -> None:
        """The ratings counted (the Fine-tune tab's count): an empty history says how many wait, not "rate some"."""
        self.waiting = ratings
        self._say_empty()

    def _say_empty(self) -> None:
        if self.loading or self.after_discard or not self.waiting:
            self.empty.setText(LOADING if self.loading else EMPTY_AFTER_DISCARD if self.after_discard else EMPTY)
        else:
            self.empty.setText(waiting_ratings_words(self.waiting, panel=True))

    def none_yet(self) -> str:
        """The status bar's line for Ctrl+H with no adapter."""
        if self.after_discard:
            return NONE_KEPT
        return waiting_ratings_words(self.waiting) if self.waiting else NONE_YET

    def set_adapters(self, rows: list[dict], loading: bool = False) -> None:
        """``rows``: adapters.list_adapters(...) (oldest first); shown newest first. ``loading``:
        no model yet, so an empty list may only mean its adapters are not known yet."""
        had_focus = self._focus_on_selection()
        self.loading = loading and not rows  # the empty list may only mean its adapters are not known yet
        self._say_empty()
        selected = self.selected_id()
        self.rows = list(rows)
        self.list.clear()
        active = None
        for row in reversed(self.rows):
            name = label(row, start=True)  # a row begins with it
            if row.get("active"):
                name += "   \u25cf in use"
                active = row
            if not row.get("present", True):
                name += "   (files missing)"
            item = QListWidgetItem(f"{name}\n{adapter_line(row)}")
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            item.setToolTip(figures_tip(row))  # the figures behind the row's words, and its folder
            if row.get("active"):
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if row["id"] == selected or (selected is None and row.get("active")):
                self.list.setCurrentItem(item)
        self.list_wanted = self._rows_height()
        self.empty.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
        # with no adapter, six disabled buttons under "No adapters yet" read as usable ("what does Export…
        # do then?", usertest 13): they show with the first one; Import, by the title, brings one in
        self.buttons.setVisible(bool(self.rows))
        self.using.setText(f"In use: {label(active)}" if active else "In use: the base model")
        self._fit_list()
        self._update_buttons()
        if had_focus and not self.rows and self.focus_elsewhere is not None:
            # the list hid with the keyboard in it: Qt passed it on to "Import…", where Space opens a file dialog
            self.focus_elsewhere()

    def _button_order(self) -> list:
        """Two by two, row by row (the two long ones in one column: it fits 280 px)."""
        return [self.use_button, self.rollback_button, self.base_button, self.delete_button,
                self.report_button, self.export_button]

    def _lay_buttons(self, columns: int) -> None:
        if columns == self.button_columns:
            return
        self.button_columns = columns
        for i, button in enumerate(self._button_order()):
            self.button_grid.removeWidget(button)
            self.button_grid.addWidget(button, i // columns, i % columns)

    def _buttons_fit_two_columns(self, width: int) -> bool:
        order = self._button_order()
        widest = [max(b.sizeHint().width() for b in order[column::2]) for column in (0, 1)]
        return sum(widest) + self.button_grid.horizontalSpacing() <= width

    def fit_to(self, width: int, height: int) -> None:
        """``width`` x ``height``: what the panel's view has for the whole history. The list takes what its
        title, "In use" line and buttons leave and scrolls past that, so the buttons stay in view with the
        list: at 1024x600 four rows of a fine-tune's four lines made the history taller than the panel, and
        Ctrl+H showed its middle, the buttons' last row below the panel's end (a new user)."""
        self.room = (width, height)
        # one under another where two side by side do not fit: on a 480 px screen they kept the panel 241 px wide
        self._lay_buttons(2 if self._buttons_fit_two_columns(width) else 1)
        self._fit_list()

    def _rows_height(self) -> int:
        """The list's height that shows up to four rows whole, each as tall as the tallest."""
        rows_shown = min(max(len(self.rows), 1), 4)
        lines = max((self.list.item(i).text().count("\n") + 1 for i in range(self.list.count())), default=3)
        return rows_shown * (lines * self.list.fontMetrics().lineSpacing() + 12) + 8

    def _fit_list(self) -> None:
        height = self.list_wanted
        if self.room is not None:
            height = min(height, self.room[1] - self._height_besides_list(self.room[0]))
        self.list.setFixedHeight(max(LIST_LEAST, height))
        current = self.list.currentItem()
        if current is not None:  # the row in use or picked stays in view in a shorter list
            self.list.scrollToItem(current)

    def _height_besides_list(self, width: int) -> int:
        """The history's height without its list, at ``width``: the parts shown (a wrapped "In use" line
        takes the lines it needs there) and the spaces between them and the list."""
        layout = self.layout()
        parts = [layout.itemAt(i) for i in range(layout.count())]
        shown = [p for p in parts if p.widget() is not self.list and not p.isEmpty()]
        heights = [p.heightForWidth(width) if p.hasHeightForWidth() else p.sizeHint().height() for p in shown]
        return sum(heights) + layout.spacing() * len(shown)

    def _focus_on_selection(self) -> bool:
        """The keyboard is on the list or on a button that acts on the selected adapter, or goes back there
        when the window is active again: Delete's question just closed, the window not active yet, and the
        list hid meanwhile; the window then gave the keyboard to the first control, "Colour by"."""
        focus = QApplication.focusWidget()
        if focus is None or focus.window() is not self.window():
            focus = self.window().focusWidget()
        selection = (self.list, self.use_button, self.base_button, self.rollback_button, self.delete_button,
                     self.export_button, self.report_button)
        return focus is not None and (any(focus is w for w in selection) or self.list.isAncestorOf(focus))

    def active_id(self) -> int | None:
        return next((r["id"] for r in self.rows if r.get("active")), None)

    def selected_id(self) -> int | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select(self, adapter_id: int) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == adapter_id:
                self.list.setCurrentRow(i)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        buttons = (self.use_button, self.base_button, self.rollback_button, self.delete_button, self.export_button,
                   self.import_button, self.report_button)
        focused = next((b for b in buttons if b.hasFocus()), None)
        self._set_enabled()
        # a button that turns itself off (Use base model, Use selected) passed the keyboard to
        # the next one down the window ("Import…", where Space opens a file dialog): the list instead
        if focused is not None and not focused.isEnabled() and self.list.isVisible():
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_enabled(self) -> None:
        sel, active = self.selected_id(), self.active_id()
        row = next((r for r in self.rows if r["id"] == sel), None)
        self.use_button.setEnabled(not self.busy and row is not None and sel != active and row.get("present", True))
        self.base_button.setEnabled(not self.busy and active is not None)
        self.rollback_button.setEnabled(not self.busy and self._rollback_target() is not None)
        self.delete_button.setEnabled(not self.busy and sel is not None and sel != active)
        self.export_button.setEnabled(row is not None and row.get("present", True))
        self.import_button.setEnabled(not self.busy)
        self.report_button.setEnabled(row is not None)
        self._explain(row, sel, active)

    def _explain(self, row: dict | None, sel, active) -> None:
        """A greyed button says why in its tooltip (usertest 10 had to guess "Use base model" first)."""
        tips = history_tips(HistoryFacts(busy=self.busy, selected=row is not None,
                                         missing=row is not None and not row.get("present", True),
                                         selected_in_use=sel is not None and sel == active,
                                         adapter_in_use=active is not None))
        for name, tip in tips.items():
            retip(getattr(self, f"{name}_button"), tip)
        retip(self.rollback_button, self._rollback_tip(active))

    def _rollback_target(self) -> dict | None:
        """Roll back means one thing (usertest 13): the adapter the one in use was trained from
        (its parent), as core.adapters.rollback and the CLI take it. One without a parent (the
        first run's, an imported one) has nothing to roll back to: "Use base model" does that."""
        current = self._row(self.active_id()) if self.active_id() is not None else None
        parent = (current or {}).get("parent_id")
        row = next((r for r in self.rows if r["id"] == parent), None) if parent is not None else None
        return row if row is not None and row.get("present", True) else None

    def _rollback_tip(self, active) -> str:
        rule = "Roll back goes to the adapter the one in use was trained from"
        target = self._rollback_target()
        if target is not None:
            return f"{rule}: {label(target)}"
        if active is None:
            return f"{rule}; none is in use"
        return (f"Nothing to roll back to: {label(self._row(active))} was not trained from another adapter "
                "(or its files are missing). Use base model goes back to the base model, Use selected to any adapter")

    def _current_changed(self, current, _previous) -> None:
        """The row the buttons act on is the row shown selected. Tab into a list with no selection (the
        base model in use) made its first row current without marking it: "Use selected" came on while
        no row looked selected (usertest22)."""
        if current is not None and not current.isSelected():
            current.setSelected(True)
        self._update_buttons()

    def _use_if_allowed(self) -> None:
        """As "Use selected", where it may be pressed (not the adapter in use, nor during a switch)."""
        if self.use_button.isEnabled():
            self._use()

    def _use(self) -> None:
        sel = self.selected_id()
        if sel is not None:
            self.activate_requested.emit(sel)

    def _delete(self) -> None:
        sel = self.selected_id()
        if sel is None:
            return
        if self.ask:
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            answer = QMessageBox.question(self, "Delete adapter",  # No by default: Enter must not delete
                                          f"Delete {label(self._row(sel))} and its files? Until you close the "
                                          "app, Undo in the status bar (Ctrl+Z) brings it back.",
                                          buttons, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.delete_requested.emit(sel)

    def _row(self, adapter_id) -> dict:
        return next((r for r in self.rows if r["id"] == adapter_id), {"id": adapter_id})

    def _menu(self, pos) -> None:
        """Right-click on an adapter: rename, use, export, delete (each as its button allows)."""
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(icon("edit"), "Rename\u2026", self.rename_selected)
        for button in (self.use_button, self.export_button, self.delete_button):
            action = menu.addAction(button.icon(), button.text(), button.click)
            action.setEnabled(button.isEnabled())
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def rename_selected(self) -> None:
        sel = self.selected_id()
        if sel is None:
            return
        current = self._row(sel).get("name") or ""
        if self.ask_name is not None:
            name = self.ask_name(sel, current)
        else:
            name, ok = QInputDialog.getText(self, "Rename adapter", f"A name for adapter {sel} (answers still "
                                            f"show its number; at most {NAME_CHARS} characters):",
                                            QLineEdit.EchoMode.Normal, current)
            name = name if ok else None
        if name is not None and name.strip() != current:
            self.rename_requested.emit(sel, name.strip())

    def _export(self) -> None:
        sel = self.selected_id()
        if sel is not None:
            self.export_requested.emit(sel)

    def _import(self) -> None:
        """The folder dialog opens where the last adapter was imported from or exported to."""
        start = str(save_folder.start_folder(self, save_folder.ADAPTERS))
        folder = (self.choose_folder() if self.choose_folder else
                  QFileDialog.getExistingDirectory(self, "The adapter folder (adapter_config.json, "
                                                         "adapter_model.safetensors)", start))
        if folder:
            save_folder.remember(self, folder, save_folder.ADAPTERS)
            self.import_requested.emit(folder)
