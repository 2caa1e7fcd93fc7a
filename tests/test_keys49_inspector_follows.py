"""The token inspector and a new answer (usertest26: it kept an older answer's token under the new answer,
as though it were the newest's). A new answer lets go of the older token and its mark; a token shown
says which answer it is of. pytest-qt, the real window on the tiny model, tokens walked with the keys."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import active, ask  # noqa: E402
from test_gui import answer_cards, make_window  # noqa: E402,F401


def walk_to_first_token(qtbot, card) -> None:
    """Into the answer's text and onto its first token with the keys, as the F1 list says."""
    card.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(card.view.hasFocus, timeout=2000)
    qtbot.keyClick(card.view, Qt.Key.Key_Home)
    QApplication.processEvents()


def test_a_new_answer_lets_go_of_an_older_answers_token(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window, "First question")
    first = answer_cards(window)[-1]
    walk_to_first_token(qtbot, first)
    inspector = window.inspector
    assert inspector.message_id == first.message_id and inspector.index == 0
    assert inspector.source.text().startswith(f"Token 1 of {len(first.records)} \u00b7 the answer to \u201cFirst")
    ask(qtbot, window, "Second question")
    QApplication.processEvents()
    assert inspector.message_id is None and inspector.placeholder.isVisible(), "it still showed the first answer's"
    assert first.view.selected == -1, "the first answer kept its token's mark"
    second = answer_cards(window)[-1]
    walk_to_first_token(qtbot, second)
    assert inspector.message_id == second.message_id
    assert "the answer to \u201cSecond question\u201d" in inspector.source.text()
    walk_to_first_token(qtbot, first)
    assert "an earlier answer to \u201cFirst question\u201d" in inspector.source.text()
