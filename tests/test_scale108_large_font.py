"""scale108: a desktop's "large text" (the application font at 14 pt instead of 9) left the answers, the prompts
and the Text tab's text at the style sheet's fixed 11 pt, smaller than the buttons beside them, the panel titles at
9 pt, and cut "CONVERSATIONS" to "CONVERSATIO" in the list's fixed 185 px. The sheet's point sizes now grow with
the application font (never shrink), and the list's least width holds its title. pytest-qt, offscreen, the real
window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QFont  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from gui_windows import ask  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

LARGE_PT = 14.0


@pytest.fixture
def large_font(qapp):
    """The application font at 14 pt, as a desktop's font setting gives it; the usual one put back after."""
    from desktop_app.gui.theme import apply_theme

    usual = QFont(qapp.font())
    large = QFont(usual)
    large.setPointSizeF(LARGE_PT)
    qapp.setFont(large)
    yield large
    qapp.setFont(usual)
    apply_theme(qapp, False)  # the sheet drawn for the usual font again, for the tests after


def test_the_sheet_s_point_sizes_grow_with_the_application_font_and_never_shrink(qapp):
    from desktop_app.gui.theme import font_scale, scaled_points, style_sheet

    usual = QFont(qapp.font())
    assert usual.pointSizeF() == 9.0, "the tests' usual font: the sheet's own sizes"
    assert "QTextEdit#TokenView { background: transparent; border: 2px solid transparent; font-size: 11pt; }" \
        in style_sheet(False), "at 9 pt the sheet is as drawn"
    large = QFont(usual)
    large.setPointSizeF(LARGE_PT)
    assert font_scale(large) == pytest.approx(LARGE_PT / 9)
    assert scaled_points(11, font_scale(large)) == "17.1pt"
    small = QFont(usual)
    small.setPointSizeF(7)
    assert font_scale(small) == 1.0, "a smaller font keeps the drawn sizes"


def test_a_large_application_font_grows_the_answer_and_keeps_the_panel_title_whole(large_font, make_window, qtbot):
    window = make_window()  # after large_font: the window is made under it, as at a start
    ask(qtbot, window)
    answer = [card for card in window.transcript.cards if card.role == "assistant"][-1]
    prompt = [card for card in window.transcript.cards if card.role == "user"][-1]
    for card in (answer, prompt):
        size = card.view.font().pointSizeF()
        assert size >= LARGE_PT, f"the {card.role}'s text at {size} pt under a {LARGE_PT} pt application font"
    title = next(label for label in window.conversations.findChildren(QLabel) if label.text() == "CONVERSATIONS")
    assert title.font().pointSizeF() >= LARGE_PT - 0.1, "the panel title (9 pt in the sheet) grew with the font"
    assert title.width() >= title.sizeHint().width(), f"the title cut: {title.width()} of {title.sizeHint().width()}"
    empty = window.conversations.empty
    assert window.conversations.minimumWidth() >= empty.sizeHint().width(), "'No conversations yet.' fits"


def test_a_one_line_notice_under_a_large_font_keeps_the_words_that_fit(large_font, make_window, qtbot, monkeypatch):
    """At 14 pt (and 10 and 16) a line of text is a pixel taller than the font's line spacing: the one-line notice
    counted no word as fitting and showed "Using" alone in 496 px, its link and its close beside it."""
    from test_geometry62_narrow_screen import _settle
    from test_split36_explain_and_banner import first_start_notice

    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    window.resize(1366, 740)
    _settle()
    banner = window.notice_banner
    qtbot.waitUntil(lambda: banner.compact and banner.label.max_lines == 1)  # the 14 pt window's short form
    _settle()
    cut = banner.label.cut_text
    assert cut is not None and cut.endswith("\u2026") and len(cut.split()) >= 4, f"the notice cut to {cut!r}"
    metrics, label = banner.label.fontMetrics(), banner.label
    assert metrics.horizontalAdvance(cut) <= label.contentsRect().width(), "its one line fits the label"


def test_the_text_tab_s_better_button_keeps_its_word_under_a_large_font(large_font, make_window, qtbot):
    """At 14 pt in a 1366x740 window the branches' row squeezed "Better…" to "etter." (a least width of 34 px,
    an icon's, on a button that has no icon); Regenerate gives up its word, Better keeps its own."""
    from test_geometry62_narrow_screen import _settle

    window = make_window()
    window.set_mode("text")
    window.resize(1366, 740)
    _settle()
    panel = window.text_view.branch_panel
    qtbot.waitUntil(panel.better_button.isVisible)
    _settle()
    button = panel.better_button
    assert button.text() == "Better\u2026"
    assert button.width() >= button.sizeHint().width(), f"Better… {button.width()} of {button.sizeHint().width()} px"


def test_the_chat_s_icon_only_buttons_have_a_name_a_screen_reader_says(make_window, qtbot):
    """Qt names a button by its text: the answer's thumbs, its export, the prompt's edit and New conversation, icons
    with a tooltip, were read as an unnamed "button" (the tooltip is only its description)."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QAbstractButton

    window = make_window()
    ask(qtbot, window)
    buttons = [b for card in window.transcript.cards for b in card.findChildren(QAbstractButton) if b.isVisible()]
    buttons += [window.conversations.new_button]
    icon_only = [b for b in buttons if not b.text().strip()]
    assert len(icon_only) >= 5, f"the thumbs, export, edit and New: {[b.toolTip() for b in icon_only]}"
    names = {b.toolTip()[:40]: QAccessible.queryAccessibleInterface(b).text(QAccessible.Text.Name) for b in icon_only}
    assert all(names.values()), f"unnamed: {[tip for tip, name in names.items() if not name]}"
