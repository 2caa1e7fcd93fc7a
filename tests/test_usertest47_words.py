"""usertest47: a secondary-school teacher new to language models rated four geography answers and fine-tuned.
(1) "token", "adapter", "base model", "kept aside" and "loss" were on every card and in the Fine-tune tab, and
F1's second tab had figures only; (2) "3 of your 4 ratings to learn from, 1 kept aside to test the result" said
neither why nor which, with nothing on hover; (3) the Fine-tune button promised "about 1-3 min" on a processor
two other programs shared, and the run took about ten (pytest-qt where a widget says it, a real window on the
tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.run_estimate import estimate_words  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


# ---------------------------------------------------------------- 1. F1 names the words, not only the figures

def test_f1_says_what_token_adapter_base_model_kept_aside_and_loss_mean(qtbot):
    from desktop_app.gui.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(1) == "What the words and figures mean"
    words = dialog.figures.toPlainText()
    for name in ("token", "base model", "fine-tune, adapter", "kept aside (held-out)", "loss"):
        assert f"\n{name}" in f"\n{words}", name  # each a row's name, at a line's start
    assert "the base model itself is not changed" in words
    assert "go back to the base model" in words
    assert "practised in class. A new adapter" in words  # the tooltip's line break is a space here
    assert "what the words and figures mean" in dialog.browser.toPlainText()


# ---------------------------------------------------------------- 2. "kept aside" says why on hover

def test_the_kept_aside_line_says_on_hover_what_kept_aside_means(make_window, qtbot):
    window = make_window()
    panel = window.finetune_panel
    panel.on_progress(TrainProgress("preparing", message="Reading ratings", step=0, total=4, split=(3, 1)))
    assert panel.split_note.text() == "3 of your 4 ratings to learn from, 1 kept aside to test the result"
    tip = panel.split_note.toolTip()
    assert "does not train on" in tip and "drawn at random" in tip and "checks the result" in tip
    assert len(tip.splitlines()) == 2 and all(len(line) < 140 for line in tip.splitlines())  # two lines, not one as wide as the screen


# ---------------------------------------------------------------- 3. a busy processor's first run: longer

def test_a_first_run_on_a_busy_processor_is_said_to_take_longer():
    from desktop_app.core.run_estimate import processor_busy

    idle = estimate_words(4)
    assert idle == "A fine-tune on your 4 ratings takes about 1-3 min on this computer's processor"
    assert estimate_words(4, busy=1.1) == idle  # within the estimate's own spread
    busy = estimate_words(4, busy=3.25)  # two other programs on the core, as measured in usertest47
    assert busy == ("A fine-tune on your 4 ratings takes about 4-9 min on this computer's processor "
                    "(longer than usual: other programs keep it busy)")
    # a measured run already took its computer's load in its time, and a graphics card is not the processor
    last = {"elapsed_s": 180.0, "train_size": 3, "heldout_size": 1}
    assert estimate_words(4, last, busy=3.25) == estimate_words(4, last)
    assert estimate_words(4, on_processor=False, busy=3.25) == estimate_words(4, on_processor=False)
    assert processor_busy() >= 1.0


# ---------------------------------------------------------------- 4. a token rated alone is no dislike

def test_a_question_rated_by_a_token_alone_is_not_said_to_be_disliked():
    from desktop_app.core import reasking
    from desktop_app.core.finetune_effect import taught
    from desktop_app.core.taught_words import unchecked_why

    # the teacher rated one token of "The longest river in Africa is the Nile River." good, and no thumb
    after = [reasking.Reask("Which is the longest river in Africa?", "The longest river in Africa is the Nile.", None)]
    pair = taught(["The longest river in Africa is the Nile River."], after, unseen_from=1, rights=(None,))[0]
    why = unchecked_why(pair)
    assert not pair["checked"] and why
    assert "only disliked" not in why
    assert why.startswith("there is no answer of yours to compare with") and "rated only some of its tokens" in why


# ---------------------------------------------------------------- 5. the way on says what an epoch is

@pytest.mark.parametrize("reason, gloss", [
    ("the held-out margin did not move the right way (1.38 -> 1.20)", ["epochs under Advanced (how many times"]),
    ("general-text perplexity rose 9.0% (30 -> 32.7), more than the 5% allowed",
     ["the learning rate: how far each step moves the model", "the epochs: how many times training reads"]),
    ("3 of 12 re-asked answers degenerated (loop); before training 0 did", ["how far each step moves the model"]),
])
def test_a_discarded_runs_way_on_says_what_the_settings_it_names_are(reason, gloss):
    from desktop_app.gui.finetune_words import next_step_words

    words = next_step_words(reason)
    assert all(g in words for g in gloss), words


# ---------------------------------------------------------------- 6. "1 for an answer you disliked"

def test_the_ready_line_says_one_of_two_better_answers_is_for_an_answer_disliked(store):
    from desktop_app.core.train_counts import readiness
    from desktop_app.gui.ready_words import ready_words

    # the teacher's walk: a better answer for an answer not disliked, then one for the answer they disliked
    conversation = store.create_conversation("geography")
    parent = None
    for question, better, down in (("What is the highest mountain in Europe?", "Mount Elbrus.", False),
                                   ("Why is the Sahara so dry?", "It lies under dry, sinking air.", True)):
        asked = store.add_message(conversation, "user", question, parent_id=parent)
        parent = store.add_message(conversation, "assistant", "An answer.", parent_id=asked)
        if down:
            store.rate_message(parent, -1)
        store.set_correction(parent, better)
    words = ready_words(readiness(store))
    assert "2 better answers you wrote (1 for an answer you disliked)" in words, words
