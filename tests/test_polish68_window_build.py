"""polish68: the main window is built into its final parents, so its widgets are not polished again at each
reparenting under the app's style sheet (bench/window_build.py: 2,817 StyleChange events for 469 widgets before),
and building it that way kept both Tab orders (the window's ring and Qt's own chain) as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from window_focus_chain import both_orders, fresh_window  # noqa: E402

FOCUS_CHAIN = Path(__file__).parent / "fixtures" / "polish68_focus_chain.txt"


@pytest.fixture(name="shown_window")
def a_fresh_window(qtbot, qapp):
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    window = fresh_window()
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    yield window
    window.close()
    window.chat.store.close()


def test_both_tab_orders_are_those_of_the_window_built_before(shown_window):
    """(tests/window_focus_chain.py writes the file again where a change to the Tab order is meant.)"""
    assert both_orders(shown_window).splitlines() == FOCUS_CHAIN.read_text(encoding="utf-8").splitlines()


def test_a_window_is_built_without_polishing_its_widgets_again_and_again(qtbot, qapp):
    """Under the app's style sheet a widget is sent one StyleChange when it is made in its parent, and one more
    each time it or a container over it moves to another parent. Built bottom-up (each panel alone, then moved
    into the next) the window's 469 widgets were sent 2,817 (6 each); built in place, 888 (the pyqtgraph loss
    curve's plot and menu, made by pyqtgraph, about 170 of them; the Fine-tune panel, made alone and moved
    once, about 150; the Text summary, the inspector's figures and the side tabs, made alone where what they
    keep of their first size or margins shows)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    from desktop_app.gui.theme import apply_theme

    class StyleChanges(QObject):
        count = 0

        def eventFilter(self, _watched, event):
            if event.type() == QEvent.Type.StyleChange:
                self.count += 1
            return False

    apply_theme(qapp, dark=False)
    assert qapp.styleSheet(), "the app's style sheet is what makes a move polish again"
    counter = StyleChanges()
    qapp.installEventFilter(counter)
    try:
        window = fresh_window()
    finally:
        qapp.removeEventFilter(counter)
    qtbot.addWidget(window)
    widgets = len(window.findChildren(QWidget))
    window.close()
    window.chat.store.close()
    assert widgets > 300, "the whole window was counted"
    assert counter.count <= 2.5 * widgets, f"{counter.count} StyleChange events for {widgets} widgets"
