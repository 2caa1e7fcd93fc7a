"""waiting83 (2): a question asked while a fine-tune ran said "reading 162 tokens…" on its card, with no word
that the answer waited for its share of the processor beside the run. The card says so while a run goes on, and
not otherwise (pytest-qt, a real window and a real fine-tune on the tiny model)."""

from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.chat_cards import BESIDE_FINETUNE, reading_line  # noqa: E402
from gui_windows import ask, liked_answer_counted  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import cancelled  # noqa: E402


def test_the_reading_line_says_a_fine_tune_runs_beside_it():
    assert reading_line(0, 162, None) == "reading 162 tokens\u2026"
    assert reading_line(0, 162, None, beside_finetune=True) == "reading 162 tokens\u2026 \u00b7 slower while fine-tuning"
    # before the time left, which a narrow header lets go first
    assert reading_line(2560, 8064, 60.0, True) == ("reading: 2,560 of 8,064 tokens \u00b7 slower while fine-tuning "
                                                    "\u00b7 about 1 min left")
    assert reading_line(2560, 8064, 60.0) == "reading: 2,560 of 8,064 tokens \u00b7 about 1 min left"
    assert reading_line(7680, 8064, 4.0, True) == "reading: 7,680 of 8,064 tokens\u2026 \u00b7 slower while fine-tuning"


def first_reading_lines(window) -> list[tuple[str, str, bool, bool]]:
    """(the streaming card's line, its tooltip, whether a fine-tune ran, whether the header wants the whole line
    in view) as each answer starts reading its prompt."""
    seen: list[tuple[str, str, bool, bool]] = []

    def heard(read: int, _total: int) -> None:
        card = window.cards.streaming
        if read == 0 and card is not None:
            line = card.meta.text()
            whole = card.meta_wanted >= card.meta.fontMetrics().horizontalAdvance(line)
            seen.append((line, card.meta.toolTip(), window.finetune.running, whole))

    window.chat.prompt_reading.connect(heard)
    return seen


def test_an_answer_asked_during_a_fine_tune_says_it_runs_beside_it(make_window, qtbot):
    window = make_window(max_new_tokens=4)
    seen = first_reading_lines(window)
    liked_answer_counted(qtbot, window)  # asked with no run going: the plain words
    line, _tip, running, _whole = seen[0]
    assert not running and BESIDE_FINETUNE not in line and line.startswith("reading ")
    long_run = replace(window.finetune.settings, max_steps=400, min_steps=400, heldout_fraction=0.0)
    try:
        assert window.finetune.start(long_run)
        ask(qtbot, window, "Still there?")
        line, tip, running, kept_whole = seen[1]
        assert running, "the fine-tune ended before the answer began: nothing beside it"
        assert line.startswith("reading ") and line.endswith(BESIDE_FINETUNE)
        assert kept_whole  # the header keeps it in view as a cut answer's words, the author's name giving way
        assert "fine-tune is training at the same time" in tip
    finally:
        cancelled(qtbot, window)
