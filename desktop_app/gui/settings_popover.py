"""The settings popover: the sampler's settings, the system text, Enter's meaning and the colours, shown as a
popup by the Settings button that opens it (where it may lie: ``popover_area``, ``popup_left``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from desktop_app.core.generation import SamplingSettings, recommended_sampling
from desktop_app.core.sentence_end import RUN_ON_FROM, RUN_ON_MOST
from desktop_app.gui.range_fields import ClampedDoubleSpinBox, ClampedSpinBox, Clamps
from desktop_app.gui.theme import THEME_CHOICES, styled_label
from desktop_app.gui.wheel_guard import wheel_after_click

SETTINGS_HINT = "Point at a setting's name for what it does. Changes apply to the next answer."
# the Text tab's: its continuations read no system text and no Enter key (usertest 25 read "System text:
# instructions placed before the conversation" there, and "the next answer")
TEXT_SETTINGS_HINT = "Point at a setting's name for what it does. Changes apply to the next continuation."
# (the form's name, what it does): the sampler's fields in the popover's order (usertest 9: "Min-p"
# and "Alternatives kept" said nothing to a new user)
FIELD_TIPS = (
    # usertest69: a student raised it and looked for the change in the colours, which are the model's own
    ("Temperature", "How adventurous the choice of each next token is: lower picks the likely ones, higher "
                    "lets less likely ones through (0: always the most likely). The colours and probabilities "
                    "shown stay the model's own, before it: \u201cWhy this token?\u201d shows a token's chance "
                    "after it"),
    ("Top-k", "Draw each token from only the k most likely ones (off: from all of them)"),
    ("Top-p", "Draw each token from the most likely tokens that together make up this share of the "
              "probability (1.00: all of them)"),
    ("Min-p", "Drops every token less than this share as likely as the most likely one, so a rare word "
              "cannot start an answer off course (0.00: off)"),
    ("Repetition penalty", "Makes a token already in the answer less likely to be drawn again (1.00: off). "
                           "The colours and probabilities shown stay the model's own."),
    # text71: a continuation cut mid-sentence read as broken to a writer (core.sentence_end)
    ("Max new tokens", "The longest answer, in tokens: the model stops here if it has not ended by itself. A "
                       f"continuation in the Text tab that reaches it mid-sentence runs on up to {RUN_ON_MOST} "
                       f"tokens more (at most a quarter of the limit; none under {RUN_ON_FROM}) to the sentence's "
                       "end: . ! ? or a line break"),
    ("Seed", "The same seed and settings give the same answer again (random: a different one each time)"),
    ("Greedy", "Always take the most likely token: the same answer every time"),
    ("Alternatives kept", "How many of the other likely tokens each token keeps, with their probabilities, for "
                          "the tooltip and the token inspector"),
    ("System text", "Instructions placed before the conversation, which the model sees and the chat does not show"),
)


GAP = 6  # px between the popover and its button
LEAST_ROOM = 240  # px: a window with less room beside its button than this (one made only of the button) lends the screen's


LEAST_WIDTH = 340  # the popover's width at the usual font; a larger one widens it (fit_width)


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


def text_baseline(field: QWidget) -> int | None:
    """The y, in ``field``, of the baseline of its text's (first) line: a spin box's digits, a text box's first
    line; None for a field whose label the form's own centring sets on its text (a check box, a list)."""
    if isinstance(field, QAbstractSpinBox):
        line = field.lineEdit()
        room = line.contentsRect().marginsRemoved(line.textMargins())
        # where QLineEdit centres its line (its paintEvent; its cursorRect says so only once painted)
        top = room.y() + (room.height() - line.fontMetrics().height() + 1) // 2
        return line.y() + top + line.fontMetrics().ascent()
    if isinstance(field, QPlainTextEdit):
        return field.viewport().y() + round(field.document().documentMargin()) + field.fontMetrics().ascent()
    return None


class SettingsPopover(QFrame):
    """Sampling settings and system text, shown as a popup above the Settings button."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("Popover")
        self.clamped_to = None  # (field, the text it was set to) the range note tells of
        self._lay_out()
        self.setMinimumWidth(LEAST_WIDTH)
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
            label.setBuddy(field)  # a screen reader names the field by its label (its tooltip: the description)
            if isinstance(field, Clamps):
                tip = f"{tip}. From {field.range_words()}"
                field.on_clamp = lambda typed, kept, name=name, field=field: self._clamped(name, field, typed, kept)
                self._note_goes_with_edits(field)
            label.setToolTip(tip)  # the name is where a person points to ask what it means
            field.setToolTip(tip)
            form.addRow(label, field)
        self.text_fields = fields  # the fields whose labels sit on their text's line (_labels_on_text_lines)
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
        area = popover_area(widget)
        self.fit_width(area.width())
        self.fit_height(10_000)
        button = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        above, below = button.top() - GAP - area.top(), area.bottom() - button.bottom() - GAP
        on_top = above >= self.height() or above >= below
        self.fit_height(max(above if on_top else below, 0))
        y = button.top() - GAP - self.height() if on_top else button.bottom() + GAP + 1
        self.move(popup_left(button, self.width(), area), y)
        self.opener = widget
        self.show()
        self._labels_on_text_lines()
        # the first field takes the keys: after Ctrl+, nothing in the popup had the focus, and what
        # was typed went nowhere (usertest16)
        self.temperature.setFocus(Qt.FocusReason.PopupFocusReason)
        self.temperature.selectAll()

    def _labels_on_text_lines(self) -> None:
        """Each label on the baseline of its field's text, as a desktop form puts it: the form centred a label on
        a box of its own, 3 px above a spin box's digits at 9 pt, and above or below the system text's first line.
        Measured once shown: the fields' frames and padding are the style sheet's, known once it is polished."""
        for field in self.text_fields:
            baseline = text_baseline(field)
            if baseline is None:
                continue
            label = self.form.labelForField(field)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setContentsMargins(0, max(0, baseline - label.fontMetrics().ascent()), 0, 0)

    def fit_width(self, room: int) -> None:
        """As wide as its fields need, at least LEAST_WIDTH, at most ``room``: under a 14 pt desktop font the
        fields need 470 px, and at the fixed 340 the boxes' right ends, their arrows and "Enter sends (Shift+Enter:
        new line)" were cut off (the scroll area scrolls only up and down)."""
        chrome = self.scroll.verticalScrollBar().sizeHint().width() + 2 * self.scroll.frameWidth()
        need = self.scroll.widget().sizeHint().width() + chrome
        self.setMinimumWidth(max(LEAST_WIDTH, min(need, room)))

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
