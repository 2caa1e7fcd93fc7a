"""words108: ratings that disagree (core/rating_conflicts.py) are found among Text mode's continuations too: the same
continuation liked and disliked, a token rated good in one continuation and bad in another after the same text;
their words name the text each is in. Real store, no model."""

from __future__ import annotations

import json

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.conflict_words import conflicts_line
from desktop_app.core.rating_conflicts import find_conflicts
from test_gui import make_window  # noqa: F401  (a fixture)

STORY = "The keeper climbed the stairs of the lighthouse every evening"
TOKENS = [[1, " and"], [2, " lit"], [3, " the"], [4, " lamp"], [5, "."]]


def _continuation(store, document: int, text: str = " and lit the lamp.", start: int = len(STORY)) -> int:
    branch = tb.add_branch(store, document, None, start, text)
    with store.transaction() as conn:  # its tokens as a continuation stores them
        conn.execute("UPDATE text_branches SET tokens = ? WHERE id = ?", (json.dumps(TOKENS), branch))
    return branch


def test_a_continuation_liked_and_disliked_is_a_conflict_named_by_its_text(store):
    document = documents.create_document(store, STORY, "Lighthouse")
    liked, disliked = _continuation(store, document), _continuation(store, document)
    tb.rate_branch(store, liked, 1)
    tb.rate_branch(store, disliked, -1)
    (conflict,) = find_conflicts(store)
    assert (conflict.kind, conflict.same_question) == ("continuation", True)
    assert (conflict.up.branch_id, conflict.down.branch_id) == (liked, disliked)
    assert conflict.up.conversation_id == document and conflict.up.title == "Lighthouse"
    line = conflicts_line([conflict])
    assert line == ("2 ratings disagree: \u201cand lit the lamp.\u201d is liked in the text \u2039Lighthouse\u203a and "
                    "disliked in the text \u2039Lighthouse\u203a, continuing the same text: the run pushes it up and "
                    "down at once and learns neither.")


def test_a_token_rated_both_ways_after_the_same_text_is_a_conflict(store):
    document = documents.create_document(store, STORY, "Lighthouse")
    up, down = _continuation(store, document), _continuation(store, document)
    tb.rate_branch(store, up, 1, 3)
    tb.rate_branch(store, down, -1, 3)
    (conflict,) = find_conflicts(store)
    assert (conflict.kind, conflict.text, conflict.before) == ("text token", " lamp", " and lit the")
    assert (conflict.up.token_index, conflict.down.token_index) == (3, 3)
    assert "the token \u201c lamp\u201d after \u201cand lit the\u201d is rated good in the text" in conflicts_line([conflict])


def test_continuations_of_other_texts_or_past_an_edit_are_no_token_conflict(store):
    document = documents.create_document(store, STORY, "Lighthouse")
    other = documents.create_document(store, "A different story", "Other")
    up, down = _continuation(store, document), _continuation(store, other, start=len("A different story"))
    tb.rate_branch(store, up, 1, 3)
    tb.rate_branch(store, down, -1, 3)
    assert find_conflicts(store) == [], "another text before: another place"
    edited = _continuation(store, document)
    tb.set_branch_text(store, edited, " and lit the lantern.")  # its " lamp" is the person's now
    tb.rate_branch(store, edited, -1, 3)
    assert find_conflicts(store) == []
    thumbs_up, thumbs_down = _continuation(store, document), _continuation(store, other, start=len("A different story"))
    tb.rate_branch(store, thumbs_up, 1)
    tb.rate_branch(store, thumbs_down, -1)
    (conflict,) = find_conflicts(store)
    assert conflict.kind == "continuation" and not conflict.same_question
    assert "continuing different texts: the run learns it as good for one" in conflicts_line([conflict])


def _disagreeing_continuations_named(qtbot, window):
    """A text "Lighthouse" with one continuation liked and one disliked, counted, and the Fine-tune tab's line
    naming them: (the text's id, the liked one, the disliked one, that line's label)."""
    from gui_windows import WAIT_MS

    store = window.text.store
    document = documents.create_document(store, STORY, "Lighthouse")
    liked, disliked = _continuation(store, document), _continuation(store, document)
    tb.rate_branch(store, liked, 1)
    tb.rate_branch(store, disliked, -1)
    window.writer.recount()
    label = window.finetune_panel.disagree_label
    qtbot.waitUntil(lambda: label.text() != "", timeout=WAIT_MS)
    return document, liked, disliked, label


def test_the_fine_tune_tab_names_the_text_and_its_link_opens_that_continuation(qtbot, qapp, tiny_model_dir):
    """The window: the tab says the continuations that disagree, each side a link named by its text, which opens
    that text in the Text tab on that continuation."""
    from gui_windows import WAIT_MS, opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        document, _liked, disliked, label = _disagreeing_continuations_named(qtbot, window)
        assert f'<a href="-{disliked}">the text \u2039Lighthouse\u203a</a>' in label.text()
        assert "continuing the same text" in label.text()
        assert window.text.document_id != document
        label.linkActivated.emit(f"-{disliked}")  # as a click on "the text ‹Lighthouse›" sends it
        qtbot.waitUntil(lambda: window.text.document_id == document and window.text.tree.shown == disliked,
                        timeout=WAIT_MS)
        assert window.mode == "text"


def test_from_chat_the_link_opens_the_text_tab_on_that_continuation(make_window, qtbot):
    """In Chat at a start the Text tab has opened no text yet: a first look starts its own opening, and the link
    waits for it before it opens the continuation's text (it had shown the newest text's main text)."""
    from gui_windows import WAIT_MS

    window = make_window()  # (mode: chat)
    document, liked, _disliked, label = _disagreeing_continuations_named(qtbot, window)
    label.linkActivated.emit(f"-{liked}")
    qtbot.waitUntil(lambda: window.text.document_id == document and window.text.tree.shown == liked, timeout=WAIT_MS)
    assert window.mode == "text"
