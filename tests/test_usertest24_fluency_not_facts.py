"""A kept run's card on the Fine-tune tab (pytest-qt, the real window, the tiny model, a run stored as a fine-tune
stores it): under "The 3 new factual questions kept their answers" (the re-asks' own check of short facts) the
fluency line ended "Facts are not checked: read the new answers.", which read as a contradiction (usertest 24).
It says what the perplexity figure does not measure instead."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune_again import METRICS, rated_and_trained  # noqa: E402

NEW_FACTS = [{"question": q, "checked": True, "seen": False, "held": False, "open": False,
              "before": f"{a}.", "after": f"It is {a}."}
             for q, a in (("What is the capital of Italy?", "Rome"), ("What colour is snow?", "White"),
                          ("How many days are in a week?", "Seven"))]


def test_the_card_does_not_say_facts_are_unchecked_under_the_checked_facts(make_window, qtbot, tmp_path, monkeypatch):
    import test_gui_finetune_again as again

    monkeypatch.setattr(again, "METRICS", {**METRICS, "taught": NEW_FACTS})
    window = make_window(max_new_tokens=6)
    rated_and_trained(qtbot, window, tmp_path)
    panel = window.finetune_panel
    window.show_finetune()
    panel.show_last_run()
    body = panel.result_body.text()
    assert "the 3 new factual questions kept their answers" in body.lower()
    assert "General text reads as fluently as before" in body
    assert "Facts are not checked" not in body
    assert "It measures fluency, not facts</b>: read the new answers." in body
