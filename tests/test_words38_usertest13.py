"""User test 13, findings 8, 10, 11 and 12: the counts and words of the Fine-tune tab, the compare
view and a stopped run's card, and the adapter history's buttons with no adapters."""

from __future__ import annotations

import pytest

from desktop_app.core.store import Store
from desktop_app.core.train_counts import readiness
from desktop_app.core.train_data import build_training_data

try:
    from test_gui import make_window  # noqa: F401  the real window, for the tests that show it
except ImportError:  # no Qt here: only the tests of the core and the words run
    pass


def _disliked_and_corrected(store, n: int) -> list[int]:
    """``n`` answers, each with a thumbs-down and a better answer (the user test's 8 questions)."""
    answers = []
    for i in range(n):
        conversation = store.create_conversation(f"q{i}")
        question = store.add_message(conversation, "user", f"What is the capital of country number {i}?")
        answer = store.add_message(conversation, "assistant", f"It is a city called Town{i}.", parent_id=question)
        store.rate_message(answer, -1)
        store.set_correction(answer, f"Answer: City{i}.")
        answers.append(answer)
    return answers


# ---------------------------------------------------------------- 8. one correction counted as two

def test_a_dislike_on_a_corrected_answer_is_named_with_its_better_answer(store, tiny_model):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_words, tab_count_words

    _disliked_and_corrected(store, 8)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    # what a run trains on, so the words below are true: each answer in a pair and as a dislike of its own
    assert len(data.pairs) == 8 and len(data.unpaired) == 8 and not any(e.label for e in data.unpaired)
    counts = readiness(store)
    assert counts["total"] == len(data) == 16 and counts["disliked_and_corrected"] == 8
    # counts59: a dislike and its better answer are two ratings, as the tiles count them and as they train
    assert tab_count_words(counts) == "Fine-tune (16)"
    assert ready_words(counts) == ("<b>16 ratings ready to train on</b>: 8 answers you disliked and 8 better "
                                   "answers you wrote (for the ones you disliked).")


