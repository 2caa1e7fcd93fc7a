"""usertest35: in a window too narrow for the toolbar (320 px, a short one, whose colour key joins the toolbar)
Help and the panel toggle go behind Qt's overflow button, which the style sheet left blank: a narrow empty frame
at the window's edge. It shows "»" and says what is behind it. pytest-qt, offscreen, the real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton  # noqa: E402

from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)


def narrow(qtbot, window) -> None:
    """The window at 320x426 once the fits its opening queued are done: on a loaded CI machine a fit that ran
    after the resize had left the window wider, and the toolbar with room for every button."""
    def at_320() -> bool:
        QApplication.processEvents()
        if window.width() != 320:
            window.resize(320, 426)
        return window.width() == 320

    qtbot.waitUntil(at_320)
    for _ in range(6):
        QApplication.processEvents()


def test_the_toolbar_s_overflow_button_shows_and_says_what_is_behind_it(window, qtbot):
    from desktop_app.gui.view_toolbar import OVERFLOW_TIP

    bar = window.findChild(QToolBar, "ViewToolBar")
    more = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    narrow(qtbot, window)

    def overflowing() -> None:  # the toolbar's buttons do not all fit (said with the sizes, should it time out)
        assert more.isVisible(), f"window {window.width()}x{window.height()}, toolbar {bar.width()}x{bar.height()}"

    qtbot.waitUntil(overflowing)
    assert not more.icon().isNull() and more.iconSize().width() <= more.width(), "its » drawn whole"
    assert more.toolTip() == OVERFLOW_TIP and more.accessibleName() == "More"
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)  # the toolbar opens its second row
    qtbot.waitUntil(lambda: bar.widgetForAction(window.panel_actions["side_tabs"]).isVisible())
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
