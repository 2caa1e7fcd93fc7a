"""Text mode's ratings in the Fine-tune tab's words (pytest-qt, the tiny random GPT-2, a real store):
the count tiles name continuations as continuations, answers as answers, and both kinds with a
neutral word; the ready line's tooltip and its "new since" say the same."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QLabel  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.ready_words import headline_words, same_ratings_words  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401
from test_counts39_gui_counts import recount  # noqa: E402
from test_text36_usertest12 import continued  # noqa: E402


def captions(panel) -> dict[str, str]:
    """Each tile's words under its number (not its note)."""
    return {key: next(label.text() for label in tile.findChildren(QLabel)
                      if label.objectName() == "Muted" and label is not tile.note)
            for key, tile in panel.tiles.items()}


def liked_chat_answer(store, corrected: bool = False) -> int:
    conversation = store.create_conversation("q")
    question = store.add_message(conversation, "user", "What is the capital of France?")
    answer = store.add_message(conversation, "assistant", "Paris.", parent_id=question)
    store.rate_message(answer, 1)
    if corrected:
        store.set_correction(answer, "Paris, on the Seine.")
    return answer


def test_text_mode_tiles_and_tooltips_name_continuations_not_answers(window, qtbot):
    view, store, panel = window.text_view, window.text.store, window.finetune_panel
    continued(qtbot, window)
    view.branch_panel.down_button.click()  # 👎 the continuation
    settle(window)
    assert tb.branch_ratings(store, window.text.tree.shown)["thumbs"] == -1
    tb.set_correction(store, window.text.tree.shown, " and the lamp burned all night.")
    counts = recount(qtbot, window)
    # a recount the 👎 started may answer the wait above with counts from before the better continuation
    qtbot.waitUntil(lambda: panel.tiles["corrections"].note.text() != "", timeout=WAIT_MS)
    counts = panel.counts
    assert captions(panel) == {"thumbs_up": "good continuations", "thumbs_down": "bad continuation",
                               "token_ratings": "rated tokens", "corrections": "better continuation"}
    assert panel.tiles["corrections"].note.text() == "for a disliked one"  # under "better continuations"
    assert panel.tiles["thumbs_down"].note.text() == "with a better one"  # the 👎 counted (usertest26)
    tips = {key: tile.toolTip() for key, tile in panel.tiles.items()}
    assert tips["thumbs_down"] == ("Continuations you disliked (👎); 1 of them also has a better continuation you "
                                   "wrote, which the model learns to prefer over it")
    assert tips["corrections"] == "Better continuations you wrote"
    details = panel.ready_label.toolTip()
    assert "A better continuation you wrote" in details and "a liked continuation becomes likelier" in details
    assert "answer" not in details + "".join(tips.values()) + "".join(captions(panel).values())
    counts = {**counts, "last_run": 1, "new_since_run": 1}
    assert headline_words(counts).startswith("<b>1 new rating or better continuation since run 1</b>")

    # a liked answer in the chat: its tile says answers, the better ones' tile still continuations
    liked_chat_answer(store)
    recount(qtbot, window)
    # a recount asked before the liked answer may answer the wait with its counts; the store lane answers in order
    qtbot.waitUntil(lambda: captions(panel)["thumbs_up"] == "good answer", timeout=WAIT_MS)
    assert panel.tiles["thumbs_up"].toolTip() == "Answers you liked (👍)"
    assert captions(panel)["corrections"] == "better continuation"
    # a better answer too: both kinds under one tile, in a word that fits both
    liked_chat_answer(store, corrected=True)
    recount(qtbot, window)
    qtbot.waitUntil(lambda: captions(panel)["corrections"] == "better ones", timeout=WAIT_MS)
    counts = panel.counts
    # the better answer is for an answer the person liked: mixed (words67), each tile says so
    assert panel.tiles["corrections"].toolTip().startswith("Better answers and continuations you wrote; 1 of them "
                                                           "for one you liked: mixed signals.")
    assert panel.tiles["corrections"].note.text() == "1 for a disliked one; 1 mixed, for a liked one"
    assert "a liked answer or continuation becomes likelier" in panel.ready_label.toolTip()


def test_the_question_before_a_repeat_names_what_the_person_rated():
    counts = {"total": 2, "ratings": 2, "thumbs_up": 2, "text_thumbs_up": 2, "last_run": 1, "new_since_run": 0,
              "last_run_trained": 2, "last_run_heldout": 0}
    assert same_ratings_words(counts)[1].endswith("rate more continuations or write better ones first.")
    counts["thumbs_up"] = 3
    assert same_ratings_words(counts)[1].endswith("rate more answers or continuations, or write better ones first.")
