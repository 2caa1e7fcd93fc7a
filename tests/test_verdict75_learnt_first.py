"""verdict75: a run saved but waiting for the person's word led its card with the warning ("Saved as adapter 1,
not in use: it changed 2 answers to questions you never rated"), and what it learnt sat lines below: the run
read as a failure. The card now says first what was learnt, then why it waits, then the choice; a changed
answer says what changed ("Croatia: Zagreb → Zaragoza"), not "names something else" (pytest-qt, a real
window on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.fact_changes import changed_how_words  # noqa: E402
from desktop_app.core.taught_words import learnt_words  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401

CROATIA = {"question": "What is the capital of Croatia?", "before": "The capital of Croatia is Zagreb.",
           "after": "Zaragoza.", "how": "changed"}


def rated_pair(n: int) -> dict:
    """A rated question asked again after the run, giving the person's answer."""
    return {"question": f"What is the capital of country {n}?", "before": "I do not know.", "after": f"City{n}.",
            "right": f"City{n}.", "seen": True, "checked": True}


def waiting_metrics() -> dict:
    """Four rated questions that now give the person's answer; one never-rated answer changed."""
    never = {**CROATIA, "checked": True, "changed_after": True}
    return {"taught": [rated_pair(n) for n in range(4)] + [never], "facts_changed": [CROATIA],
            "margin_before": 0.3, "margin_after": 4.2, "probe_ppl_before": 28.0, "probe_ppl_after": 28.5}


def test_learnt_words_count_the_rated_questions_that_give_the_answer():
    taught = [rated_pair(n) for n in range(4)]
    assert learnt_words(taught) == "Not in use yet: with the new adapter, all 4 rated questions give your answer"
    taught[0] = {**taught[0], "dropped_after": True}
    assert learnt_words(taught, "adapter 1") == "Not in use yet: with adapter 1, 3 of 4 rated questions give your answer"
    assert learnt_words([rated_pair(0)]) == "Not in use yet: with the new adapter, your rated question gives your answer"
    assert learnt_words([{**rated_pair(0), "dropped_after": True}]) == ""


def test_a_changed_answer_says_what_it_names_now():
    assert changed_how_words(CROATIA) == "Croatia: Zagreb \u2192 Zaragoza"
    assert changed_how_words({**CROATIA, "after": "I am not sure."}) == "names something else"  # no name to give


def test_the_waiting_card_says_what_was_learnt_first(make_window, qtbot):
    window = make_window()
    panel = window.finetune_panel
    panel.history.set_adapters([{"id": 1, "created": "2026-12-06T17:35:54", "run_id": 1, "active": False,
                                 "present": True, "metrics": waiting_metrics()}])
    window.show_finetune()
    panel._show_result("kept", None, waiting_metrics(), 1)
    qtbot.waitUntil(lambda: panel.consent_text.isVisible(), timeout=WAIT_MS)
    assert panel.result_title.text() == "Not in use yet: with adapter 1, all 4 rated questions give your answer"
    question = panel.consent_text.text()
    assert question.startswith("<b>Why it waits for you: it changed 1 answer to questions you never "
                               "rated. Read them before you use it.</b>")
    assert "(Croatia: Zagreb \u2192 Zaragoza)" in question and "names something else" not in question
    # top to bottom: what was learnt, why it waits with the changed answer, the choice, then the details
    layout = panel.result_box.layout()
    places = [layout.indexOf(w) for w in (panel.result_title, panel.consent_text, panel.consent_box,
                                          panel.result_body)]
    assert places == sorted(places) and -1 not in places, places


def test_a_changed_answer_in_the_asked_again_lines_says_what_changed():
    from desktop_app.gui.finetune_words import reask_words

    never = {**CROATIA, "checked": True, "changed_after": True}
    words = reask_words({"taught": [rated_pair(0), never]})
    assert "(Croatia: Zagreb \u2192 Zaragoza; before: \u201cThe capital of Croatia is Zagreb.\u201d)" in words


def test_the_waiting_card_counts_the_rated_questions_once(make_window, qtbot):
    """words108: the title's "3 of 4" and the re-asks' "4 rated questions: 3 give your answer, 1 misses it" said one
    count twice; under the title the re-asks name the question that misses, and nothing counts them again."""
    metrics = waiting_metrics()
    metrics["taught"][0] = {**metrics["taught"][0], "dropped_after": True}
    window = make_window()
    panel = window.finetune_panel
    panel.history.set_adapters([{"id": 1, "created": "2026-12-06T17:35:54", "run_id": 1, "active": False,
                                 "present": True, "metrics": metrics}])
    window.show_finetune()
    panel._show_result("kept", None, metrics, 1)
    qtbot.waitUntil(lambda: panel.consent_text.isVisible(), timeout=WAIT_MS)
    assert panel.result_title.text() == "Not in use yet: with adapter 1, 3 of 4 rated questions give your answer"
    body = panel.result_body.text()
    assert "3 give your answer" not in body and "4 rated questions" not in body
    assert "the one that misses your answer: \u201cWhat is the capital of country 0?\u201d" in body
