"""The Fine-tune tab after a run, as usertest 40 met it (pytest-qt, the tiny random GPT-2, the real
SQLite store, real windows): the ready line's figures add up to its ratings or say why, the result
card says what it shows, Advanced scrolls into view, the keyboard after a better answer."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401
from test_gui_finetune_again import kept_run  # noqa: E402


def _kept_run(qtbot, window, tmp_path, trained: int, held: int, **more) -> int:
    """A kept run (test_gui_finetune_again's) that learned from ``trained`` examples and held ``held`` out
    (``more``: other figures). Returns its id."""
    metrics = {"margin_before": 0.6, "margin_after": 0.9, "probe_ppl_before": 28.0, "probe_ppl_after": 28.0,
               "gate_margin_on": "heldout", "heldout_size": held, "train_size": trained, **more}
    return kept_run(qtbot, window, tmp_path, minutes=3, seconds=0, metrics=metrics)[0]


def test_the_used_line_says_why_its_examples_are_fewer_than_the_ratings(make_window, qtbot, tmp_path):
    """"15 ratings in all ... Run 2 used all of them: 12 to learn from, 2 to test the result": the
    tokens rated in one answer train as one example, and nothing said so."""
    window = make_window(max_new_tokens=6)
    store = window.chat.store
    store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    window.new_conversation()
    rated = ask(qtbot, window, "Why?")["message_id"]
    store.rate_token(rated, 0, 1)
    store.rate_token(rated, 2, -1)
    run = _kept_run(qtbot, window, tmp_path, trained=1, held=1)
    text = window.finetune_panel.ready_label.text()
    assert "3 ratings in all" in text
    assert (f"Run {run} used all of them, 3 ratings as 2 examples (the tokens rated in one answer are one "
            f"example): 1 to learn from, 1 to test the result") in text


def _asked_again(rated: int) -> list[dict]:
    """A run's re-asks: ``rated`` rated questions, each giving the person's answer, a question never
    rated and an open request."""
    pairs = [{"question": f"What is question {i}?", "seen": True, "checked": True, "dropped_after": False,
              "before": "A long ramble.", "after": f"Answer {i}.", "right": f"Answer {i}."} for i in range(rated)]
    return pairs + [{"question": "What is the capital of France?", "seen": False, "before": "Paris.",
                     "after": "Paris."},
                    {"question": "Write a short story about a robot.", "seen": False, "open": True,
                     "before": "A robot found a brush.", "after": "Pixel painted a sunrise."}]


def test_the_card_says_which_questions_it_shows_as_its_cards_do(make_window, qtbot, tmp_path):
    """"4 rated questions: 3 give your answer; 3 of them shown below" over a card whose third answer was a
    question never rated: "3 of them" read as the 3 that give the answer, and the new ones went unsaid."""
    window = make_window(max_new_tokens=6)
    window.chat.store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    _kept_run(qtbot, window, tmp_path, trained=1, held=0, taught=_asked_again(4))
    window.show_finetune()
    panel = window.finetune_panel
    panel.show_last_run()
    cards = panel.taught.pairs
    rated_cards = sum(1 for p in cards if p.get("seen"))
    assert (rated_cards, len(cards) - rated_cards) == (3, 2)
    body = panel.result_body.text()
    assert "all 4 give your answer; below, before and after: 3 of the 4 and 2 questions you never rated" in body
    assert "3 of them shown below" not in body


def _shown_in_panel(panel, widget) -> bool:
    """``widget``'s whole height lies inside the panel's viewport."""
    top = widget.mapTo(panel.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + widget.height() <= panel.viewport().height()


def test_opening_advanced_scrolls_the_panel_to_show_it(make_window, qtbot, tmp_path):
    """"▸ Advanced" at the bottom of a panel with a run's card opened below its fold: two of its four
    fields showed."""
    window = make_window(max_new_tokens=6)
    window.chat.store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    _kept_run(qtbot, window, tmp_path, trained=1, held=0, taught=_asked_again(4))
    window.resize(1024, 600)
    window.show_finetune()
    panel = window.finetune_panel
    panel.show_last_run()
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    panel.verticalScrollBar().setValue(0)
    assert not _shown_in_panel(panel, panel.advanced_button), "Advanced starts below the fold"
    panel.advanced_button.setChecked(True)
    qtbot.waitUntil(lambda: _shown_in_panel(panel, panel.advanced), timeout=5_000)
    assert panel.heldout.isVisible() and _shown_in_panel(panel, panel.heldout)
