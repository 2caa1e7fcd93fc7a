"""readme71: Ctrl+R in the Text tab wrote the very continuation shown again, and the tree gained a branch that
looked like none with nothing said (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.text_notes import WRITTEN_AGAIN, written_again  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def _branch(id_, text, parent=None, start=10):
    return {"id": id_, "parent_id": parent, "start": start, "text": text}


def test_only_a_sibling_at_the_same_place_with_the_same_text_is_written_again():
    by_id = {1: _branch(1, " and then"), 2: _branch(2, " and then"), 3: _branch(3, " and so"),
             4: _branch(4, " and then", start=11), 5: _branch(5, " and then", parent=1)}
    assert written_again(by_id, 2) == WRITTEN_AGAIN
    assert written_again(by_id, 3) is None  # other words
    assert written_again(by_id, 4) is None  # another place
    assert written_again(by_id, 5) is None  # another parent
    assert written_again(by_id, None) is None


def test_a_regenerated_continuation_the_same_word_for_word_says_so(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        # sampled, not greedy or seeded (those are said at the click), yet with one token to choose from
        window.chat.settings = replace(window.chat.settings, top_k=1, temperature=1.0, seed=None, greedy=False)
        for click in (view.continue_button.click, view.regenerate_button.click):
            with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
                with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
                    click()
        tree = window.text.tree
        shown = tree.by_id[tree.shown]
        assert [b["text"] for b in tree.children(shown["parent_id"])].count(shown["text"]) == 2
        assert window.statusBar().currentMessage().startswith(WRITTEN_AGAIN)
