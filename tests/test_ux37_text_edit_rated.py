"""Text mode: an edit of the MODEL's words inside a rated continuation no longer changes that branch in
place (its rating would then judge words the model did not write): the edit becomes a new branch hung
where it begins, the rated continuation keeps its words, rating and marks, and a notice says so. An
unrated continuation is still edited in place. pytest-qt, the tiny model, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.text_training import readiness, standard_examples  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_text36_usertest12 import continued, settle  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        yield window


def edit(qtbot, window, change) -> str:
    """Ctrl+E (unless editing), ``change(text)`` typed into the editor, the edit saved; returns the new text."""
    view = window.text_view
    if not view.editing:
        qtbot.keyClick(view.heatmap, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.editing
    edited = change(view.editor.toPlainText())
    view.editor.setPlainText(edited)
    view.flush_edit()
    settle(window)
    return edited


def covered(spans) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def test_an_edit_of_the_models_words_in_a_rated_continuation_is_a_new_branch(window, qtbot):
    view, store, tree = window.text_view, window.text.store, window.text.tree
    added = continued(qtbot, window)
    assert len(added) >= 4, added
    (a,) = [b["id"] for b in tb.branches(store, window.text.document_id)]
    view.branch_panel.up_button.click()  # 👍 the continuation
    settle(window)
    assert readiness(store)["thumbs_up"] == 1
    notices = []
    view.notice.connect(notices.append)
    k = len(STORY) + len(added) // 2  # inside the model's words
    edited = edit(qtbot, window, lambda text: text[:k] + "Q" + text[k:])
    qtbot.waitUntil(lambda: tree.shown != a, timeout=WAIT_MS)

    # the rated continuation: its words, its place, its 👍 and the example it trains
    kept = tb.get_branch(store, a)
    assert (kept["kind"], kept["parent_id"], kept["start"], kept["text"]) == ("continuation", None, len(STORY), added)
    assert tb.branch_ratings(store, a)["thumbs"] == 1
    assert standard_examples(store, "kto") == [{"prompt": STORY, "completion": added, "label": True}]
    # the edit: a branch of its own, shown, hung off the continuation where the edit's word begins (in
    # the continuation's first word: beside it, at its start)
    new = tree.shown
    branch = tb.get_branch(store, new)
    assert branch["kind"] == "edited" and branch["mean_prob"] is None
    where = (branch["parent_id"], branch["start"])
    assert (where[0] == a and len(STORY) < where[1] <= k) or where == (None, len(STORY)), where
    assert branch["text"] == edited[branch["start"]:]
    assert view.editor.toPlainText() == edited and tb.branch_ratings(store, new)["thumbs"] is None
    # the model's words stay marked as the model's; the letter typed is the person's
    marked = covered(window.text.model_spans(edited))
    assert marked == set(range(len(STORY), len(edited))) - {k}
    (said,) = notices
    assert "new branch" in said and "words the model wrote" in said and "with your thumbs up" in said
    assert "earlier wording" not in said

    # a second edit goes into the new branch, not into another one
    edit(qtbot, window, lambda text: text + " The end.")
    assert len(tb.branches(store, window.text.document_id)) == 2 and tree.shown == new
    assert tb.get_branch(store, a)["text"] == added


def test_an_unrated_continuation_is_still_edited_in_place(window, qtbot):
    store, tree = window.text.store, window.text.tree
    added = continued(qtbot, window)
    (a,) = [b["id"] for b in tb.branches(store, window.text.document_id)]
    k = len(STORY) + len(added) // 2
    edited = edit(qtbot, window, lambda text: text[:k] + "Q" + text[k:])
    assert tree.shown == a and [b["id"] for b in tb.branches(store, window.text.document_id)] == [a]
    assert tb.get_branch(store, a)["text"] == edited[len(STORY):]
