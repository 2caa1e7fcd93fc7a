"""ux10 (a new person's walk through the window): the compare view's end of an answer, the
fine-tune report's words on new questions, exports of an answer not written yet, where the
keyboard shortcuts are found, the dialogs' buttons, and the status bar while a run cancels."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _record(token_id, text, prob, top):
    from desktop_app.core.records import Alternative, TokenRecord

    return TokenRecord(id=token_id, text=text, logprob=math.log(prob), rank=1, entropy=1.0,
                       top=tuple(Alternative(i, t, p) for i, t, p in top))


def test_the_end_of_an_answer_did_not_take_its_own_place():
    """Compare said "“⏎ end” took the place of “<|im_end|>”: before <|im_end|> 78% · ⏎ end 78%":
    the end cell's text is not the token's, so the same token read as two."""
    from desktop_app.gui.compare_words import END_CELL, displaced_words
    from desktop_app.gui.token_view import token_label

    end_id = 2
    before = _record(end_id, END_CELL, 0.78, [(end_id, "<|im_end|>", 0.78), (7, " It", 0.04)])
    after = _record(end_id, END_CELL, 0.99, [(end_id, "<|im_end|>", 0.99), (8, " I", 0.001)])
    assert displaced_words(before, after, token_label) == ""
    # where the end did push out another first choice, it is named as the view names it
    before = _record(end_id, END_CELL, 0.30, [(7, " It", 0.50), (end_id, "<|im_end|>", 0.30)])
    words = displaced_words(before, after, token_label)
    assert "<|im_end|>" not in words
    assert "took the place of" in words and words.count(token_label(END_CELL)) == 3
