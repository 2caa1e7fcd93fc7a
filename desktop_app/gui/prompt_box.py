"""The prompt area under the transcript: the prompt box and its row of buttons (model,
settings, regenerate, stop, send). Where the row is narrow the model's name gives way first
(the status bar names it too), then the words of Settings and Regenerate, then all words."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractButton, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QToolButton, QVBoxLayout)

from desktop_app.gui.off_words import ButtonsFacts, model_tip, regenerate_tip, send_tip, stop_tip
from desktop_app.gui.responsive import Ladder, elided
from desktop_app.gui.theme import font_scale, icon
from desktop_app.gui.tips import retip

ASK_NAME = "Ask something"  # the prompt's placeholder begins so; a screen reader's name for the box
ICON_ONLY_WIDTH = 34
# the row's steps as it narrows: the model button says "Model…"; the buttons' padding tightens; the model
# button is its icon only; Settings and Regenerate too; every button. At 1024 px the row (462 px) had lost
# every word but Stop's and Send's, a few px short of the words (user test): tight, they keep them there.
TIGHT_FROM, MODEL_ICON_FROM, SOME_ICONS_FROM, ALL_ICONS_FROM = 2, 3, 4, 5
ROW_STEPS = ALL_ICONS_FROM
# px between the row's buttons while they have words, then with icons alone: 6 px kept "Model…"
# out of the 526 px the row has at 1280x800 (usertest 20); the icons' row keeps 6, and so its least width
ROW_SPACING = (4, 6)
MODEL_WORD = "Model\u2026"  # the model button's word where the model's name does not fit
BOX_HEIGHT = 76  # the prompt box: four lines
SHORT_BOX_LINES = 2  # in a short window (gui/short_window.py): the chat above it has the rest
MARGINS, SHORT_MARGINS = (16, 10, 16, 10), (16, 4, 16, 4)
SPACING, SHORT_SPACING = 8, 4


def icon_only_width(button: QAbstractButton) -> int:
    """``button``'s width with its icon alone, the style sheet's padding included: the least the
    prompt row squeezes it to. ICON_ONLY_WIDTH's 34 px, under the 45 px the style asks for, let the
    row's least width cut every icon button's edges at the chat's narrowest."""
    text = button.text()
    tool = button.toolButtonStyle() if isinstance(button, QToolButton) else None
    button.setText("")
    if tool is not None:
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    width = max(ICON_ONLY_WIDTH, button.sizeHint().width())
    button.setText(text)
    if tool is not None:
        button.setToolButtonStyle(tool)
    return width


def least_icon_width(button: QAbstractButton) -> int:
    """ICON_ONLY_WIDTH at the usual font, as drawn; under a larger one ``button``'s own icon-only width: at 14 pt
    the Text tab's Regenerate, icon only in a narrow branches panel, was 34 px where it asked 55 (icons68)."""
    if font_scale() == 1.0:
        return ICON_ONLY_WIDTH
    button.ensurePolished()  # its padding is the style sheet's
    return icon_only_width(button)


class PromptBox(QPlainTextEdit):
    """Enter sends and Shift+Enter starts a new line, as in chat apps; with ``enter_sends``
    off, Enter starts a new line. Ctrl+Enter sends either way (the window's shortcut)."""

    submitted = Signal()
    # Up in the empty box: the newest answer above it, as Down from that answer comes back here (usertest42:
    # Shift+Tab went to the toolbar's far corner, and the answer was two Tabs on, past Regenerate)
    up_from_empty = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("PromptBox")
        self.setAccessibleName(ASK_NAME)  # a placeholder is no name: a screen reader said only "edit"
        self.setTabChangesFocus(True)
        self.setFixedHeight(BOX_HEIGHT)
        self.set_enter_sends(True)
        # Ctrl+Y redoes, as the Text tab's editor's does (Qt binds it only on Windows)
        redo_key = QShortcut(QKeySequence("Ctrl+Y"), self, self.redo)
        redo_key.setContext(Qt.ShortcutContext.WidgetShortcut)

    def lines_height(self, lines: int) -> int:
        """The box's height that shows ``lines`` lines whole: its frame, padding and the document's margins
        around them."""
        margins = self.contentsMargins()
        return (lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()
                + 2 * round(self.document().documentMargin()))

    def set_enter_sends(self, on: bool) -> None:
        self.enter_sends = on
        keys = "Enter sends, Shift+Enter new line" if on else "Ctrl+Enter sends, Enter new line"
        self.setPlaceholderText(f"{ASK_NAME}\u2026   ({keys}, Esc stops)")

    def keyPressEvent(self, event) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if mods == Qt.KeyboardModifier.ShiftModifier or (mods == Qt.KeyboardModifier.NoModifier
                                                              and not self.enter_sends):
                self.textCursor().insertText("\n")
                return
            if mods == Qt.KeyboardModifier.NoModifier:
                self.submitted.emit()
                return
        if event.key() == Qt.Key.Key_Up and not mods and not self.toPlainText():  # a draft's Up moves in it
            self.up_from_empty.emit()
            return
        super().keyPressEvent(event)


