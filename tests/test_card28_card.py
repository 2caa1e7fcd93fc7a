"""User test 11 on the Fine-tune tab, in the window (pytest-qt): #2 the kept run's card names the rated
how-to question nobody checked and shows its pair with the person's own answer; #3 the open request's
new answer that says a phrase twice is labelled."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.train_verdict import RunResult  # noqa: E402
from test_card28_taught_words import EGG, STORY, usertest_pairs  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402

SWITZERLAND = {"question": "What is the capital of Switzerland?", "before": "The capital of Switzerland is Lier.",
               "after": "The capital of Switzerland is Bern.", "how": "changed", "sure": ["Lier", 0.12]}
# the figures of user test 11's kept run (screenshot 16)
METRICS = {"margin_before": 0.616, "margin_after": 2.266, "gate_margin_on": "all", "probe_ppl_before": 28.06,
           "probe_ppl_after": 27.76, "facts_changed": [], "facts_unsure": [SWITZERLAND], "activated": True}


def kept_run(window, tmp_path, taught: list | None = None) -> RunResult:
    """The run as core.training returns it, its adapter stored and in use (as train_verdict.decide leaves it);
    ``taught``: its before/after pairs (usertest_pairs() by default)."""
    store, model_id = window.chat.store, window.chat.loaded.model_id
    metrics = {**METRICS, "taught": usertest_pairs() if taught is None else taught}
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    run_id = store.create_run({}, model_id)
    adapter_id = store.add_adapter(str(folder), base_model=model_id, run_id=run_id, metrics=metrics)
    store.update_run(run_id, status="kept", reason="ok", metrics=metrics, adapter_id=adapter_id)
    store.set_active_adapter(adapter_id, model_id)
    return RunResult(run_id, True, adapter_id, "ok", metrics, "kept")


def question_labels(panel) -> list:
    return [w for w in panel.taught.body.findChildren(type(panel.taught.title)) if w.objectName() == "TaughtQuestion"]


def shown_card(make_window, tmp_path):
    """The Fine-tune tab's panel showing the user test's kept run."""
    window = make_window()
    panel = window.finetune_panel
    window.show_finetune()
    result = kept_run(window, tmp_path)
    panel.refresh_adapters()
    panel.on_finished(result)
    settle(window)
    return panel


def test_the_card_names_the_unchecked_question_and_shows_its_pair_with_your_answer(make_window, tmp_path):
    panel = shown_card(make_window, tmp_path)
    body = panel.result_body.text()
    assert "3 rated questions: 2 give your answer" in body and "2 of 2" not in body
    assert ("1 rated question is not checked automatically</b> (a how-to answer): read \u201cHow do I boil an "
            "egg?\u201d") in body
    # its pair is among the cards, marked, with the person's answer beside the new one
    egg = next(w for w in question_labels(panel) if EGG in w.text())
    assert "not checked automatically (a how-to answer): compare it with yours" in egg.text()
    assert egg.property("flag") is True
    yours = [w for w in panel.taught.body.findChildren(type(egg))  # every rated pair shows one (ux42): the egg's
             if w.objectName() == "TaughtYours" and "egg" in w.text()]
    assert [w.text() for w in yours] == ["your answer: Put the egg in a pot of boiling water for 8 to 10 minutes, "
                                         "then cool it in cold water."]
    after = [w for w in panel.taught.answer_labels() if "1-2 hours" in w.text()]
    assert after and after[0].property("side") == "after"
    assert yours[0].geometry().bottom() < after[0].geometry().top()  # above the pair it belongs to
    # the pair comes right after the pairs flagged as changed, before the ones that are fine
    order = [p["question"] for p in panel.taught.pairs]
    assert order.index(EGG) < order.index("What is the capital of France?")


def test_the_repeating_story_is_labelled_on_the_card(make_window, tmp_path):
    panel = shown_card(make_window, tmp_path)
    story = next(w for w in question_labels(panel) if STORY in w.text())
    assert story.text().endswith("the new answer repeats itself: \u201ctasked with creating a robotic painting\u201d")
    assert story.property("flag") is True
    assert "<b>1 new answer repeats itself</b>" in panel.result_body.text()
    others = [w.text() for w in question_labels(panel) if STORY not in w.text()]
    assert others and not any("repeats itself" in t for t in others)
