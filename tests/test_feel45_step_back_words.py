"""The check of an earlier point of a run (after a step back) says why that point, and its time left:
a new user read "measuring the adapter from step 16 of 22" with no time left and did not know why 16."""

from __future__ import annotations

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_verdict import measuring_again_words
from desktop_app.core.training import run_finetune
from desktop_app.core.progress_words import count_eta_words, counted_line
from test_training_data import rate_three_answers

FAST = dict(max_steps=12, min_steps=12, lr=3e-3, reask_count=2, reask_tokens=12, heldout_fraction=0.0,
            guard_ppl_rise=10.0, guard_checks=6, rescore=False)


def test_the_words_say_why_an_earlier_point_is_checked():
    def words(**back):
        return measuring_again_words({"steps": 22, "guard": {"stepped_back": {"from": 22, "to": 16, **back}}})

    assert words(probe_rise=0.2) == ("checking an earlier point of the run (step 16 of 22), "
                                     "since the last one made general text read less fluently")
    assert words(degenerate=True).endswith("since the last one made an answer go wrong")
    assert words(probe_rise=0.2, degenerate=True).endswith("less fluently and made an answer go wrong")
    assert words(restated=True).endswith("since the last one restated a fact")
    assert words().endswith("(step 16 of 22), since the last one changed answers too much")


def run(tmp_path, tiny_model, name: str, reports: list, **extra):
    paths = AppPaths.resolve(tmp_path / name).ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, **extra), progress=reports.append)
    store.close()
    return result


def test_the_check_of_an_earlier_point_says_why_and_how_long_it_takes(tmp_path, tiny_model):
    loose = run(tmp_path, tiny_model, "loose", [], max_ppl_rise=10.0)
    rise = loose.metrics["probe_ppl_after"] / loose.metrics["probe_ppl_before"] - 1
    reports: list = []
    tight = run(tmp_path, tiny_model, "tight", reports, max_ppl_rise=rise / 3)  # refused for the probe: steps back
    back = tight.metrics["guard"]["stepped_back"]
    why = f"checking an earlier point of the run (step {back['to']} of 12), since the last one made general text"
    again = [p for p in reports if why in p.message.lower()]
    assert again, [p.message for p in reports][-12:]
    assert again[0].eta_s is not None, "its first line has the time the first check took"
    counted = [p for p in again if p.total]
    assert counted and all(p.eta_s is not None for p in counted)
    assert counted_line(counted[0]).startswith(f"Checking whether it helps: {why}")
    assert count_eta_words(counted[0]), "the panel says the time left from its first count"
