"""inspector86, item 3: the Fine-tune panel and the run's card read the questions a run kept aside from the store on
the window's thread (progress_words.kept_aside_line at each new split and each card shown). The run reads them where
it splits its ratings, on its own thread, and carries them in its reports (TrainProgress.held_questions) and its
metrics (``heldout_questions``); the panel and the card name them from there, in the same words. Shown by questions
the store no longer holds: read from the store, they were left out. A real run on the tiny GPT-2, a real window."""

from __future__ import annotations

import pytest

from desktop_app.core.progress_words import kept_aside_words

QUESTION = "What is the capital of France?"
NOT_IN_THE_STORE = 987_654  # a message id the store never had: only the report can name its question


def test_a_real_run_carries_the_questions_it_kept_aside(tmp_path, tiny_model):
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    from test_training import FAST
    from test_training_data import THREE_QUESTIONS, add_answer, rate_three_answers

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    seen: list = []
    try:  # four rated exchanges, half kept aside (FAST keeps none aside; under four ratings none are)
        rate_three_answers(store, tiny_model, first_seed=10)
        store.rate_message(add_answer(store, tiny_model, QUESTION + " Paris?", seed=20)[2], 1)
        settings = FineTuneSettings(**{**FAST, "heldout_fraction": 0.5})
        result = run_finetune(store, tiny_model, paths, settings, progress=seen.append)
    finally:
        store.close()
    held = result.metrics["heldout_questions"]
    assert len(held) == len(result.metrics["heldout_groups"]) == 2
    assert set(held) <= {*THREE_QUESTIONS, QUESTION + " Paris?"}
    assert seen[0].held_questions == ()  # reading the ratings: not split yet
    assert seen[-1].held_questions == tuple(held)


def test_the_panel_names_the_questions_the_report_carries(make_window, qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.core.training import TrainProgress

    panel = make_window(wait=False).finetune_panel
    panel.on_progress(TrainProgress("preparing", message="Reading ratings", step=0, total=4, split=(3, 1),
                                    held_groups=(NOT_IN_THE_STORE,), held_questions=(QUESTION,)))
    assert not panel.kept_note.isHidden()
    assert panel.kept_note.text() == kept_aside_words([QUESTION])


def test_the_card_names_the_questions_its_metrics_keep(make_window, qtbot):
    pytest.importorskip("PySide6")
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    metrics = {"margin_before": 0.1, "margin_after": 0.5, "trained_groups": [1],
               "heldout_groups": [NOT_IN_THE_STORE], "heldout_questions": [QUESTION]}
    panel._show_result("kept", None, metrics, 3)
    assert panel.result_kept.isVisible() and panel.result_kept.text() == kept_aside_words([QUESTION])


from test_gui import make_window  # noqa: E402,F401  (the real window on the tiny model)
