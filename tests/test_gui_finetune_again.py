"""A second fine-tune on the same ratings (pytest-qt, offscreen, the tiny random GPT-2, the real
SQLite store): the panel says how the last run used them (learned from / held out to test),
asks before training on them again, and a cancelled run leaves the last report readable; the
report says what its perplexity check measures (fluency, not facts)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from gui_windows import answer_modal  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401

TRAIN_MS = 120_000
METRICS = {"margin_before": 0.605, "margin_after": 0.938, "probe_ppl_before": 28.06, "probe_ppl_after": 27.98,
           "gate_margin_on": "heldout", "heldout_size": 1, "train_size": 2}


def rated_and_trained(qtbot, window, tmp_path, minutes=13, seconds=41):
    """Three rated answers in two conversations, then a kept run (as a fine-tune stores it) that
    learned from 2 and held 1 out, and took ``minutes:seconds``."""
    store = window.chat.store
    for text in ("Hello", "Hi"):
        store.rate_message(ask(qtbot, window, text)["message_id"], 1)
    window.new_conversation()
    store.rate_message(ask(qtbot, window, "Why?")["message_id"], -1)
    return kept_run(qtbot, window, tmp_path, minutes, seconds)


def kept_run(qtbot, window, tmp_path, minutes=13, seconds=41, metrics=None):
    """A kept run over the ratings there are, stored as a fine-tune stores it (``metrics``, else METRICS: 2 learned
    from, 1 held out), that took ``minutes:seconds``, and the window's counts read again. Returns (run id, adapter id)."""
    metrics = metrics or METRICS
    store = window.chat.store
    model_id = window.chat.loaded.model_id
    run = store.create_run({}, model_id)
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    adapter = store.add_adapter(folder, base_model=model_id, run_id=run, metrics=metrics)
    started = datetime.fromisoformat(store.get_run(run)["started"])
    store.update_run(run, status="kept", metrics=metrics, adapter_id=adapter,
                     finished=(started + timedelta(minutes=minutes, seconds=seconds)).isoformat())
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    QApplication.processEvents()
    return run, adapter


def test_ready_line_says_how_the_last_run_used_the_ratings(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    run, _adapter = rated_and_trained(qtbot, window, tmp_path)
    text = window.finetune_panel.ready_label.text()
    assert "Nothing new since run" in text and "3 ratings in all" in text  # counts59: ratings, as the tab counts
    # the report holds one of them out "to test the result": the line above it must agree
    assert f"Run {run} used all of them: 2 to learn from, 1 to test the result" in text
    assert "learned from all of them" not in text


def test_a_second_click_with_nothing_new_asks_first_and_a_cancel_keeps_the_last_report(make_window, qtbot,
                                                                                      tmp_path):
    window = make_window(max_new_tokens=6)
    store = window.chat.store
    run, adapter = rated_and_trained(qtbot, window, tmp_path)
    panel = window.finetune_panel
    window.show_finetune()
    panel.show_last_run()
    assert "preference margin <b>" in panel.result_body.text()  # its figures once, rounded (counts59)
    assert "same ones again" in panel.train_button.toolTip()
    # "Not now": nothing starts, nothing is stored
    seen = []
    answer_modal("Not now", seen)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    question, detail = seen[0]
    assert f"Nothing is new since run {run}" in question and "the same 3 examples" in question
    assert "took 13 min 41 s" in detail and "2 to learn from, 1 to test the result" in detail
    assert not window.finetune.running and len(store.list_runs()) == 1
    assert panel.result_box.isVisibleTo(panel) and "preference margin <b>" in panel.result_body.text()

    # "Train again" starts it; a cancel then leaves run 1's report on the card, not only "Cancelled"
    panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1,
                                        reask_tokens=4))
    # as if run 1 had run with these settings: with others a click is no repeat and asks nothing
    store.update_run(run, settings=panel.settings().to_dict())
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()

    panel.ask_before_cancel = False  # (its question: test_gui_usertest9_fixes)
    def cancel_early(p):
        if p.phase == "training" and p.step >= 1 and panel.phase_label.text() != "Cancelling\u2026":
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    shown = []  # (the panel's phase line, the status bar's) at every report, as the person sees them
    window.finetune.progress.connect(cancel_early)
    window.finetune.progress.connect(lambda _p: shown.append((panel.phase_label.text(),
                                                               window.finetune_side.label.text())))
    answer_modal("Train again", seen)
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert done.args[0].status == "cancelled" and len(seen) == 2, "asked, and trained again"
    # one name per phase, the same in both places ("fine-tuning · training" beside "Computing reference...")
    assert ("Getting ready: scoring your ratings with the model as it is\u2026", "fine-tuning · getting ready") in shown
    for line, status in [pair for pair in shown if not pair[0].startswith("Cancel")]:
        name = status.removeprefix("fine-tuning · ").split(" · ")[0]  # then a count's time left
        if not name.startswith("step "):  # and its count, with what it counts ("getting ready 3/6 answers")
            name = re.sub(r" \d+/\d+.*$", "", name)
        assert line.lower().startswith(name.replace("step ", "training: step ").split("/")[0]), (line, status)
    QApplication.processEvents()
    assert "Cancelled" in panel.result_title.text()
    body = panel.result_body.text()
    assert f"Run {done.args[0].run_id} was cancelled" in body and f"run {run}'s report" in body
    assert "0.60 \u2192 0.94" in body, "the last run's report is still there"
    assert f"Kept as adapter {adapter}" in body, "which run the report is about"
    assert panel.result_box.property("kind") == "note", "a cancelled run's card is not the kept run's green"
    window.finetune.adapters_changed.emit()  # the history redraws the card: the note stays
    QApplication.processEvents()
    assert "Cancelled" in panel.result_title.text() and "was cancelled" in panel.result_body.text()


