"""A run's card in words, without widgets (gui.finetune_words.run_card, which the Fine-tune
panel shows): its title follows which adapter is in use now and whether the run's is still there."""

from __future__ import annotations

from desktop_app.core.train_verdict import CONSENT_USED, USE_ANYWAY
from desktop_app.gui.finetune_words import run_card

KEPT = {"margin_before": 0.1, "margin_after": 0.9}


def test_a_kept_adapter_in_use_has_the_runs_own_title():
    card = run_card("kept", "better", KEPT, 3, None, 3, {1, 3})
    assert card.now == "adapter 3" and not (card.gone or card.waiting or card.used_anyway)
    assert "in use now" not in card.title


def test_a_kept_adapter_not_in_use_or_deleted_says_what_is_in_use_now():
    assert run_card("kept", "better", KEPT, 3, None, 1, {1, 3}).title == "Kept as adapter 3; adapter 1 is in use now"
    gone = run_card("kept", "better", KEPT, 3, None, None, {1})
    assert gone.gone and gone.title == "Kept, but that adapter has been deleted since; the base model is in use now"


def test_an_adapter_waiting_for_the_persons_word_and_one_used_anyway():
    waiting = run_card("discarded", "loops", {USE_ANYWAY: True}, 4, None, None, {4})
    assert waiting.waiting and not waiting.used_anyway
    used = run_card("discarded", "loops", {USE_ANYWAY: True, "consent": CONSENT_USED}, 4, None, 4, {4})
    assert used.used_anyway and not used.waiting and used.title.startswith("Discarded by the check, used anyway")


def test_a_note_with_a_title_puts_the_runs_title_under_its_line():
    card = run_card("kept", "better", KEPT, 3, ("A later run was cancelled", "Run 5 stopped."), 3, {3})
    own = run_card("kept", "better", KEPT, 3, None, 3, {3})
    assert card.title == "A later run was cancelled"
    assert card.body.startswith(f"Run 5 stopped.<br><b>{own.title}</b>")
