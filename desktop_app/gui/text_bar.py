"""The Text tab's bar over the text: the picker of the person's texts, New, Open…, Edit, the
status words ("analysing…"), Stop and Continue. ``TextBar`` builds them, fits them to a narrow
window (the status words beside the Chat | Text tabs, then the buttons without their words but Edit's and Continue's, then
without any) and turns
them on and off with the reason in their tooltips; what they do is the view's (gui/text_view.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop_app.core.text_notes import writing_words
from desktop_app.gui.off_words import CONTINUE_TIP, TextFacts, continue_tip, documents_tip, text_stop_tip
from desktop_app.gui.prompt_box import ICON_ONLY_WIDTH
from desktop_app.gui.responsive import Ladder
from desktop_app.gui.theme import icon
from desktop_app.gui.tips import turn
from desktop_app.gui.title_combo import TitleCombo

EDIT_KEYS = "Ctrl+E"  # the coloured text <-> the editor
EDIT_TIP = (f"Edit the text ({EDIT_KEYS}); pressed again, it shows the text coloured by the model's figures. "
            "The text is shown once: coloured, or as plain text to edit")
DONE_EDITING = "Done editing"  # the Edit button while the editor shows: how the colours come back
DONE_EDITING_TIP = (f"Done editing ({EDIT_KEYS}): show the text coloured by the model's figures again; "
                    "an edit is analysed at once")
# the status bar's words once the text is analysed while the editor hides its colours (usertest51: a writer's
# pasted paragraph was analysed, its figures came below it, and nothing said where the colours were)
# no longer than a hovered token's figures (STATUS_SAMPLE): a longer message steps the load's stage aside
COLOURS_READY = f"Analysed: {DONE_EDITING} ({EDIT_KEYS}) shows its colours."
# 4 px above and below at every step: the bar's height never changes with its words (the steps' 6 and
# 8 px had moved the Regenerate row 4 px for a pass as a continuation's words came), and an 800x480
# screen's window has the 4 px
FULL_MARGINS, COMPACT_MARGINS = (16, 4, 16, 4), (8, 4, 8, 4)
# the picker's least width in characters; in the bar's narrowest form fewer, which leaves the Settings
# button its room at 800 px beside the side panel (the bar had been at its least there: 459 px)
TITLE_CHARS, NARROWEST_TITLE_CHARS = 16, 9
# what the status words say for a moment, at every pause in typing and every continuation: the bar keeps
# their room, so the buttons left of them do not slide under the pointer as they come and go (usertest31:
# "analysing…" moved New, Open… and Edit 24-56 px, and a click meant for Open… made a new, empty text)
# (an analysis's share: core.text_notes.colouring_words, and a continuation's: writing_words, 99% at most)
PASSING_WORDS = ("edited\u2026", "analysing\u2026", writing_words(99, 100), "colouring\u2026 99%", "reading\u2026 99%")
SETTINGS_TIP = "Sampling settings for the next continuation: max new tokens, temperature, top-k, top-p… (Ctrl+,)"


class StatusWords(QLabel):
    """The Text tab's status words ("analysing…"): hidden while they say nothing. Out of a narrow bar
    (``cuttable``), in the tab bar's room beside the tabs, they may narrow to nothing: words longer than
    the room end in "…", the whole in their tooltip."""

    said = Signal()  # new words (a compact bar measures its full form again: they belong to it)

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.cuttable = False

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip("")  # (an export's sets the file's path)
        self.setVisible(bool(text))
        self._tip_when_cut()
        self.said.emit()

    def set_cuttable(self, cuttable: bool) -> None:
        self.cuttable = cuttable
        self.updateGeometry()
        self._tip_when_cut()

    def _cut(self) -> bool:
        room = self.contentsRect().width()
        return self.cuttable and self.fontMetrics().horizontalAdvance(self.text()) > room

    def _tip_when_cut(self) -> None:
        if self._cut() and not self.toolTip():
            self.setToolTip(self.text())
        elif not self._cut() and self.toolTip() == self.text():
            self.setToolTip("")

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.cuttable:
            hint.setWidth(0)
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._tip_when_cut()

    def paintEvent(self, event) -> None:
        if not self._cut():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        words = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), words)


class StatusCorner(QWidget):
    """The room right of the Chat | Text tabs, where a narrow bar's status words show (``TextBar.status_line``):
    a row of their own over the text had come and gone with them, moving the text and the rows under it a line
    down and back while the colouring ran. It asks no width the tabs need, nor any the window must grow for."""

    GAP_PX = 12  # between the last tab and the words

    def __init__(self, layout: QVBoxLayout, parent=None):
        super().__init__(parent)
        self.setLayout(layout)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        tabs = self.parentWidget()
        if isinstance(tabs, QTabWidget):
            room = tabs.width() - tabs.tabBar().sizeHint().width() - self.GAP_PX
            hint.setWidth(max(0, min(hint.width(), room)))
        return hint


class EditButton(QPushButton):
    """The Edit button asks for the room of its longer words ("Done editing") whichever it says, so the bar keeps
    one layout as the person goes in and out of the editor: the picker had given up 52 px for "Done editing" and
    New and Open… slid left under the pointer at every Ctrl+E (usertest43: a click meant for Open… after Done
    editing hit Done editing), and at 1024x600 beside the side panel (683 px) all five buttons had dropped their
    words while the editor showed and taken them back with the colours. Bare (a narrow bar), it is an icon."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        words = self.text()
        if words:  # measured as QPushButton measures its words (horizontalAdvance was 1 px off: the bar still moved)
            metrics, flag = self.fontMetrics(), Qt.TextFlag.TextShowMnemonic
            hint.setWidth(hint.width() + max(0, metrics.size(flag, DONE_EDITING).width() - metrics.size(flag, words).width()))
        return hint


