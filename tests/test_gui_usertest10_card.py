"""User test 10's findings on the fine-tune card (pytest-qt, a real window on the tiny model and a
real store): the consent question names every never-rated answer the run changed, the guesses too,
and its count agrees with the card after the decision (A1); a doubled "Answer: Answer:" reads as
broken (A1); "Keep the current model" comes first and the title says the risk (A2); training that
stops early says so at once (B2); greyed adapter buttons say why (B6); the before/after boxes cut
at a word (C4); the question comes above "Fine-tune on my ratings" while it waits (C5)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.training import TrainProgress  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402

CROATIA, SWITZERLAND, NORWAY = ("What is the capital of Croatia?", "What is the capital of Switzerland?",
                                "What is the capital of Norway?")


def _pair(question, before, after, changed):
    return {"question": question, "seen": False, "held": False, "open": False, "checked": True, "right": None,
            "before": before, "after": after, "changed_after": changed, "dropped_after": False,
            "restates_after": False, "restates_before": False}


# as usertest 10's run: Croatia changed (the model was 50% sure of Zagreb: it holds the adapter back),
# Switzerland changed too, but the model had only guessed "Lier" (12%): before, the card named Croatia alone
METRICS = {
    "margin_before": 0.122, "margin_after": 3.521, "gate_margin_on": "heldout", "heldout_size": 2,
    "taught": [_pair(CROATIA, "The capital of Croatia is Zagreb.", "Answer: Zaragoza.", True),
               _pair(SWITZERLAND, "The capital of Switzerland is Lier.", "Answer: Answer: Paris.", True),
               _pair(NORWAY, "The capital of Norway is Oslo.", "Answer: Oslo.", False)],
    "facts_changed": [{"question": CROATIA, "before": "The capital of Croatia is Zagreb.",
                       "after": "Answer: Zaragoza.", "how": "changed", "sure": ["Zagreb", 0.5]}],
    "facts_unsure": [{"question": SWITZERLAND, "before": "The capital of Switzerland is Lier.",
                      "after": "Answer: Answer: Paris.", "how": "changed", "sure": ["Lier", 0.12]}],
}


def waiting_run(window, tmp_path, metrics=METRICS) -> dict:
    """A kept run whose adapter waits for the person's word, stored as train_verdict.decide stores it."""
    store, model_id = window.chat.store, window.chat.loaded.model_id
    folder = tmp_path / "adapter-waiting"
    folder.mkdir()
    run_id = store.create_run({}, model_id)
    adapter_id = store.add_adapter(str(folder), base_model=model_id, run_id=run_id, metrics=metrics)
    store.update_run(run_id, status="kept", reason="ok", metrics=metrics, adapter_id=adapter_id)
    panel = window.finetune_panel
    panel.refresh_adapters()
    panel.show_last_run()
    settle(window)
    return store.get_run(run_id)


def test_the_question_names_every_changed_fact_and_agrees_with_the_card_after_it(make_window, qtbot, tmp_path):
    window = make_window()
    panel = window.finetune_panel
    run = waiting_run(window, tmp_path)
    window.show_finetune()
    settle(window)
    assert not panel.consent_box.isHidden()
    title, text = panel.result_title.text(), panel.consent_text.text()
    assert title == (f"Saved as adapter {run['adapter_id']}, not in use: it changed 2 answers to questions you "
                     "never rated. Read them before you use it.")
    assert CROATIA in text and SWITZERLAND in text  # the guess it moved is named before the decision too
    assert "(the model was 50% sure of Zagreb)" in text
    assert "(the model was not sure of this one before: 12% sure of Lier)" in text
    assert "broken: it says \u201cAnswer:\u201d twice" in text  # "Answer: Answer: Paris." reads as broken
    assert "changed 2 answers you never rated" in panel.history.list.item(0).text()  # the history counts the same

    # A2: the safe answer is the first button and the default, and the keyboard goes from it to the other
    buttons = panel.consent_box
    assert buttons.box.itemAt(0).widget() is panel.keep_current_button
    assert panel.keep_current_button.isDefault() and not panel.use_anyway_button.isDefault()
    assert panel.keep_current_button.x() < panel.use_anyway_button.x() or (
        panel.keep_current_button.y() < panel.use_anyway_button.y())
    # C5: while it waits, the question comes before "Fine-tune on my ratings"
    inner = panel.widget()
    y = lambda w: w.mapTo(inner, w.rect().topLeft()).y()  # noqa: E731
    assert y(panel.consent_box) < y(panel.train_button)

    panel.keep_current_button.setFocus()
    qtbot.keyClick(panel.keep_current_button, Qt.Key.Key_Tab)
    assert panel.use_anyway_button.hasFocus()
    with qtbot.waitSignal(window.finetune.consent_settled, timeout=WAIT_MS):
        qtbot.mouseClick(panel.keep_current_button, Qt.MouseButton.LeftButton)
    settle(window)
    qtbot.waitUntil(lambda: panel.consent_box.isHidden(), timeout=WAIT_MS)
    after = panel.result_body.text()
    assert "2 of 3 new factual questions now name something else" in after  # the same 2 as before deciding
    assert "broken: it says \u201cAnswer:\u201d twice" in after
    assert y(panel.result_box) > y(panel.train_button)  # answered: the card goes back under the button


