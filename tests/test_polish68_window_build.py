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


def test_both_tab_orders_are_those_of_the_window_built_before(shown_window):
    """(tests/window_focus_chain.py writes the file again where a change to the Tab order is meant.)"""
    assert both_orders(shown_window).splitlines() == FOCUS_CHAIN.read_text(encoding="utf-8").splitlines()
