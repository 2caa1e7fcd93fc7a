"""usertest44: six better answers written, and the run's card said "Asked again after training: 4 rated
questions: all 4 give your answer", nowhere why four. A run asks again a few of the questions it learned
from (and the ones kept out to test it), not all: the card now says so where it asked fewer than were rated
(pytest-qt, a real window, store and run on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QLabel  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from desktop_app.gui import ratings as ratings_module  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401
from test_gui_finetune import FAST, TRAIN_MS, settle  # noqa: E402,F401

BETTER = {"What is the capital of Peru?": "Answer: Lima.", "What is the capital of France?": "Answer: Paris.",
          "What is the capital of Japan?": "Answer: Tokyo."}


def write_better_answers(qtbot, window, monkeypatch) -> None:
    """Each question asked in a conversation of its own, and a better answer written in one style. The
    dialog's text is set where the person types it (its exec, modal, would wait for them)."""
    wanted = {}

    def typed(dialog):
        dialog.editor.setPlainText(wanted["text"])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ratings_module.CorrectionDialog, "exec", typed)
    for question, answer in BETTER.items():
        window.new_conversation()
        ask(qtbot, window, question)
        wanted["text"] = answer
        qtbot.mouseClick(answer_cards(window)[-1].rating.correct_button, Qt.MouseButton.LeftButton)
    settle(window)


def card_words(panel) -> str:
    return "\n".join(label.text() for label in panel.result_box.findChildren(QLabel) if label.isVisible())


def test_the_card_says_a_run_asks_again_only_a_few_of_the_rated_questions(make_window, qtbot, monkeypatch):
    window = make_window(max_new_tokens=16)
    panel = window.finetune_panel
    write_better_answers(qtbot, window, monkeypatch)
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=5000)
    panel.set_settings(FineTuneSettings(**FAST))  # two rated questions asked again, none held out
    window.show_finetune()
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    settle(window)
    assert len(result.metrics["trained_groups"]) == 3
    words = card_words(panel)
    assert "Asked again after training:" in words and "2 rated questions" in words
    assert "; a run asks again only a few of the 3 you rated" in words, words
