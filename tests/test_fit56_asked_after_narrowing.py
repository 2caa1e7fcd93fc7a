"""A panel the person asks for (a token click, Ctrl+Shift+B) right after the window narrowed, before the narrowing's
queued fit has run, stays shown: that late fit took the ask for part of the narrowing and folded the panel again
(seen on a 480 px screen under load: the inspector came, then went). pytest-qt, offscreen, the real window on the
tiny fixture model. A panel toggled on (the View toolbar, Ctrl+Shift+B / Ctrl+I) at that moment stays too."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect  # noqa: E402

from test_geometry62_narrow_screen import _settle  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)
from test_leftovers61_window import _Screen  # noqa: E402


def _by_token_click(window) -> None:
    from desktop_app.gui import view_toolbar

    view_toolbar.reveal(window, "side_tabs")


def _by_toggle(window) -> None:
    window.panel_actions["side_tabs"].trigger()  # the View toolbar's toggle, Ctrl+I


@pytest.mark.parametrize("ask", [_by_token_click, _by_toggle], ids=["token-click", "toggle"])
@pytest.mark.parametrize("width", [476, 700])
def test_a_panel_asked_for_before_the_narrowings_fit_stays(window, qtbot, monkeypatch, width, ask):
    """Every way of asking goes through the fitter (PanelFitter.take_ask), which records the width it was asked at."""
    from desktop_app.gui import view_toolbar

    monkeypatch.setattr(window, "screen", lambda: _Screen(QRect(0, 0, 1280, 800)))
    view_toolbar.reveal(window, "conversations")  # both panels, as a wide window shows them
    qtbot.waitUntil(lambda: window.side_tabs.isVisible() and window.conversations.isVisible())
    window.panel_actions["side_tabs"].trigger()  # the person hides the inspector with its toggle
    _settle()
    assert not window.panel_actions["side_tabs"].isChecked()
    window.resize(width, window.height())  # its fit is queued: nothing runs in between
    ask(window)  # before the event loop turns
    _settle()
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0)
    assert window.side_tabs.isVisible() and window.panel_actions["side_tabs"].isChecked(), "the asked panel stays"
    assert window.panel_fitter.asked == "side_tabs"