def test_training_that_stops_early_says_so_when_it_stops(make_window):
    window = make_window()
    panel = window.finetune_panel
    panel.progress_box.show()
    for step in (11, 12):
        panel.on_progress(TrainProgress("training", step=step, total=21, loss=1.0, elapsed_s=60.0 + step))
    assert panel.stop_note.isHidden()
    panel.on_progress(TrainProgress("evaluating", message="Measuring your current model, to compare the result "
                                                          "with", elapsed_s=80.0))
    assert not panel.stop_note.isHidden()
    assert panel.stop_note.text().startswith("Training stopped at step 12 of 21: general text began to read less "
                                             "fluently")


def test_the_model_in_use_measured_between_two_steps_is_no_stop(make_window):
    """The model in use is measured after step 2 (core.train_before.BeforeMeasuring), then the steps go on."""
    window = make_window()
    panel = window.finetune_panel
    panel.progress_box.show()
    panel.on_progress(TrainProgress("training", step=2, total=21, loss=1.0, elapsed_s=20.0))
    panel.on_progress(TrainProgress("evaluating", step=1, total=6, elapsed_s=25.0, training_follows=True,
                                    message="measuring your current model"))
    assert panel.stop_note.isHidden()


def test_a_run_that_trains_every_step_says_nothing_of_a_stop(make_window):
    window = make_window()
    panel = window.finetune_panel
    panel.on_progress(TrainProgress("training", step=21, total=21, loss=1.0, elapsed_s=60.0))
    panel.on_progress(TrainProgress("evaluating", message="Measuring the new adapter", elapsed_s=80.0))
    assert panel.stop_note.isHidden()


def test_greyed_adapter_buttons_say_why(make_window, tmp_path):
    window = make_window()
    store, model_id, history = window.chat.store, window.chat.loaded.model_id, window.finetune_panel.history
    folder = tmp_path / "only"
    folder.mkdir()
    only = store.add_adapter(str(folder), base_model=model_id)
    store.set_active_adapter(only, model_id)
    window.finetune_panel.refresh_adapters()
    history.select(only)
    assert not history.delete_button.isEnabled()
    assert "switch to another model or the base model first" in history.delete_button.toolTip()
    # one adapter, in use, with no parent: nothing to roll back to (Use base model does that)
    assert history.base_button.isEnabled() and not history.rollback_button.isEnabled()
    assert "was not trained from another adapter" in history.rollback_button.toolTip()


def test_before_and_after_boxes_cut_at_a_word_and_look_alike(make_window, tmp_path):
    window = make_window()
    panel = window.finetune_panel
    story = ("As the AI, AI-powered robot, \"Pixel,\" began its journey of self-discovery, the AI's mind began to "
             "weave a tapestry of creativity, and the world of art was now open to it in every way.")
    metrics = {**METRICS, "taught": [*METRICS["taught"][:1],
                                     {**_pair("Write a short story about a robot who learns to paint.", story, story,
                                              False), "open": True, "checked": False}]}
    panel._show_result("kept", "ok", {**metrics, "facts_changed": [], "facts_unsure": []}, None)
    settle(window)
    labels = panel.taught.answer_labels()
    shown = [w.text() for w in labels if story[:20] in w.text()]
    assert shown and all(t.endswith("\u2026") for t in shown)
    for text in shown:  # the last word before the ellipsis is one of the story's whole words
        assert text.split()[-1].rstrip("\u2026") in story.split()
    before, after = labels[0], labels[1]
    assert before.property("side") == "before" and after.property("side") == "after"
    top = lambda w: w.grab().toImage().pixelColor(w.width() // 2, 0).name()  # noqa: E731
    assert top(after) == top(before)  # no blue "selected" frame on every after box