class TextBar(QWidget):
    """The row of the texts' picker, the buttons and the status words.

    Attributes:
        documents: the picker of the person's texts (a TitleCombo).
        new_button, open_button, edit_button, stop_button, settings_button, continue_button: the buttons
            (Settings: the sampling settings a continuation reads, as Ctrl+, opens them).
        status: the status words (StatusWords).
        status_line: the row that a narrow bar's status words move to; in a ``StatusCorner`` beside the
            Chat | Text tabs (``fitted`` says when the words may have changed rows).
        labels: each button's words, which a narrow bar drops (its tooltip and name keep them).
        ladder: the steps to a narrow bar (``_fit``)."""

    fitted = Signal()  # a step of the ladder taken: the status words may have changed rows

    def __init__(self, parent=None):
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(*FULL_MARGINS)
        self.row.setSpacing(6)
        self.status_line = QVBoxLayout()  # a narrow bar's status words go here, beside the tabs (StatusCorner)
        self.status_line.setContentsMargins(0, 0, 8, 0)
        self.status_line.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        self._build_picker()
        self._build_buttons()
        # what the view turns off while a continuation is written or a text opened, with their own tooltips
        self.tips = {w: w.toolTip() for w in (self.documents, self.new_button, self.open_button)}
        turn(self.stop_button, False, text_stop_tip(TextFacts()))
        # a narrow window drops the buttons' words (the tooltips, names and shortcuts say what they do)
        self.labels = {b: b.text() for b in (self.new_button, self.open_button, self.edit_button,
                                              self.stop_button, self.settings_button, self.continue_button)}
        for button, words in self.labels.items():
            button.setAccessibleName(words.rstrip("\u2026"))
        # the buttons that keep their words a step longer: the main action and the way between the editor
        # and the colours (usertest 21: at 1024 px beside the side panel all five were bare icons, and
        # "Done editing" was a bare tick)
        self.kept = (self.edit_button, self.continue_button)
        # too narrow: first the status words go beside the tabs, then New, Open…, Stop and Settings drop
        # their words, then Edit and Continue too
        self._keep_status_room(True)  # (before the ladder measures the full form)
        self.ladder = Ladder(self, 3, self._fit)
        self.status.said.connect(self.ladder.recheck)

    def _build_picker(self) -> None:
        self.documents = TitleCombo(self)  # a long title cut after a word, not mid-word
        # at least room for the narrowest step's characters: a least width of 40 px let it shrink to its arrow
        # and no title at 640x480 beside the inspector (leftovers62)
        self.documents.set_floor_chars(NARROWEST_TITLE_CHARS)
        # a long title must not ask for a wider bar (that would drop the buttons' words)
        self.documents.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.documents.set_least_chars(TITLE_CHARS)
        self.documents.setToolTip("Your texts (kept in the database). Delete, or a right-click: delete the open text")
        self.row.addWidget(self.documents, 1)
        self.documents.setAccessibleName("Your texts")

    def _build_buttons(self) -> None:
        self.new_button = QPushButton(icon("new"), "New")
        self.new_button.setToolTip("A new, empty text")
        self.open_button = QPushButton(icon("open"), "Open\u2026")
        self.open_button.setToolTip("Open a .txt or .md file as a new text")
        self.edit_button = EditButton(icon("edit"), "Edit")
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip(EDIT_TIP)
        self.status = StatusWords("")
        self.status.setObjectName("Muted")
        self.status.hide()
        self.stop_button = QPushButton(icon("stop"), "Stop")
        # beside Continue, what it reads: the sampling settings had only Ctrl+, in the Text tab, which hides
        # the chat's prompt row and its Settings button (usertest 25's limit note named the key for that)
        self.settings_button = QPushButton(icon("settings"), "Settings")
        self.settings_button.setToolTip(SETTINGS_TIP)
        self.continue_button = QPushButton(icon("send", "#ffffff"), "Continue")
        self.continue_button.setObjectName("PrimaryButton")
        self.continue_button.setToolTip(CONTINUE_TIP)
        self.status.setMinimumWidth(0)
        for widget in (self.new_button, self.open_button, self.edit_button, self.status, self.stop_button,
                       self.settings_button, self.continue_button):
            if widget is not self.status:
                widget.setMinimumWidth(ICON_ONLY_WIDTH)  # may squeeze at 800 px rather than widen the window
            self.row.addWidget(widget)

    def name_edit_button(self, editing: bool) -> None:
        """The Edit button says what pressing it does: "Edit", or while editing "Done editing" (it had
        read "Edit" in the editor, and nothing said how the colours come back); the bar measures again."""
        words = DONE_EDITING if editing else "Edit"
        self.labels[self.edit_button] = words
        self.edit_button.setAccessibleName(words)
        self.edit_button.setToolTip(DONE_EDITING_TIP if editing else EDIT_TIP)
        self.edit_button.setIcon(icon("check" if editing else "edit"))
        if self.ladder.step < 3:
            self.edit_button.setText(words)
        self.ladder.recheck()

    def follow(self, facts: TextFacts, busy: bool) -> None:
        """A continuation being written or a text being opened (``busy``): the picker, New and Open…
        are off, each saying why; Stop is on only for a continuation."""
        turn(self.stop_button, facts.continuing, text_stop_tip(facts))
        for widget, tip in self.tips.items():
            turn(widget, not busy, documents_tip(facts, tip))

    def turn_continue(self, busy: bool, facts: TextFacts) -> None:
        """Continue is off while a continuation is written or a text opened, and on an empty text (ux42)."""
        turn(self.continue_button, not busy and not facts.empty, continue_tip(facts))

    def _fit(self, step: int) -> None:
        """The bar at ``step`` of its ladder: 0, everything in it; 1, the status words ("You stopped this
        continuation before it ended.") beside the Chat | Text tabs, the buttons keeping their words (after Esc the
        bar had gone to bare icons at 1280 px for the note); 2, only Edit and Continue keep their words;
        3, none does, and the picker of texts may narrow to NARROWEST_TITLE_CHARS."""
        compact = step >= 2
        self.documents.set_least_chars(NARROWEST_TITLE_CHARS if step >= 3 else TITLE_CHARS)
        for button, text in self.labels.items():
            button.setText("" if step >= 3 or (compact and button not in self.kept) else text)
        self.row.setContentsMargins(*(COMPACT_MARGINS if compact else FULL_MARGINS))
        under = step >= 1  # the text's title keeps the bar's room
        (self.row if under else self.status_line).removeWidget(self.status)
        if under:
            self.status_line.addWidget(self.status)
        else:
            self.row.insertWidget(self.row.indexOf(self.stop_button), self.status)
        self._keep_status_room(not under)
        self.status.setVisible(bool(self.status.text()))  # moved, it shows later: the bar is measured now
        self.fitted.emit()

    def _keep_status_room(self, keep: bool) -> None:
        """In the bar, the status words' passing room stays while they say nothing; beside the tabs, nothing
        is kept, and they may narrow (cut with "…") rather than widen the window."""
        metrics = self.status.fontMetrics()
        room = max(metrics.horizontalAdvance(words) for words in PASSING_WORDS) + 8
        self.status.setMinimumWidth(room if keep else 0)
        self.status.set_cuttable(not keep)
        policy = self.status.sizePolicy()
        policy.setRetainSizeWhenHidden(keep)
        self.status.setSizePolicy(policy)
