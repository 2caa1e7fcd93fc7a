"""A panel the person shows with its toggle (the View toolbar, Ctrl+Shift+B / Ctrl+I) right after the window narrowed,
before the narrowing's queued fit has run, stays shown, as a token click's panel does (test_fit56): the fitter
records the width every ask was made at. pytest-qt, offscreen, the real window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect  # noqa: E402

from test_geometry62_narrow_screen import _settle  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)
from test_leftovers61_window import _Screen  # noqa: E402


@pytest.mark.parametrize("width", [476, 700])
def test_a_panel_toggled_on_before_the_narrowings_fit_stays(window, qtbot, monkeypatch, width):
    from desktop_app.gui import view_toolbar

    monkeypatch.setattr(window, "screen", lambda: _Screen(QRect(0, 0, 1280, 800)))
    view_toolbar.reveal(window, "conversations")  # both panels, as a wide window shows them
    qtbot.waitUntil(lambda: window.side_tabs.isVisible() and window.conversations.isVisible())
    window.panel_actions["side_tabs"].trigger()  # the person hides the inspector with its toggle
    _settle()
    assert not window.panel_actions["side_tabs"].isChecked()
    window.resize(width, window.height())  # its fit is queued: nothing runs in between
    window.panel_actions["side_tabs"].trigger()  # and shows it again, before the event loop turns
    _settle()
    qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0)
    assert window.side_tabs.isVisible() and window.panel_actions["side_tabs"].isChecked(), "the toggled panel stays"
    assert window.panel_fitter.asked == "side_tabs"
