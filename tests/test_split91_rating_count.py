"""One source for "how many ratings made this run": the run records the ratings it read, per kind, in its
progress reports and its metrics (TrainProgress.rating_counts, metrics["rating_counts"]), and the CLI's and the
window's "examples made from your N ratings" read that N. Ratings made after the run do not change what the
finished run's words say (the CLI had counted the ratings a second time; the window said its tab's count).
A run from before runs recorded the count falls back to the count its caller read."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.cli.finetune_cmds import _Bar, _json_report
from desktop_app.core.paths import AppPaths
from desktop_app.core.progress_words import split_words
from desktop_app.core.store import Store
from desktop_app.core.train_counts import rating_count, readiness, run_rating_counts
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST
from test_training_data import add_answer, rate_three_answers

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401  (a fixture)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, tiny_model):
    """A run on 5 ratings that make 6 examples (a liked and a disliked answer to one question also train as a
    pair), then two more answers rated after it: ``(result, reports, counts the run read, store)``."""
    paths = AppPaths.resolve(tmp_path_factory.mktemp("split91") / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    conv, user, liked, _ids = add_answer(store, tiny_model, "Why is the sky blue?", seed=20)
    _c, _u, disliked, _ids = add_answer(store, tiny_model, "Why is the sky blue?", seed=21, conversation=conv,
                                        parent=user)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    read = readiness(store)
    reports = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "rescore": False}),
                          progress=reports.append)
    for seed in (30, 31):  # rated after the run: the finished run's words must not count them
        _c, _u, later, _ids = add_answer(store, tiny_model, f"Later question {seed}", seed=seed)
        store.rate_message(later, 1)
    yield result, reports, read, store
    store.close()


def test_the_run_records_the_ratings_it_read_per_kind(finished_run):
    result, reports, read, store = finished_run
    assert rating_count(read) == 5 and read["sibling_pairs"] == 1  # 5 ratings, 6 examples
    recorded = result.metrics["rating_counts"]
    assert recorded == run_rating_counts(read)
    assert (recorded["thumbs_up"], recorded["thumbs_down"], recorded["ratings"]) == (3, 2, 5)
    split = next(p for p in reports if p.split)
    assert split.split == (6, 0)  # FAST keeps none aside
    assert split.rating_counts == recorded
    assert all(p.rating_counts == recorded for p in reports[1:])  # all but "Reading ratings", said before it
    assert rating_count(readiness(store)) == 7  # the store moved on after the run


def test_the_clis_words_say_the_runs_own_count(finished_run, capsys):
    result, reports, _read, store = finished_run
    words = _json_report(result, None, None)["split"]["words"]
    assert words == split_words((6, 0), 5) == ("All 6 examples made from your 5 ratings to learn from, none kept "
                                               "aside to test the result")
    bar = _Bar(True, store)  # as `finetune --json` makes it: the count comes with the run's reports
    for report in reports:
        bar(report)
    assert bar.ratings == 5
    assert f"getting ready: {words[:1].lower()}{words[1:]}" in capsys.readouterr().err.splitlines()


def test_the_windows_words_say_the_runs_own_count(finished_run, make_window):  # noqa: F811
    _result, reports, _read, store = finished_run
    panel = make_window().finetune_panel
    panel.set_counts(readiness(store))  # the tab counts the ratings made since: 7
    panel.total_at_run_start = rating_count(panel.counts)
    panel.on_progress(reports[-1])
    assert panel.split_note.text() == split_words((6, 0), 5), panel.split_note.text()


def test_a_run_that_recorded_no_count_says_the_count_read_as_it_began(finished_run, make_window):  # noqa: F811
    result, reports, _read, _store = finished_run
    older = dataclasses.replace(result, metrics={k: v for k, v in result.metrics.items() if k != "rating_counts"})
    assert _json_report(older, None, None, ratings=4)["split"]["words"] == split_words((6, 0), 4)
    panel = make_window().finetune_panel
    panel.total_at_run_start = 4
    panel.on_progress(dataclasses.replace(reports[-1], rating_counts=None))
    assert panel.split_note.text().startswith("All 6 examples made from your 4 ratings"), panel.split_note.text()
