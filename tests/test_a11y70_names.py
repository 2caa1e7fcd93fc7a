"""a11y70: the window for a screen reader. Every widget the keyboard can reach, or a click can press, has a name a
screen reader says (icon-only buttons, spin boxes, lists, scroll areas and heatmaps had none: Qt names a widget by its
text, its buddy label or its accessible name only), and a token the keys reach in a heatmap or the alternatives'
chart is said with its probability in words ("moon, 42.0% likely"), which only its colour and tooltip showed.
Qt's own QAccessible interface is read, as a screen reader reads it; the window is real, on a real store."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAccessible  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QLabel, QLineEdit, QMenu, QToolButton,  # noqa: E402
                               QWidget)

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.token_words import spoken_label, token_said  # noqa: E402
from window_focus_chain import fresh_window  # noqa: E402


def said_name(widget: QWidget) -> str:
    """What a screen reader calls ``widget``. A combo box's name on Linux is its current value (Qt names it by its
    label through a relation there), so a combo box needs its own name or a buddy label."""
    if isinstance(widget, QComboBox):
        parent = widget.parentWidget()
        buddies = [o.text() for o in (parent.children() if parent else []) if isinstance(o, QLabel) and o.buddy() is widget]
        return widget.accessibleName() or next(iter(buddies), "")
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def qt_own_part(widget: QWidget) -> bool:
    """A part Qt or pyqtgraph makes and names or hides itself: a spin box's line edit ("qt_…"), a line edit's clear
    button (never focused), a combo box's popup list, a widget in a plot's menu (turned off: LossCurve)."""
    if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(), QLineEdit):
        return True
    holder = widget.parentWidget()
    while holder is not None:
        if isinstance(holder, (QMenu, QComboBox)):
            return True
        holder = holder.parentWidget()
    return False


def reachable(widget: QWidget) -> bool:
    """A Tab stop, or a button a click presses; a label says its own text, a widget whose focus goes to another is
    that other, and a button with neither words nor an icon yet shows nothing until it is given its words."""
    if widget.focusProxy() is not None or isinstance(widget, QLabel) or qt_own_part(widget):
        return False
    if isinstance(widget, QAbstractButton):
        arrow = isinstance(widget, QToolButton) and widget.arrowType() != Qt.ArrowType.NoArrow
        return bool(widget.text() or not widget.icon().isNull() or arrow)
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def unnamed(root: QWidget) -> list[str]:
    return [f"{type(w).__name__} {w.objectName()!r} (tooltip {w.toolTip()[:50]!r})"
            for w in root.findChildren(QWidget) if reachable(w) and not said_name(w).strip()]


@pytest.fixture(name="window")
def window_with_an_answer(qtbot, qapp):
    """A first start's window (no model) with one conversation open: a question and its answer's card, its
    thumbs and Compare; every side panel, the inspector with Why this token?, the Text tab and Settings are built."""
    from PySide6.QtWidgets import QApplication

    window = fresh_window()
    qtbot.addWidget(window)
    store = window.chat.store
    conversation = store.create_conversation("Names")
    question = store.add_message(conversation, "user", "Hello?")
    store.add_message(conversation, "assistant", "Hello there.", parent_id=question)
    window.chat.open_conversation(conversation)
    QApplication.processEvents()
    yield window
    window.close()
    store.close()


def test_every_widget_the_keyboard_or_a_click_reaches_has_a_name_a_screen_reader_says(window, qtbot):
    from desktop_app.gui.adapter_history import AdapterHistory
    from desktop_app.gui.compare_dialog import CompareDialog
    from desktop_app.gui.model_dialog import ModelDialog
    from desktop_app.gui.ratings import CorrectionDialog

    assert window.transcript.cards, "an answer's card (its thumbs, its Compare) is among the widgets read"
    dialogs = (CompareDialog(window.chat.store, window.chat), AdapterHistory(),
               ModelDialog(window.paths, None, device="cpu"), CorrectionDialog("Hello?", "Hello there.", None))
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    for part in (window, *dialogs):
        assert not unnamed(part), unnamed(part)


def test_the_settings_fields_are_named_by_their_labels_and_described_by_their_tooltips(window):
    said = QAccessible.queryAccessibleInterface(window.popover.temperature)
    assert said.text(QAccessible.Text.Name) == "Temperature"
    assert said.text(QAccessible.Text.Description) == window.popover.temperature.toolTip()


def _records() -> list[TokenRecord]:
    moon = TokenRecord(7, " moon", math.log(0.42), 1, 1.0, (Alternative(7, " moon", 0.42), Alternative(8, " sun", 0.3)))
    line = TokenRecord(9, "\n", math.log(0.05), 3, 2.0, (Alternative(4, ".", 0.6), Alternative(9, "\n", 0.05)))
    return [moon, line]


def test_a_token_is_said_in_words_with_its_chance():
    records = _records()
    assert token_said(records, 0) == "moon, 42.0% likely"
    assert token_said(records, 1) == "a new line, 5.0% likely", "a mark's name, not the mark (read as a symbol)"
    assert spoken_label("\u2423\u2423") == "a space, a space"


def test_the_token_the_keys_reach_in_a_heatmap_is_its_description(qtbot):
    from desktop_app.gui.token_view import TokenView

    view = TokenView()
    qtbot.addWidget(view)
    view.set_records(_records())
    view.show()
    view.setFocus()
    assert QAccessible.queryAccessibleInterface(view).text(QAccessible.Text.Description) == ""
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.accessibleDescription() == "moon, 42.0% likely"
    qtbot.keyClick(view, Qt.Key.Key_Right)
    said = QAccessible.queryAccessibleInterface(view).text(QAccessible.Text.Description)
    assert said == "a new line, 5.0% likely"


def test_the_alternative_the_keys_pick_in_the_chart_is_its_description(qtbot):
    from desktop_app.gui.alternatives_chart import AlternativesChart

    chart = AlternativesChart()
    qtbot.addWidget(chart)
    record = _records()[0]
    chart.set_data(record.top, record.id, record)
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert QAccessible.queryAccessibleInterface(chart).text(QAccessible.Text.Description) == "sun, 30.0% likely"
    chart.set_data(record.top, record.id, record)
    assert chart.accessibleDescription() == "", "a new token: no row picked, its tooltip (the keys) describes it"


def test_the_loss_curve_is_described_by_the_words_over_it(qtbot):
    """A painted curve: a screen reader hears what the caption says of it (it falls, stays flat or rises)."""
    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    qtbot.addWidget(curve)
    for step, loss in enumerate((1.2, 1.1, 0.9, 0.7, 0.5, 0.4, 0.3), start=1):
        curve.add(step, loss)
    said = QAccessible.queryAccessibleInterface(curve.plot)
    assert said.text(QAccessible.Text.Name) == "Loss"
    assert "falls" in curve.caption.text() and said.text(QAccessible.Text.Description) == curve.caption.text()
