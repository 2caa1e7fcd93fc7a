"""usertest55: a writer rating the Text tab's tokens. + / − / 0 on the coloured text rate the chosen token of a
continuation, as the token menu says and as on a chat answer (they did nothing there); on a token the person wrote
they rate nothing and the status bar says why. A continuation the person has edited since keeps its tokens in
italics, which can no longer be rated: the inspector, its hint and the menu say that, not "You wrote this token".
pytest-qt, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.text_mode import EDITED_TOKEN_HINT  # noqa: E402
from desktop_app.gui.text_token_menu import EDITED, YOURS  # noqa: E402
from gui_windows import STORY, window_with_text  # noqa: E402
from test_text36_usertest12 import continued, settle  # noqa: E402
from test_ux37_text_edit_rated import edit  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        yield window


def _first_written(window) -> int:
    """The heatmap index of the continuation's first token with text."""
    heatmap = window.text_view.heatmap
    return min(i for i in heatmap.model_written if heatmap.records[i].text.strip())


def _token_ratings(window) -> dict:
    (branch,) = tb.branches(window.text.store, window.text.document_id)
    return tb.branch_ratings(window.text.store, branch["id"])["tokens"]


def test_the_rating_keys_rate_the_chosen_continuation_token(window, qtbot):
    continued(qtbot, window)
    heatmap = window.text_view.heatmap
    index = _first_written(window)
    heatmap.choose_token(index)
    qtbot.keyClick(heatmap, Qt.Key.Key_Minus)
    settle(window)
    assert list(_token_ratings(window).values()) == [-1]
    assert window.inspector.bad_button.isChecked()
    qtbot.keyClick(heatmap, Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier)  # "+" as most layouts type it
    settle(window)
    assert list(_token_ratings(window).values()) == [1]
    qtbot.keyClick(heatmap, Qt.Key.Key_0)
    settle(window)
    assert _token_ratings(window) == {}


def test_a_rating_key_on_my_own_token_says_why_it_rates_nothing(window, qtbot):
    continued(qtbot, window)
    heatmap = window.text_view.heatmap
    heatmap.choose_token(0)  # the person's first word
    qtbot.keyClick(heatmap, Qt.Key.Key_Minus)
    settle(window)
    assert _token_ratings(window) == {}
    assert window.statusBar().currentMessage() == YOURS


def _edited_in_its_last_token(qtbot, window) -> tuple[int, int]:
    """An unrated continuation edited in place inside its last token of three characters or more (its first two
    kept, "§ The end." after them): (the heatmap index of its first token with text, before the edit; of the
    first one the model wrote from the token the edit is in), once coloured again."""
    continued(qtbot, window)
    (branch,) = tb.branches(window.text.store, window.text.document_id)
    pieces = [t[1] for t in branch["tokens"]]
    cut = max(k for k, piece in enumerate(pieces) if len(piece) >= 3)
    assert any(piece.strip() for piece in pieces[:cut]), "a token before the edit"
    at = len(window.text_view.editor.toPlainText()) - len(branch["text"]) + len("".join(pieces[:cut]))
    edit(qtbot, window, lambda text: text[:at + 2] + "\u00a7 The end.")
    view = window.text_view
    qtbot.waitUntil(lambda: view.offset_of(0) is not None and bool(view.heatmap.model_written), timeout=30_000)
    qtbot.keyClick(view.heatmap, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # the colours again
    inside = min(i for i in view.heatmap.model_written if view.offset_of(i) >= at)
    return _first_written(window), inside


def test_a_continuation_edited_since_says_the_model_wrote_its_tokens(window, qtbot):
    _before, index = _edited_in_its_last_token(qtbot, window)
    view = window.text_view
    view.heatmap.choose_token(index)
    inspector = window.inspector
    assert inspector.source.text().endswith("written by a continuation, edited since")
    assert inspector.hint.text() == EDITED_TOKEN_HINT
    window.text_mode.token_menu.show(view.heatmap.span_rect(index).center())
    menu = window.text_mode.token_menu.last
    lines = [action.text() for action in menu.actions()]
    menu.close()
    assert EDITED in lines and YOURS not in lines
    qtbot.keyClick(view.heatmap, Qt.Key.Key_Minus)
    assert window.statusBar().currentMessage() == EDITED


def test_the_tokens_before_an_edit_of_a_continuation_can_still_be_rated(window, qtbot):
    """words108: an edit of an unrated continuation made every token of it unratable; those before the edit, which
    the model wrote after the very same text, are rated as before, and train."""
    before, _index = _edited_in_its_last_token(qtbot, window)
    view = window.text_view
    view.heatmap.choose_token(before)
    assert window.inspector.hint.text() != EDITED_TOKEN_HINT
    qtbot.keyClick(view.heatmap, Qt.Key.Key_Minus)
    settle(window)
    assert list(_token_ratings(window).values()) == [-1]
    assert window.statusBar().currentMessage() != EDITED
