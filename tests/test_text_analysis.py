"""Analysing long texts without Qt (tiny model, 128-token window): window by window with
progress, cancelled between windows, and re-scored after an edit from the first changed
window only, with the same result as scoring the new text from scratch."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core import session
from desktop_app.core.prompts import plain_text_start
from desktop_app.core.scoring import ScoreProgress, reusable_records, score_text, window_plan

LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(60))


def test_the_plan_covers_every_position_once_and_reads_at_most_a_window():
    plan = window_plan(1000, 1, 128)
    assert plan[0].begin == 0 and plan[0].start == 1 and plan[-1].stop == 1000
    assert all(a.stop == b.start for a, b in zip(plan, plan[1:]))
    assert all(w.stop - w.begin <= 128 and w.start - w.begin >= 64 for w in plan[1:])


def test_the_tiny_models_text_is_read_after_its_end_of_text_token(tiny_model):
    assert plain_text_start(tiny_model.tokenizer) == [tiny_model.tokenizer.convert_tokens_to_ids("<|endoftext|>")]


def test_progress_is_reported_after_every_window_of_a_long_text(tiny_model):
    seen: list[ScoreProgress] = []
    ids, records = score_text(tiny_model, LONG, progress=seen.append)
    plan = window_plan(len(ids) + 1, 1, tiny_model.context_window)  # read after the start token, all scored
    assert len(plan) > 5 and len(seen) == len(plan)
    assert [p.done for p in seen] == [w.stop - 1 for w in plan]
    assert all(p.total == len(ids) for p in seen) and seen[-1].done == len(records) == len(ids)


def test_cancel_stops_between_windows_and_keeps_what_was_scored(tiny_model):
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if len(seen) == 2:
            cancel.set()  # as the window's Cancel does, while the scoring runs

    partial = session.score_whole_text(tiny_model, LONG, cancel=cancel, progress=progress)
    full = session.score_whole_text(tiny_model, LONG)
    assert not partial.complete and full.complete
    assert len(seen) == 2 and len(partial.records) == seen[-1].done < len(full.records)
    assert partial.records == full.records[:len(partial.records)]


@pytest.mark.parametrize("where", ["end", "middle", "start"])
def test_an_edit_rescored_from_the_first_changed_window_equals_a_full_rescore(tiny_model, where):
    before = session.score_whole_text(tiny_model, LONG)
    at = {"end": len(LONG) - 20, "middle": len(LONG) // 2, "start": 10}[where]
    edited = LONG[:at] + " suddenly, a purple elephant" + LONG[at:]
    seen = []
    incremental = session.score_whole_text(tiny_model, edited, previous=before, progress=seen.append)
    fresh = session.score_whole_text(tiny_model, edited)
    assert incremental.ids == fresh.ids and incremental.unscored_prefix == fresh.unscored_prefix
    assert incremental.records == fresh.records
    start = plain_text_start(tiny_model.tokenizer)
    kept = reusable_records(start + before.ids, len(before.records), start + fresh.ids, 1)
    windows = window_plan(len(fresh.ids) + 1, 1, tiny_model.context_window)
    assert len(seen) == sum(1 for w in windows if w.stop - 1 > kept)  # only the windows from the edit on ran
    if where == "end":
        assert len(seen) <= 2 and kept > len(fresh.records) * 0.8
    if where == "start":
        assert kept <= at, "only the tokens before the edit (10 characters) are kept"


def test_a_cancelled_scoring_is_resumed_and_another_models_is_not_reused(tiny_model):
    cancel = threading.Event()
    cancel.set()
    nothing = session.score_whole_text(tiny_model, LONG, cancel=cancel)
    assert nothing.records == [] and not nothing.complete
    partial = session.score_whole_text(tiny_model, LONG, cancel=_after(2))
    seen = []
    resumed = session.score_whole_text(tiny_model, LONG, previous=partial, progress=seen.append)
    assert resumed.records == session.score_whole_text(tiny_model, LONG).records
    assert seen[0].done > len(partial.records)  # the first window run is the first one missing
    other = session.ScoredText(partial.ids, partial.unscored_prefix, partial.records, ("another model",))
    again = []
    session.score_whole_text(tiny_model, LONG, previous=other, progress=again.append)
    assert len(again) == len(window_plan(len(partial.ids) + 1, 1, tiny_model.context_window))


def _after(windows: int) -> threading.Event:
    """An event that a scoring finds set after ``windows`` windows."""
    class Counting(threading.Event):
        checks = 0

        def is_set(self):
            self.checks += 1
            return self.checks > windows

    return Counting()


def test_json_export_holds_the_scoring_and_csv_export_adds_up(tiny_model, tmp_path):
    import csv
    import json

    from desktop_app.core import text_export
    from desktop_app.core.errors import UserFacingError
    from desktop_app.core.records import TokenRecord

    scored, summary = session.analyse_text(tiny_model, LONG)
    path = text_export.write_analysis_json(tmp_path / "a.json", scored, summary, title="Weather")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["title"] == "Weather" and data["complete"] is True
    assert [TokenRecord.from_json(t) for t in data["tokens"]] == scored.records
    assert data["unscored_prefix"] + "".join(t["text"] for t in data["tokens"]) == LONG
    rows = list(csv.DictReader(text_export.write_summary_csv(tmp_path / "s.csv", summary).open(encoding="utf-8-sig")))
    assert list(rows[0]) == list(text_export.CSV_COLUMNS)
    for section in ("rank_bucket", "probability", "entropy_bits"):
        part = [r for r in rows if r["section"] == section]
        assert sum(int(r["count"]) for r in part) == summary.tokens == len(scored.records)
        assert sum(float(r["share"]) for r in part) == pytest.approx(1.0)
    assert [r for r in rows if r["section"] == "probability"][-1]["label"] == "0.9-1"
    (tmp_path / "taken").mkdir()
    with pytest.raises(UserFacingError, match="could not be written"):
        text_export.write_summary_csv(tmp_path / "taken", summary)  # a folder is in the way
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "s.csv", "taken"]  # no half files left


def test_a_long_text_is_read_in_pieces_with_the_same_ids(tiny_model, monkeypatch):
    from desktop_app.core import scoring
    from desktop_app.core.prompts import encode

    monkeypatch.setattr(scoring, "ENCODE_PIECE_CHARS", 40)  # many cuts in a short text
    text = ("Ships  passed\tthe rock, \u00e9t\u00e9 caf\u00e9 \U0001F600 ok;\n\nThe lamp's light - 42 times! " * 30)
    seen = []
    ids = scoring.encode_long(tiny_model.tokenizer, text, progress=seen.append)
    assert ids == encode(tiny_model.tokenizer, text)
    assert len(seen) > 20 and seen[-1] == scoring.ScoreProgress(len(text), len(text), "reading")
    cancel = threading.Event()
    cancel.set()
    assert scoring.encode_long(tiny_model.tokenizer, text, cancel=cancel) is None
    assert score_text(tiny_model, text, cancel=cancel) == ([], [])
    monkeypatch.setattr(scoring, "ENCODE_PIECE_CHARS", 10_000)
    long = text * 40  # read in pieces, cancelled while reading: not complete, nothing scored
    stopped = session.score_whole_text(tiny_model, long, cancel=cancel)
    assert stopped.ids == [] and not stopped.complete


def test_only_the_detailed_tokens_keep_alternatives(tiny_model):
    full = session.score_whole_text(tiny_model, LONG)
    light = session.score_whole_text(tiny_model, LONG, detailed=100)
    assert [r.logprob for r in light.records] == [r.logprob for r in full.records]
    assert [(r.rank, r.entropy, r.text) for r in light.records] == [(r.rank, r.entropy, r.text) for r in full.records]
    with_top = [i for i, r in enumerate(light.records) if r.top]
    assert with_top == list(range(len(with_top))) and 100 <= len(with_top) < len(full.records)
    assert light.records[:100] == full.records[:100]
    seen = []  # scored under another detail: not reused
    session.score_whole_text(tiny_model, LONG, previous=light, progress=seen.append)
    assert len(seen) == len(window_plan(len(full.ids) + 1, 1, tiny_model.context_window))
