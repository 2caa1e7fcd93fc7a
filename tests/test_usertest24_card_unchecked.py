"""The run card's unchecked rated questions (pytest-qt, the real window's Fine-tune tab, the tiny model, a run
stored as a fine-tune stores it; usertest 24):
- with 4 rated questions not checked automatically and 3 of them on the card, "read “A”, “B” and “C” below;
  1 more is not among them" read as if "them" were the three just named: the fourth is said not to be shown;
- the whole sentence was bold, seven lines of the narrow panel with every question and its reason: the count is
  bold, the questions and reasons plain."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune_again import METRICS, rated_and_trained  # noqa: E402
from test_polish36_card_words import HOW_TO, _run  # noqa: E402


def _card_after_how_to_run(make_window, qtbot, tmp_path, monkeypatch) -> str:
    """The card's text after a run whose rated questions are four how-to answers (not checked automatically)."""
    import test_gui_finetune_again as again

    monkeypatch.setattr(again, "METRICS", {**METRICS, "taught": _run(HOW_TO)})
    window = make_window(max_new_tokens=6)
    rated_and_trained(qtbot, window, tmp_path)
    window.show_finetune()
    window.finetune_panel.show_last_run()
    return window.finetune_panel.result_body.text()


def test_the_fourth_unchecked_question_is_said_not_to_be_shown(make_window, qtbot, tmp_path, monkeypatch):
    body = _card_after_how_to_run(make_window, qtbot, tmp_path, monkeypatch)
    assert "4 rated questions are not checked automatically" in body
    assert "below; 1 more is not shown here" in body and "not among them" not in body


def test_only_the_count_of_unchecked_questions_is_bold(make_window, qtbot, tmp_path, monkeypatch):
    body = _card_after_how_to_run(make_window, qtbot, tmp_path, monkeypatch)
    assert "<b>4 rated questions are not checked automatically</b> (each a how-to answer): read \u201c" in body
    sentence = body[body.index("4 rated questions"):]
    sentence = sentence[:sentence.index("not shown here")]
    assert "<b>" not in sentence and "</b>" in sentence and sentence.count("</b>") == 1
