"""The empty chat's welcome (title, "Ready: …", how to ask) shows whole at every size a small screen gives:
a short chat shows fewer of its words rather than a line cut at the viewport's edge, and nothing scrolls.
At 800x461 the second paragraph's first line showed half under the edge. pytest-qt on the real window,
tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import opened_window  # noqa: E402
from test_gui_polish2 import visible_in  # noqa: E402
from test_small40_short_window import settle  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402

from desktop_app.gui.transcript import BODY_FORMS  # noqa: E402

# (width, height) of the window: 800x480, 1024x600, 1024x640 and 1366x768 screens under a title bar, and narrower
SIZES = ((800, 461), (1024, 581), (1024, 621), (1366, 749), (640, 461), (560, 461))


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir, monkeypatch):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        w.set_mode("chat")
        w.chat.model_notice.emit(first_start_notice(monkeypatch))
        settle()
        yield w


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_welcome_shows_whole_and_nothing_of_it_is_cut(window, size):
    window.resize(*size)
    settle(10)
    empty, port = window.transcript.empty, window.transcript.viewport()
    assert empty.isVisible()
    for part in (empty.title, empty.status) + ((empty.body,) if empty.body.text() else ()):
        assert visible_in(part, port), f"{part.text()[:30]!r} is cut at {size}"
        assert part.height() >= part.heightForWidth(part.width()), f"{part.text()[:30]!r} lacks a line at {size}"
    assert window.transcript.verticalScrollBar().maximum() == 0, f"the welcome scrolls at {size}"
    assert empty.body.text(), f"the words how to ask are gone at {size}"
    if size[1] >= 749:
        assert empty.body.text() == BODY_FORMS[0], f"a roomy chat shows all the words at {size}"
