"""left68: Compare says that a rated Text continuation's ratings disagree, in the words it has for chat answers
(it said "expect green" over a continuation liked here and disliked in another, which the Fine-tune tab names).
pytest-qt, the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)
from test_words108_text_conflicts import STORY, _continuation  # noqa: E402


def _compare_on(window, qtbot, tiny_model_dir, key: int):
    wear_adapter(qtbot, window, tiny_model_dir)
    view = window.open_compare(key).view
    qtbot.waitUntil(lambda: view.conflicts_task is None and view.expect_label.isVisibleTo(view), timeout=WAIT_MS)
    return view


def test_a_continuation_liked_here_and_disliked_in_another_says_the_ratings_disagree(window, qtbot, tiny_model_dir):
    store = window.chat.store
    document = documents.create_document(store, STORY, "Lighthouse")
    liked, disliked = _continuation(store, document), _continuation(store, document)
    tb.rate_branch(store, liked, 1)
    tb.rate_branch(store, disliked, -1)
    view = _compare_on(window, qtbot, tiny_model_dir, -liked)
    said = view.expect_label.text()
    assert "You liked this continuation, but disliked the same text in the text \u2039Lighthouse\u203a" in said
    assert "continuing the same text" in said and "expect little change" in said
    assert "so expect" not in said.split("expect little change")[0], "not the thumb's own \u201cexpect green\u201d"
    combo = view.answer_combo
    tip = combo.itemData(combo.findData(-liked), Qt.ItemDataRole.ToolTipRole)
    assert "You liked this continuation, but disliked the same text" in tip, "the picker's hover text says it too"
    assert "expect it to have become more likely (green)" not in tip
    view.cancel()


def test_a_continuations_token_rated_the_other_way_elsewhere_is_said(window, qtbot, tiny_model_dir):
    store = window.chat.store
    document = documents.create_document(store, STORY, "Lighthouse")
    up, down = _continuation(store, document), _continuation(store, document)
    tb.rate_branch(store, up, 1)  # a thumb, so the continuation is listed with something to expect
    tb.rate_branch(store, up, 1, 3)
    tb.rate_branch(store, down, -1, 3)
    view = _compare_on(window, qtbot, tiny_model_dir, -up)
    assert ("The token \u201c lamp\u201d you rated here was rated the other way in the text \u2039Lighthouse\u203a"
            in view.expect_label.text())
    view.cancel()
