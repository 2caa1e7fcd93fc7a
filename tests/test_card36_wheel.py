"""Usertest 12, finding 5: scrolling the Fine-tune panel with the wheel turned "Held out" from 20 %
to 16 % as the spin box passed under the pointer. A setting in a scrolling panel takes the wheel
only once the person clicked it (or tabbed to it); otherwise the panel scrolls."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractScrollArea, QWidget  # noqa: E402

from desktop_app.gui.wheel_guard import is_setting  # noqa: E402
from gui_windows import opened_window  # noqa: E402

NOTCH_DOWN = QPoint(0, -120)  # one notch of a mouse wheel, turned towards the person
NOTCH_UP = QPoint(0, 120)


def wheel_over(widget: QWidget, delta: QPoint) -> None:
    """A real (spontaneous) wheel notch with the pointer over the middle of ``widget``, as a mouse sends it."""
    window = widget.window()
    QTest.qWait(20)  # a layout still pending would move the widget from under the pointer's point
    QTest.wheelEvent(window.windowHandle(), widget.mapTo(window, widget.rect().center()), delta)
    QTest.qWait(20)


def scrolled_to_show(qtbot, panel, widget: QWidget) -> None:
    """The panel scrolled (as the person's wheel did) until ``widget`` is under the pointer's reach."""
    def shown() -> bool:
        panel.ensureWidgetVisible(widget)  # (again once the panel's layout has settled)
        return panel.viewport().rect().contains(widget.mapTo(panel.viewport(), widget.rect().center()))

    qtbot.waitUntil(shown)


def open_finetune_panel(qtbot, window):
    window.resize(1088, 520)  # the panel is taller than its tab: it scrolls, as on the person's screen
    window.side_tabs.setCurrentWidget(window.finetune_panel)
    panel = window.finetune_panel
    qtbot.waitUntil(lambda: "Counting" not in panel.ready_label.text())  # (the panel's height changes then)
    panel.advanced_button.setChecked(True)
    inner = panel.widget()  # laid out again, with the settings, once the events after the click have run
    qtbot.waitUntil(lambda: inner.height() >= inner.minimumSizeHint().height() > panel.viewport().height())
    return panel


def test_the_wheel_over_an_unclicked_setting_scrolls_the_panel_and_changes_nothing(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = open_finetune_panel(qtbot, window)
        before = panel.settings()
        for spin in (panel.heldout, panel.lr, panel.epochs, panel.max_steps):
            scrolled_to_show(qtbot, panel, spin)
            bar = panel.verticalScrollBar()
            value, top = spin.value(), bar.value()
            wheel_over(spin, NOTCH_DOWN if top < bar.maximum() else NOTCH_UP)
            assert spin.value() == value, f"the wheel changed {spin} in passing"
            assert not spin.hasFocus(), "the wheel gave it the keyboard focus (and so the next notch)"
            assert panel.verticalScrollBar().value() != top, "the panel did not scroll under the pointer"
        assert panel.settings() == before


def test_a_clicked_setting_takes_the_wheel(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = open_finetune_panel(qtbot, window)
        scrolled_to_show(qtbot, panel, panel.heldout)
        qtbot.mouseClick(panel.heldout.lineEdit(), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.heldout.hasFocus)
        value = panel.heldout.value()
        wheel_over(panel.heldout, NOTCH_UP)
        assert panel.heldout.value() == value + 1, "the person picked the setting: the wheel is theirs to turn"


def test_every_wheeled_setting_in_a_scroll_area_waits_for_a_click(qtbot, qapp, tiny_model_dir):
    """Every spin box, combo box and slider that sits in a scrolling area anywhere in the window."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        found = []
        for control in window.findChildren(QWidget):
            if not is_setting(control):
                continue
            parent = control.parentWidget()
            while parent is not None and not isinstance(parent, QAbstractScrollArea):
                parent = parent.parentWidget()
            if parent is not None:
                found.append(control)
                assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus, control
                assert control.property("wheelAfterClick"), f"{control} in {parent} takes the wheel in passing"
        assert len(found) >= 4  # at least the Fine-tune panel's Advanced settings
