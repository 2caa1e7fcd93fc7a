"""The chat's controls that wait for a running answer all say so in the same words, each ending
with what the control does once the answer is done (gui/off_words.ANSWERING)."""

from __future__ import annotations

from desktop_app.gui import off_words as ow

WAIT = "An answer is being written: wait for it, or Stop it (Esc), "


def test_every_control_waiting_for_an_answer_says_the_same_then_what_it_does():
    busy = ow.ButtonsFacts(answering=True, model=True, has_text=True, has_prompt=True, loaded=True)
    tips = [ow.send_tip(busy), ow.regenerate_tip(busy), ow.model_tip(busy, "tiny"),
            ow.sibling_tip(1, 1, 2, answering=True), *ow.conversation_tips(True).values()]
    assert tips == [WAIT + "to send another prompt", WAIT + "to ask for another", WAIT + "to choose another model",
                    WAIT + "to see this prompt's other answers", WAIT + "to start a new conversation",
                    WAIT + "to search the conversations", WAIT + "to open another conversation",
                    WAIT + "to open another conversation"]


def test_text_modes_controls_wait_for_a_continuation_in_the_same_words():
    busy = ow.TextFacts(continuing=True, on_continuation=True)
    assert ow.continue_tip(busy) == "A continuation is being written: wait for it, or Stop it (Esc), to continue again"
    assert ow.rate_branch_tip(busy, "Rate") == ow.WRITING + "to rate it" and ow.WRITING.startswith("A continuation")