def test_only_some_dislikes_on_corrected_answers_and_other_thumbs_are_named_apart(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import ready_words, tab_count_words

    answers = _disliked_and_corrected(store, 3)
    store.clear_rating(answers[0])
    store.rate_message(answers[0], 1)  # liked and corrected: mixed signals, two ratings
    other = _disliked_and_corrected(store, 1)[0]
    store.clear_correction(other)  # a plain dislike
    counts = readiness(store)
    assert counts["total"] == 7 and counts["disliked_and_corrected"] == 2
    assert tab_count_words(counts) == "Fine-tune (7)"  # counts59: each rating once
    assert ready_words(counts) == ("<b>7 ratings ready to train on</b>: 1 answer you liked, 3 you disliked and 3 "
                                   "better answers you wrote (2 for answers you disliked).")


def test_after_a_run_a_dislike_and_a_better_answer_given_together_are_two_new_ratings(store):
    pytest.importorskip("PySide6")
    from desktop_app.gui.ready_words import tab_count_words

    _disliked_and_corrected(store, 1)
    run = store.create_run({}, "m")
    store.update_run(run, status="kept")
    _disliked_and_corrected(store, 2)
    counts = readiness(store)
    assert counts["new_since_run"] == 4  # counts59: two dislikes and two better answers, as the tiles count them
    assert tab_count_words(counts) == "Fine-tune (4 new)"


# ---------------------------------------------------------------- 10. the compare view's counts and legend

def _records(logprobs: list[float]):
    from types import SimpleNamespace
    import math

    return [SimpleNamespace(logprob=lp, prob=math.exp(lp)) for lp in logprobs]


def test_the_compare_summary_counts_the_end_token_in_the_average_and_in_the_rose_and_fell():
    pytest.importorskip("PySide6")
    from desktop_app.gui.compare_words import summary_words

    # the user test's disliked France answer: 15 tokens and its end, much less likely after the run
    before = _records([-1.0] * 16)
    after = _records([-0.5] * 3 + [-8.0] * 9 + [-1.0] * 3 + [-0.2])
    text = summary_words(before, after, ended=True)
    assert "each of its 16 tokens" in text
    assert "4 of 16 tokens (the end included) rose, 9 fell." in text
    cut = summary_words(before[:-1], after[:-1], ended=False)  # an answer cut at its budget has no end token
    assert "each of its 15 tokens" in cut and "3 of 15 tokens rose, 9 fell." in cut


def test_the_legend_says_or_more_at_an_end_that_cells_go_past():
    pytest.importorskip("PySide6")
    from desktop_app.gui.compare_words import legend_words, nice_scale

    values = [9.37, -15.27] + [0.5] * 40
    scale = nice_scale(values + [7.5, -7.9])
    assert scale == 8.0
    assert legend_words(scale, values) == ("about 3,000\u00d7 less likely, or more",
                                           "about 3,000\u00d7 more likely, or more")
    assert legend_words(scale, [7.5, -15.27]) == ("about 3,000\u00d7 less likely, or more",
                                                  "about 3,000\u00d7 more likely")
    assert legend_words(1.0, [0.5, -0.9]) == ("2.7\u00d7 less likely", "2.7\u00d7 more likely")


# ---------------------------------------------------------------- 11. a run stopped by closing the app

def test_a_cancelled_run_keeps_the_reason_its_caller_gives(tmp_path, tiny_model):
    """The window says whether Cancel or its closing stopped a run; a caller that does not say
    gets the reason every cancelled run had before."""
    import threading

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.train_verdict import CANCELLED, STOPPED_BY_QUIT
    from desktop_app.core.training import run_finetune

    paths = AppPaths.resolve(tmp_path / "app").ensure()
    store = Store.open(paths.db_path)
    _disliked_and_corrected(store, 2)
    settings = FineTuneSettings(max_steps=4, min_steps=4, heldout_fraction=0.0, reask_count=1, reask_tokens=4)
    reasons = []
    for why in (lambda: STOPPED_BY_QUIT, None):
        cancel = threading.Event()

        def progress(p, cancel=cancel):
            if p.phase == "training":
                cancel.set()

        result = run_finetune(store, tiny_model, paths, settings, progress=progress, cancel=cancel,
                              cancel_reason=why)
        assert result.status == "cancelled"
        reasons.append(store.get_run(result.run_id)["reason"])
    store.close()
    assert reasons == [STOPPED_BY_QUIT, CANCELLED]


def _report_and_stopped_run(store, model_id: str, reason: str | None) -> tuple[int, int]:
    report = store.create_run({}, model_id)
    store.update_run(report, status="discarded", reason="It did not help enough.")
    stopped = store.create_run({}, model_id)
    store.update_run(stopped, status="cancelled", **({"reason": reason} if reason else {}))
    return report, stopped


def test_the_card_after_a_restart_says_why_the_newest_run_stopped_under_a_title_of_its_own(make_window):
    from desktop_app.core.train_verdict import CANCELLED_BY_PERSON, STOPPED_BY_QUIT

    window = make_window()
    store, panel = window.chat.store, window.finetune_panel
    model_id = window.chat.loaded.model_id
    report, stopped = _report_and_stopped_run(store, model_id, STOPPED_BY_QUIT)
    panel.show_last_run()
    title, body = panel.result_title.text(), panel.result_body.text()
    assert title == f"Run {stopped} was stopped: nothing changed", title
    assert f"Run {stopped} was stopped when you closed the app while it ran" in body
    assert "cancelled, or the app was closed" not in body and f"This is run {report}'s report." in body
    assert "<b>Discarded" in body, "the report's own verdict is in its body, not the card's title"
    assert panel.result_box.property("kind") == "note", "no red: the stopped run is no verdict"
    _report, cancelled = _report_and_stopped_run(store, model_id, CANCELLED_BY_PERSON)
    panel.show_last_run()
    assert panel.result_title.text() == f"Run {cancelled} was cancelled: nothing changed"
    assert f"You cancelled run {cancelled} before it finished" in panel.result_body.text()


def test_closing_during_a_finetune_records_it_and_the_question_names_a_pending_undo(make_window, qtbot, tmp_path):
    from desktop_app.core import adapters
    from desktop_app.core.train_verdict import STOPPED_BY_QUIT
    from gui_windows import answer_modal
    from test_gui_polish_finetune import _window_in_a_long_finetune

    window = _window_in_a_long_finetune(make_window, qtbot)
    store, paths = window.chat.store, window.paths
    folder = tmp_path / "old-adapter"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    old = store.add_adapter(str(folder), base_model=window.chat.loaded.model_id)
    deleted = adapters.delete(store, old, trash_dir=paths.adapters_dir / adapters.TRASH_DIR)
    window.finetune.adapter_deleted.emit(deleted)  # as the history's Delete tells the status bar's Undo
    assert window.adapter_undo.button.isVisibleTo(window)
    run_id = store.list_runs()[0]["id"]
    seen: list = []
    answer_modal("Stop and quit", seen)
    window.close()
    _question, informative = seen[0]
    assert f"Closing deletes adapter {old} for good: Undo delete cannot bring it back." in informative
    assert not window.isVisible()
    assert store.get_run(run_id)["status"] == "cancelled"
    assert store.get_run(run_id)["reason"] == STOPPED_BY_QUIT


def test_the_quit_question_names_every_adapter_undo_could_bring_back():
    pytest.importorskip("PySide6")
    from desktop_app.gui.quit_guard import quit_question

    assert quit_question(None) == ("A fine-tune is running: stop it and quit?",
                                   "The model you chat with stays as it is; the ratings are kept.")
    _q, informative = quit_question("answer", ["adapter 2", "adapter 3 \u201cshort\u201d"])
    assert informative.endswith("Closing deletes adapter 2 and adapter 3 \u201cshort\u201d for good: Undo delete "
                                "cannot bring them back.")


# ---------------------------------------------------------------- 12. the adapter history with no adapters

def test_with_no_adapters_the_history_shows_no_buttons_that_could_do_nothing(make_window, tmp_path):
    window = make_window()
    history = window.finetune_panel.history
    assert not history.rows and not history.empty.isHidden()
    buttons = (history.use_button, history.rollback_button, history.base_button, history.delete_button,
               history.report_button, history.export_button)
    # they were disabled, yet drawn like the panel's other words: "are they enabled?" (usertest 13)
    assert [b.text() for b in buttons if b.isEnabled()] == [], "nothing to use, roll back, delete, report or export"
    assert [b.text() for b in buttons if b.isVisibleTo(history)] == []
    assert history.import_button.isEnabled() and history.import_button.isVisibleTo(history), "Import brings one"
    store, folder = window.chat.store, tmp_path / "adapter"
    folder.mkdir()
    adapter = store.add_adapter(str(folder), base_model=window.chat.loaded.model_id)
    window.finetune_panel.refresh_adapters()
    assert [b.text() for b in buttons if b.isVisibleTo(history)] == [b.text() for b in buttons]
    history.select(adapter)
    assert history.report_button.isEnabled() and history.delete_button.isEnabled()


def test_the_quit_question_says_how_far_the_run_got():
    """usertest26: "Stop and quit" did not say that 3 of 22 steps and minutes of work would be thrown away."""
    pytest.importorskip("PySide6")
    from desktop_app.core.training import TrainProgress
    from desktop_app.gui.quit_guard import quit_question

    step = TrainProgress("training", step=3, total=22, elapsed_s=245.0)
    _q, informative = quit_question(None, (), step)
    assert informative.startswith("It has done 3 of 22 training steps in 4 min 05 s; stopping throws that work away. "
                                  "The model you chat with stays as it is")
    _q, measuring = quit_question(None, (), TrainProgress("evaluating", elapsed_s=30.0, message="re-asking"))
    assert measuring.startswith("It has run for 30 s; stopping throws that work away.")
    assert quit_question(None, (), None) == quit_question(None)