def test_the_report_says_perplexity_reads_fluency_not_facts():
    from desktop_app.gui.finetune_words import describe_run

    _title, body = describe_run("kept", None, METRICS, 1)
    assert "unharmed" not in body
    assert "General text reads as fluently as before" in body and "It measures fluency, not facts" in body
    _title, body = describe_run("discarded", "perplexity rose", {**METRICS, "probe_ppl_after": 33.0}, None)
    assert "reads less fluently" in body


def test_the_report_says_why_a_run_stopped_before_its_planned_steps():
    from desktop_app.gui.finetune_words import describe_run

    early = {**METRICS, "steps": 12, "schedule": {"updates": 27}, "guard": {"kept_step": 10, "checks": [(12, 30.9)]}}
    _title, body = describe_run("kept", None, early, 1)
    assert "stopped after step 12 of 27" in body and "step 10" in body and "not a fault" in body
    _title, body = describe_run("kept", None, {**early, "steps": 27}, 1)
    assert "stopped after" not in body, "all planned steps ran: nothing to explain"


RESTATED = [{"question": "What is the capital of Switzerland?", "seen": False, "held": False, "open": False,
             "before": "Bern.", "after": " The capital of Switzerland is Switzerland.", "problem_after": None,
             "restates_before": False, "restates_after": True},
            {"question": "What is the capital of Croatia?", "seen": False, "held": False, "open": False,
             "before": "Croatia is the capital of Croatia.", "after": "Croatia is the capital of Croatia.",
             "problem_after": None, "restates_before": True, "restates_after": True},
            {"question": "Tell me about cats.", "seen": False, "held": False, "open": False, "before": "Cats purr.",
             "after": "Cats are small.", "problem_after": None, "restates_before": False, "restates_after": False}]


def test_the_report_names_the_questions_answered_by_repeating_them():
    from desktop_app.gui.finetune_words import describe_run, reask_words

    _title, body = describe_run("kept", None, {**METRICS, "taught": RESTATED, "reask_restates_after": 2}, 1)
    assert body.startswith("<b>Asked again after training:</b> <b>2 everyday questions were answered by repeating "
                           "the question</b>")
    assert ("\u201cWhat is the capital of Switzerland?\u201d \u2192 \u201cThe capital of Switzerland is "
            "Switzerland.\u201d") in body and "capital of Croatia?" in body and "cats" not in body
    assert "1 of them did so before the run too" in body
    one = reask_words({"taught": [RESTATED[0] | {"seen": True}]})
    assert "<b>1 question was answered by repeating" in one, "a question the person rated"
    assert "<b>1 question was answered" in reask_words({"reask_restates_after": 1}), "an older run: the count"
    assert reask_words({"taught": RESTATED[2:], "reask_restates_after": 0}) == ""
    assert "repeating" not in describe_run("kept", None, METRICS, 1)[1]


