"""A very long prompt (user test: ~70 KB pasted as a question) shows folded on its card: its first lines
and "Show all N lines", not one card as tall as the whole transcript; the button shows it all, then less.
Folded, only the shown part is laid out (the card's document holds it and no more), scored or not."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.prompt_fold import FOLD_CHARS, fold_at, records_within, show_all_words  # noqa: E402
from gui_windows import WAIT_MS, answered_window  # noqa: E402

LINE = "The lighthouse keeper counted the waves every night and wrote their number in a book."
LONG = "\n".join(f"{n}. {LINE}" for n in range(800))  # ~70 KB, 800 lines


def test_a_short_prompt_is_not_folded_and_a_long_one_is_cut_after_a_word():
    assert fold_at("Hello, how are you?") is None
    assert fold_at("\n".join(["a line"] * 9)) is None, "a few lines past the fold are shown whole"
    cut = fold_at(LONG)
    assert cut is not None and cut <= FOLD_CHARS and LONG[cut] in " \n"
    one_line = " ".join([LINE] * 800)
    assert fold_at(one_line) <= FOLD_CHARS and one_line[fold_at(one_line)] == " "
    assert show_all_words(LONG) == "Show all 800 lines"
    assert show_all_words(one_line) == f"Show all {len(one_line):,} characters"
    assert records_within(2, [3, 3, 3], 8) == 2


def _prompt_card(window):
    return next(c for c in window.transcript.cards if c.role == "user")


def test_a_70_kb_prompt_shows_folded_and_unfolds_on_its_button(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        window.prompt.setPlainText(LONG)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
        card = [c for c in window.transcript.cards if c.role == "user"][-1]
        shown = card.view.document().toPlainText()
        assert len(shown) < 2 * FOLD_CHARS and shown.startswith("0. The lighthouse") and shown.endswith("\u2026")
        assert card.view.height() < 300, "folded, the card leaves room on screen for its answer"
        button = card.fold_button
        assert button.isVisible() and button.text() == "Show all 800 lines"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert card.view.document().toPlainText() == LONG and button.text() == "Show less"
        assert card.view.height() > 5_000
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert card.view.document().toPlainText() == shown and button.text() == "Show all 800 lines"
        first = _prompt_card(window)
        assert getattr(first, "fold_button", None) is None, "a short prompt has no button"


def test_a_scored_long_prompt_lays_out_only_its_shown_tokens(qtbot, qapp, tiny_model_dir):
    long = "\n".join(LONG.split("\n")[:100])  # (scoring 70 KB takes the tiny model a minute)
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        window.prompt.setPlainText(long)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
        card = [c for c in window.transcript.cards if c.role == "user"][-1]
        with qtbot.waitSignal(window.chat.prompt_scored, timeout=WAIT_MS):
            window.legend.score_prompts.setChecked(True)
        qtbot.waitUntil(lambda: bool(card.view.records), timeout=WAIT_MS)
        records, prefix = card.prompt_parts
        assert len(prefix) + sum(len(r.text) for r in records) == len(long), "the whole prompt was scored"
        assert 0 < len(card.view.records) < len(records) / 10
        assert len(card.view.document().toPlainText()) < 2 * FOLD_CHARS
        assert card.fold_button.isVisible() and card.fold_button.text() == "Show all 100 lines"
