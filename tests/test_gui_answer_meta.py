"""An answer's header line (pytest-qt, offscreen, the tiny random GPT-2, the real store): an
answer cut at the token limit says so in view, also on a regenerated sibling whose header
holds the "‹ 2/2 ›" arrows, in a wide window; in a narrow one the card still fits."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.elided_labels import fitted_meta  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


def shown_meta(card) -> str:
    """What the header's meta line paints (whole parts dropped from its end when it is narrow)."""
    label = card.meta
    return fitted_meta(label.text(), label.fontMetrics(), label.contentsRect().width())


def test_a_regenerated_answer_at_the_token_limit_says_so_beside_its_arrows(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    window.resize(1150, 800)  # the chat area between both side panels: about the room the user's header had
    first = ask(qtbot, window, "Why is the sky blue?")
    assert first["finish_reason"] == "length", "the tiny model runs to its 6-token limit"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(window.regenerate_button, Qt.MouseButton.LeftButton)
    assert done.args[0]["finish_reason"] == "length"
    QApplication.processEvents()
    card = answer_cards(window)[-1]
    assert card.sibling_label.isVisible() and card.sibling_label.text() == "2/2"
    assert "reached the token limit" in card.meta.text()
    assert "token limit" in shown_meta(card), "painted (whole or in its short words), not only in the tooltip"
    assert card.rating.up.isVisible() and card.next_button.isVisible(), "the header's buttons stay"
    window.resize(1000, 700)  # too narrow for it: the card still fits the transcript (nothing cut off)
    qtbot.waitUntil(lambda: card.width() <= window.transcript.viewport().width(), timeout=5000)
    assert card.export_button.isVisible()
