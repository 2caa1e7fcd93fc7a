"""textwords107: a fine-tune on Text-tab ratings alone said "re-asking your questions" and "tokens of each answer"
to a writer who had asked no question: its re-asks continue their texts, and say so (a mixed run says both)."""

from __future__ import annotations

from desktop_app.core import train_run_progress
from desktop_app.core.paths import AppPaths
from desktop_app.core.progress_words import progress_line, status_words
from desktop_app.core.reasking import reask_what
from desktop_app.core.train_run_progress import TrainProgress
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_text_branches import rated_store


def test_a_run_on_text_ratings_says_it_continues_the_texts(tmp_path, tiny_model, monkeypatch):
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)  # every count, however fast the tiny model is
    store, _doc, _made = rated_store(tmp_path, tiny_model)
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    settings = FineTuneSettings(max_steps=2, min_steps=2, lr=3e-3, reask_count=1, reask_unseen=1, reask_tokens=4,
                                heldout_fraction=0.0, rescore=False)
    seen = []
    result = run_finetune(store, tiny_model, paths, settings, progress=seen.append)
    store.close()
    assert result.status in ("kept", "discarded"), result.reason
    lines = [progress_line(p) for p in seen if p.phase == "evaluating" and p.total]
    reasks = [line for line in lines if "continuing 1 rated text" in line]
    assert reasks, lines
    # the fixed questions every run asks are questions still
    assert " questions at once: " in reasks[-1] and "tokens of each continuation and answer" in reasks[-1]
    assert "(continuing your texts and asking a few fixed questions)" in reasks[-1]
    assert not any("re-asking your questions" in line or "of each answer" in line for line in lines)


def test_the_count_words_name_texts_questions_or_both():
    assert reask_what(3).startswith("re-asking 3 questions at once")
    assert reask_what(3).endswith("tokens of each answer")
    assert reask_what(2, 2) == "continuing 2 rated texts at once: {done} of at most {total} tokens of each continuation"
    mixed = reask_what(5, 2)
    assert mixed.startswith("continuing 2 rated texts and re-asking 3 questions at once")
    p = TrainProgress("evaluating", message="measuring the new adapter: " + mixed.format(done=3, total=40),
                      step=3, total=40, measures="reask_mixed")
    assert "re-asking your questions, continuing your texts" in progress_line(p)
    assert "3/40 tokens of continuations and re-asked answers" in status_words(p)


def test_re_asks_known_from_an_earlier_run_say_texts_too():
    from desktop_app.core.check_time import part_of
    from desktop_app.core.finetune_effect import KNOWN_PARTS

    known = KNOWN_PARTS["reask_texts"].format(done=13, total=13, s="s")
    assert part_of(known) == "reask" and part_of(reask_what(5, 2)) == "reask"
    p = TrainProgress("evaluating", message=f"measuring your current model: {known}", step=13, total=13,
                      measures="reask_texts")
    assert "continuing texts" in progress_line(p) and "answers known" not in status_words(p)
    assert "13/13 known already" in status_words(p)