# a user test's run: 8 "Answer: X." corrections, kept; a new question lost its answer, a rated one
# was garbled but kept its fact, one taught fact the model still gets wrong
USERTEST = [{"question": "What is the capital of France?", "seen": True, "held": False, "open": False,
             "before": "The capital of France is Paris.", "after": "Answer: Paris.", "right": "Answer: Paris.",
             "checked": True, "dropped_before": False, "dropped_after": False},
            {"question": "How many legs does a spider have?", "seen": True, "held": False, "open": False,
             "before": "A spider has eight legs.", "after": "No, no, no. A spider has eight legs.",
             "right": "Answer: 8.", "checked": True, "dropped_before": False, "dropped_after": False},
            {"question": "What is the largest planet in the solar system?", "seen": True, "held": False,
             "open": False, "before": "Neptune.", "after": "The largest planet is Neptune.",
             "right": "Answer: Jupiter.", "checked": True, "dropped_before": True, "dropped_after": True},
            {"question": "What is the capital of Australia?", "seen": False, "held": False, "open": False,
             "before": "The capital of Australia is Canberra.",
             "after": "The answer to your question lies in the continent of Australia.", "right": None,
             "checked": True, "dropped_before": False, "dropped_after": True},
            {"question": "What is the capital of Croatia?", "seen": False, "held": False, "open": False,
             "before": "The capital of Croatia is Zagreb.", "after": "Answer: Zagreb.", "right": None,
             "checked": True, "dropped_before": False, "dropped_after": False},
            {"question": "Why is the sky blue?", "seen": False, "held": False, "open": False,
             "before": "The answer to this question is...", "after": "Answer: blue.", "right": None,
             "checked": False, "dropped_before": False, "dropped_after": False}]


def test_the_report_opens_with_the_questions_that_lost_their_answer():
    from desktop_app.gui.finetune_words import describe_run, reask_words

    title, body = describe_run("kept", None, {**METRICS, "taught": USERTEST}, 1)
    assert title.startswith("Kept") and "It learned from your ratings" not in body
    head = body[:body.index("How much more the model now prefers")]
    assert head.startswith("<b>Asked again after training:</b><br>\u2022 3 rated questions: 2 give your answer, 1 misses it")
    assert "\u2192 \u201cThe largest planet is Neptune.\u201d misses your \u201cAnswer: Jupiter.\u201d" in head
    assert ("<b>1 of 2 new factual questions lost its answer</b>: \u201cWhat is the capital of Australia?\u201d "
            "\u2192 \u201cThe answer to your question lies in the continent of Australia.\u201d (before: "
            "\u201cThe capital of Australia is Canberra.\u201d)") in head
    assert "sky" not in head and "Read the new answers before relying on them" in head
    fine = [t | {"dropped_after": False} for t in USERTEST]
    assert reask_words({"taught": fine}) == ("<b>Asked again after training:</b><br>\u2022 3 rated questions: all "
                                             "3 give your answer.<br>\u2022 The 2 new factual questions kept their "
                                             "answers.")
    sydney = [t | {"changed_after": t["question"].endswith("Croatia?"), "after": "The capital is Split."}
              for t in fine]
    assert ("\u2022 1 of 2 new factual questions now names something else (which one is right is not checked): "
            "\u201cWhat is the capital of Croatia?\u201d \u2192 \u201cThe capital is Split.\u201d (Croatia: Zagreb \u2192 "
            "Split; before: "
            "\u201cThe capital of Croatia is Zagreb.\u201d).") in reask_words({"taught": sydney})
    _title, body = describe_run("discarded", "perplexity rose", {**METRICS, "taught": USERTEST}, None)
    assert body.startswith("<b>Why:</b> perplexity rose.<br><b>Asked again")
    assert describe_run("kept", None, METRICS, 1)[1].startswith("It learned from your ratings."), "an older run"


def test_the_panel_shows_the_restated_questions_of_a_kept_run(make_window, qtbot, tmp_path):
    window = make_window(max_new_tokens=6)
    store = window.chat.store
    run, adapter = rated_and_trained(qtbot, window, tmp_path)
    store.update_run(run, metrics={**METRICS, "taught": RESTATED, "reask_restates_after": 2})
    panel = window.finetune_panel
    window.show_finetune()
    panel.show_last_run()
    body = panel.result_body.text()
    assert "Kept" in panel.result_title.text() and "answered by repeating the question" in body
    assert "The capital of Switzerland is Switzerland." in body
