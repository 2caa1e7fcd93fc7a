"""regress69: GNOME's and KDE's default font (10-11 pt) cut the Token inspector. Its side by side form stayed while
the view was wider than a bound scaled from 9 pt (250 px x the font's scale: 278 px at 10 pt, 306 at 11), yet its
figures needed 334 and 377 px of the panel's 326: the values ("written with Fast (bfloat16)"), Copy figures and
"bad" ran past the right edge with no way to scroll to them. The form is now chosen by what it measures. pytest-qt,
offscreen, the real window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QFont  # noqa: E402
from PySide6.QtWidgets import QBoxLayout  # noqa: E402

from clip_check import cut_widgets  # noqa: E402
from gui_windows import ask  # noqa: E402
from test_bigfont68_nothing_cut import settled  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


@pytest.fixture(params=[10.0, 11.0])
def desktop_font(request, qapp):
    """The application font at a desktop's default size (10 or 11 pt); the tests' usual one put back after."""
    from desktop_app.gui.theme import apply_theme

    usual = QFont(qapp.font())
    desktop = QFont(usual)
    desktop.setPointSizeF(request.param)
    qapp.setFont(desktop)
    yield desktop
    qapp.setFont(usual)
    apply_theme(qapp, False)


def inspect_a_token(window, qtbot) -> None:
    ask(qtbot, window)
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(2)
    window.show_token(card, 2)
    window.resize(1366, 768)
    settled(qtbot)


def test_a_desktop_s_default_font_cuts_nothing_in_the_token_inspector(desktop_font, make_window, qtbot):
    window = make_window()  # after desktop_font: the window is made under it, as at a start
    inspect_a_token(window, qtbot)
    inspector = window.inspector
    body = inspector.scroll.widget()
    assert body.width() <= inspector.scroll.viewport().width(), (body.width(), inspector.scroll.viewport().width())
    assert cut_widgets(window) == []
    assert inspector.rate_row.direction() == QBoxLayout.Direction.TopToBottom, "the rows one under another"


def test_the_usual_font_keeps_the_side_by_side_form(make_window, qtbot):
    window = make_window()
    inspect_a_token(window, qtbot)
    assert window.inspector.rate_row.direction() == QBoxLayout.Direction.LeftToRight
    assert window.inspector.stat_values["precision"].wordWrap() is False
    assert cut_widgets(window) == []
