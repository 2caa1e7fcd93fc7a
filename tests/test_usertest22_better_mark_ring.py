"""usertest22: the mark of an answer's better answer (✎, beside the thumbs) no longer wears the focus
ring's look. Its checked state drew a 2 px accent border, the focus ring itself: with the keyboard on
the thumb beside it, a keyboard user saw two rings and could not tell which had the focus. Filled, no
ring; focused, the ring. pytest-qt, offscreen, real widgets and the app's style sheet, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.theme import colors, is_dark  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)


def _corrected_card(window):
    store = window.chat.store
    cid = store.create_conversation("Better mark")
    question = store.add_message(cid, "user", "What is the capital of France?")
    answer = store.add_message(cid, "assistant", "Lyon.", parent_id=question)
    store.set_correction(answer, "Paris.")
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    return next(c for c in window.transcript.cards if c.role == "assistant")


def _left_edge(button) -> QColor:
    """The colour in the middle of the button's left border (2 px wide)."""
    image = button.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(1 * ratio), int(image.height() / 2))


def _near(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 24


def test_the_better_mark_has_no_ring_until_it_has_the_focus(window, qtbot):
    card = _corrected_card(window)
    mark = card.rating.better_mark
    qtbot.waitUntil(mark.isVisible)
    accent = QColor(colors(is_dark())["accent"])
    card.rating.up.setFocus()  # the keyboard on the thumb beside it
    QApplication.processEvents()
    assert mark.isChecked() and not mark.hasFocus()
    assert not _near(_left_edge(mark), accent), "a ring on a mark without the focus"
    assert _near(_left_edge(card.rating.up), accent), "the focused thumb has the ring"
    mark.setFocus()
    QApplication.processEvents()
    assert _near(_left_edge(mark), accent), "focused, the mark has the ring"
