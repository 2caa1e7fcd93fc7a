"""Small things a person met in the window (leftovers66), with real widgets and the tiny model:

- the inspector's button near the top said "Explain this token" over a "WHY THIS TOKEN?" section far below it,
  read as two different things: the button has the section's name, and a click brings the section into view.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import answered_window  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_polish2 import settle, visible_in  # noqa: E402

WAIT_MS = 60_000


def shown_token(window, index: int = 3):
    """Click token ``index`` of the last answer, as a person does: its card and the inspector."""
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    index = min(index, len(card.records) - 1)
    card.view.select_token(index)
    window.show_token(card, index)
    settle()
    return card, window.inspector


def test_the_explain_button_has_the_sections_name_and_brings_it_into_view(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        window.resize(800, 600)
        settle()
        _card, inspector = shown_token(window)
        view = inspector.explain
        assert view.button.text().casefold() == view.title.text().casefold(), (view.button.text(), view.title.text())
        port = inspector.scroll.viewport()
        assert not visible_in(view.title, port), "the section starts below the fold at 800x600"
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: visible_in(view.title, port), timeout=WAIT_MS)
