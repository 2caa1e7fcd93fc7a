"""handout71: a branch made from an alternative ("Continue with “…”") marks the token the person chose, in the chat
card's answer and in the Text tab's heatmap: a dotted underline (colours as they were) and a tooltip line saying it
was their choice, the model's how-manyth guess and its chance (a teacher could not find the word they had picked).
pytest-qt on the real window, the tiny model, a real store."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.chosen_token import answer_chosen, chosen_words  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from gui_windows import WAIT_MS, answered_window  # noqa: E402
from test_gui_text import TEXT, analysed, text_window  # noqa: E402,F401
from test_longtext60_picked_token import continued_from_an_alternative  # noqa: E402

DOTTED = QTextCharFormat.UnderlineStyle.DotLine


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


def underline_at(view, index: int):
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)  # the format of the character after the position
    return cursor.charFormat().underlineStyle()


def test_the_words_say_which_guess_the_chosen_token_was():
    top = tuple(Alternative(i, f" w{i}", p) for i, p in enumerate([0.5, 0.2, 0.1, 0.051]))
    fourth = TokenRecord(3, " w3", math.log(0.051), 4, 2.0, top)
    assert chosen_words(fourth) == "You chose this token (the model's 4th guess, 5.1%)."
    assert "second guess" in chosen_words(TokenRecord(1, " w1", math.log(0.2), 2, 2.0, top))
    assert "21st guess" in chosen_words(TokenRecord(1, " w1", math.log(0.001), 21, 2.0, top))  # not "21th"
    assert answer_chosen({"temperature": 1.0}, [fourth]) == {}  # an answer the model wrote whole: nothing marked
    assert answer_chosen({"branched_at": 0}, [fourth]) == {0: chosen_words(fourth)}


def test_a_chat_branch_marks_the_token_the_person_chose(window, qtbot):
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    assert card.view.chosen == {}  # the first answer: the model's own
    alternative = next(a for a in card.records[3].top if a.id != card.records[3].id)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.inspector.branch_requested.emit(card.message_id, 3, alternative.id)  # "Continue with" it
    branch = lambda: [c for c in window.transcript.cards if c.role == "assistant"][-1]  # noqa: E731
    qtbot.waitUntil(lambda: branch().message is not None and bool(branch().view.chosen), timeout=WAIT_MS)
    view = branch().view
    assert list(view.chosen) == [3] and view.records[3].id == alternative.id
    assert "You chose this token (the model's" in view.token_tip(3, view.records[3])
    assert "You chose" not in view.token_tip(4, view.records[4])
    assert underline_at(view, 3) == DOTTED and underline_at(view, 2) != DOTTED


def test_a_text_branch_marks_the_token_the_person_chose(text_window, qtbot):
    window = text_window(max_new_tokens=6)
    analysed(qtbot, window, TEXT)
    first = continued_from_an_alternative(qtbot, window)
    QApplication.processEvents()
    heatmap = window.text_view.heatmap
    assert list(heatmap.chosen) == [first]
    assert "guess" in heatmap.chosen[first]  # the re-scored token is the one chosen: its figures said
    assert "You chose this token" in heatmap.token_tip(first, heatmap.records[first])
    assert underline_at(heatmap, first) == DOTTED and underline_at(heatmap, first + 1) != DOTTED
