"""What a person met in the window (session 36), with real widgets:

- The first start's notice (which model is in use, "Choose a model…") was cut to two lines at
  800x600; it reads whole there, its button in view.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401


def settle(times: int = 6) -> None:
    for _ in range(times):
        QApplication.processEvents()


def shows_whole(widget, port) -> bool:
    """All of ``widget`` is inside ``port`` (not scrolled or clipped away)."""
    top_left = widget.mapTo(port.window(), QPoint(0, 0))
    area = QRect(port.mapTo(port.window(), QPoint(0, 0)), port.size())
    return widget.isVisible() and area.contains(QRect(top_left, widget.size()))


def top_in_window(widget) -> int:
    return widget.mapTo(widget.window(), QPoint(0, 0)).y()


# ---------------------------------------------------------------- the first start's notice

def first_start_notice(monkeypatch) -> str:
    from desktop_app.core import models

    monkeypatch.setattr(models, "cached_hub_folder", lambda repo: None)
    return models.resolve_spec(None, probe=lambda: False).notice


def test_the_first_start_notice_reads_whole_at_800x600_with_its_button_in_view(make_window, monkeypatch):
    window = make_window()
    notice = first_start_notice(monkeypatch)
    window.chat.model_notice.emit(notice)
    banner = window.notice_banner
    window.resize(800, 600)
    settle()
    label, button = banner.label, banner.action_button
    assert banner.isVisible() and label.text() == notice
    assert label.cut_text is None and label.height() >= label.heightForWidth(label.width()), "cut at 800x600"
    assert button.isVisible() and shows_whole(button, window), "Choose a model\u2026 out of view"
    assert shows_whole(label, window) and shows_whole(banner, window)
    assert not QRect(label.mapTo(window, QPoint()), label.size()).intersects(
        QRect(button.mapTo(window, QPoint()), button.size())), "the button covers the text"
    assert label.width() >= 320, f"the text squeezed beside its button: {label.width()} px"
    assert window.minimumSizeHint().height() <= 600, "the window still fits 800x600"
    assert window.transcript.height() >= 140, "the chat keeps its room"


def test_at_1280x800_the_notice_keeps_its_button_beside_the_text(make_window, monkeypatch):
    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    window.resize(1280, 800)
    settle()
    banner = window.notice_banner
    label, button = banner.label, banner.action_button
    assert label.cut_text is None and button.isVisible()
    assert button.mapTo(window, QPoint()).x() > label.mapTo(window, QPoint()).x() + label.width(), "beside it"
    assert top_in_window(button) < top_in_window(label) + label.height(), "not under the text"
    assert banner.height() <= label.height() + 24, "as tall as its text, no more"


def test_a_notice_without_a_button_still_keeps_to_two_lines_at_800x600(make_window, monkeypatch):
    window = make_window()
    notice = first_start_notice(monkeypatch)
    window.notice_banner.show_message(notice * 2, "info")  # the same words, nothing to choose
    window.resize(800, 600)
    settle()
    label = window.notice_banner.label
    assert label.cut_text is not None and label.height() <= 2 * label.fontMetrics().lineSpacing() + 4
