"""What a person using the window would notice: a short window (800x600 and the window's
minimum, with the offline notice), opening texts off the GUI thread, a one-line 5 MB text,
the compare view and Text branches, which precision an explanation used."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401

OFFLINE_NOTICE = ("HuggingFaceTB/SmolLM2-360M-Instruct is not in the local cache and the model hub cannot be "
                  "reached, so the bundled offline model SmolLM2-135M-Instruct is used.")


def settle(times: int = 4) -> None:
    for _ in range(times):
        QApplication.processEvents()


def visible_in(widget, viewport) -> bool:
    """Whether all of ``widget`` shows inside ``viewport`` (not scrolled or clipped away)."""
    top_left = widget.mapTo(viewport.window(), QPoint(0, 0))
    port = QRect(viewport.mapTo(viewport.window(), QPoint(0, 0)), viewport.size())
    return widget.isVisible() and port.contains(QRect(top_left, widget.size()))


def sizes(window):
    hint = window.minimumSizeHint()
    return [(800, 600), (max(hint.width(), 640), max(hint.height(), 480))]


def test_the_welcome_heading_and_ready_line_show_in_a_short_window(make_window):
    window = make_window()
    window.notice_banner.show_message(OFFLINE_NOTICE, "info")
    empty = window.transcript.empty
    for width, height in sizes(window):
        window.resize(width, height)
        settle()
        port = window.transcript.viewport()
        assert visible_in(empty.title, port), f"the heading is scrolled or covered at {width}x{height}"
        assert empty.status.text().startswith("Ready"), empty.status.text()
        assert visible_in(empty.status, port), f"'Ready: ...' is clipped at {width}x{height}"
        assert window.transcript.height() >= 140, f"the chat area is too short at {width}x{height}"


def test_a_long_notice_keeps_to_two_lines_and_shows_all_on_request(make_window, qtbot):
    window = make_window()
    banner = window.notice_banner
    banner.show_message(OFFLINE_NOTICE * 2, "info")
    window.resize(800, 600)
    settle()
    line = banner.label.fontMetrics().lineSpacing()
    assert banner.label.height() <= 2 * line + 4, "a long notice took the chat's height"
    assert banner.label.text() == OFFLINE_NOTICE * 2, "the text itself stays whole"
    assert banner.label.toolTip() == OFFLINE_NOTICE * 2, "the tooltip says all of it"
    qtbot.mouseClick(banner.label, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    settle()
    assert banner.label.height() > 3 * line, "a click shows the whole notice"


def test_the_text_tab_keeps_its_editor_and_heatmap_in_a_short_window(make_window):
    window = make_window()
    window.notice_banner.show_message(OFFLINE_NOTICE, "info")
    window.set_mode("text")
    view = window.text_view
    for width, height in sizes(window):
        window.resize(width, height)
        settle()
        assert not view.summary_panel.probabilities.isVisible(), "short: the histograms give way"
        assert view.editor.height() >= 60 and view.heatmap_scroll.height() >= 40, (width, height)
        assert view.branch_panel.height() >= 60, (width, height)
        assert visible_in(view.summary_panel.figures, view), (width, height)
    window.resize(1280, 900)
    settle()
    assert view.summary_panel.probabilities.isVisible(), "tall again: the histograms come back"