class MeterLabel(QLabel):
    """The token meter's line: it keeps one line's height while empty or hidden, so the prompt
    box and the chat above it stay put when the count comes and goes (it came when the model
    had loaded, went while an answer streamed, and each time moved the chat by a line: a click
    on Continue after a restart landed on empty space, usertest 11). A warning longer than a
    line still takes the lines it needs."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setObjectName("ContextMeter")
        self.setWordWrap(True)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)

    def one_line(self) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self.one_line())

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(max(hint.height(), self.one_line()))
        return hint

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setHeight(max(hint.height(), self.one_line()))
        return hint


class PromptArea(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("PromptArea")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*MARGINS)
        layout.setSpacing(SPACING)
        self.short = False
        self.prompt = PromptBox()
        layout.addWidget(self.prompt)
        self.meter = MeterLabel()  # filled by context_meter.ContextMeter
        layout.addWidget(self.meter)
        self.row = QHBoxLayout()
        self.row.setSpacing(ROW_SPACING[0])
        self.model_button = QToolButton()
        self.model_button.setIcon(icon("model"))
        self.model_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.model_name = MODEL_WORD
        self.row.addWidget(self.model_button)
        self.row.addStretch(1)
        self.settings_button = QPushButton(icon("settings"), "Settings")
        self.settings_button.setToolTip("Sampling settings and system text")
        self.regenerate_button = QPushButton(icon("regenerate"), "Regenerate")
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.send_button = QPushButton(icon("send", "#ffffff"), "Send")
        self.send_button.setObjectName("PrimaryButton")
        self.explain_buttons(ButtonsFacts())
        self.buttons = {b: b.text() for b in (self.settings_button, self.regenerate_button, self.stop_button,
                                               self.send_button)}
        for b, words in self.buttons.items():
            b.setMinimumWidth(icon_only_width(b))  # a narrow window squeezes them; the Ladder drops the words
            b.setAccessibleName(words)  # as an icon alone, a screen reader still says what it does
            self.row.addWidget(b)
        self.model_button.setMinimumWidth(icon_only_width(self.model_button))
        layout.addLayout(self.row)
        self.set_model_name(self.model_name)
        self.compactor = Ladder(self, ROW_STEPS, self._shorten)

    def set_short(self, short: bool) -> None:
        """A short window's form: a two-line box (it scrolls past them) and tighter margins; 44 px more of
        an 800x480 screen for the chat above."""
        self.short = short
        self.layout().setContentsMargins(*(SHORT_MARGINS if short else MARGINS))
        self.layout().setSpacing(SHORT_SPACING if short else SPACING)
        self.prompt.setFixedHeight(self.prompt.lines_height(SHORT_BOX_LINES) if short else BOX_HEIGHT)

    def minimumSizeHint(self):
        """The short form's least height whichever form shows, as the banner's (gui/banner.py): the window's
        least height is then the same in a tall window and a short one, so one resize from a tall window to
        a short screen's height lands there."""
        hint = super().minimumSizeHint()
        if not self.short:
            saved = (BOX_HEIGHT - self.prompt.lines_height(SHORT_BOX_LINES) + sum(MARGINS[1::2])
                     - sum(SHORT_MARGINS[1::2]) + 2 * (SPACING - SHORT_SPACING))
            hint.setHeight(hint.height() - saved)
        return hint

    def explain_buttons(self, facts: "ButtonsFacts") -> None:
        """Each button's tooltip, and for one that is off, why (usertest 10 had to guess)."""
        retip(self.send_button, send_tip(facts))
        retip(self.regenerate_button, regenerate_tip(facts))
        retip(self.stop_button, stop_tip(facts))
        self.facts = facts
        retip(self.model_button, model_tip(facts, self.model_name))

    def set_model_name(self, name: str) -> None:
        self.model_name = name
        self.model_button.setAccessibleName(f"Model: {self._short_name()}")  # as words, icon or "Model…"
        self.model_button.setText(self._model_words(getattr(getattr(self, "compactor", None), "step", 0)))
        retip(self.model_button, model_tip(self.facts, name))
        self.compactor_refresh()

    def _model_words(self, step: int) -> str:
        """The model's name (its "(bundled, offline)" is in the tooltip), then "Model…" where it does not
        fit: usertest 20 saw, at 1280x800, the one way to change the model as a bare chip icon. A name no
        wider than "Model…" stays: at 1024 px "gpt2" gave way to the wider "Model…", which did not fit
        either, and the button lost its words though "gpt2" fitted beside the others' tighter padding."""
        name = elided(self._short_name())
        if step == 0:
            return name
        metrics = self.model_button.fontMetrics()
        return name if metrics.horizontalAdvance(name) <= metrics.horizontalAdvance(MODEL_WORD) else MODEL_WORD

    def _short_name(self) -> str:
        """The model's name without its "(bundled, offline)", which the tooltip says."""
        return self.model_name.split(" (")[0]

    def compactor_refresh(self) -> None:
        """Measured again from the full form: the widths remembered were the last name's, and a shorter
        one that fits was left as "Model…"."""
        if hasattr(self, "compactor"):
            self.compactor.recheck() if self.compactor.step else self.compactor.update()

    def _shorten(self, step: int) -> None:
        self.model_button.setText(self._model_words(step))
        self.row.setSpacing(ROW_SPACING[step >= SOME_ICONS_FROM])
        self.model_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if step >= MODEL_ICON_FROM
                                             else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in (self.model_button, *self.buttons):
            _set_tight(button, step >= TIGHT_FROM)
        for button, text in self.buttons.items():
            some = button in (self.settings_button, self.regenerate_button)
            words_go_at = SOME_ICONS_FROM if some else ALL_ICONS_FROM
            button.setText("" if step >= words_go_at else text)


def _set_tight(button: QAbstractButton, tight: bool) -> None:
    """The style sheet's tighter padding for the prompt row's buttons (``tight`` property), applied now:
    the Ladder measures the row's width right after."""
    if bool(button.property("tight")) != tight:
        button.setProperty("tight", tight)
        button.style().unpolish(button)
        button.style().polish(button)
        button.updateGeometry()  # the row's size hint is measured again, not the one it had
