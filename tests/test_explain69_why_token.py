""""Why this token?" as a student met it (usertest69): the CLI's explain printed nothing useful for 10 minutes on a
busy machine (the grid and the sampler came only at the end, the passes had no words, nothing skipped them, Ctrl+C
lost it all); the window withdrew rough figures it had shown once a later pass added up worse; the gist named a
setting whose factor was ×1.00 as having moved the token. On the tiny model, a real store and the real CLI."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.cli import main  # noqa: E402
from desktop_app.core.generation import SamplingSettings  # noqa: E402
from desktop_app.core.sampler_facts import SamplerFacts  # noqa: E402
from desktop_app.core.sampler_words import other_settings_words, story_words  # noqa: E402
from desktop_app.gui.explain_words import drawn_words  # noqa: E402
from helpers import stored_answer  # noqa: E402


@pytest.fixture
def saved(tmp_path, tiny_model):
    settings = SamplingSettings(max_new_tokens=8, temperature=0.9, top_k=40, top_p=0.9, seed=5)
    return stored_answer(tiny_model, str(tmp_path / "explain69.sqlite3"), settings)


class Terminal(io.StringIO):
    """stderr as a terminal reads it (the progress line is drawn only there)."""

    def isatty(self) -> bool:
        return True


class CtrlCAtFirstPass(Terminal):
    """A terminal whose person presses Ctrl+C as the first passes are said: a real SIGINT to this process."""

    def write(self, text: str) -> int:
        if "passes" in text and not getattr(self, "pressed", False):
            self.pressed = True
            os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def _explain(monkeypatch, capsys, stderr, *argv) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stderr", stderr)
    # Ctrl+C as a terminal sends it: a pytest started in the background (`pytest &`) inherits SIGINT ignored, and the
    # real SIGINT these tests send did nothing there (exit 0 where 130 was meant)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = main(["explain", *argv])
    finally:
        signal.signal(signal.SIGINT, previous)
    return code, capsys.readouterr().out


def test_the_grid_and_the_sampler_come_before_the_attribution_whose_passes_a_terminal_sees(saved, capsys, monkeypatch):
    db, mid, _run = saved
    terminal = Terminal()
    code, out = _explain(monkeypatch, capsys, terminal, str(mid), "--token", "2", "--db", db)
    assert code == 0, terminal.getvalue()
    assert out.index("Layer by layer") < out.index("The sampler:") < out.index("rather than"), out
    said = terminal.getvalue()
    # the window's words, redrawn in place, and wiped before the figures
    assert "Working out which earlier words mattered (integrated gradients; Ctrl+C stops it" in said
    assert "\r\x1b[K2 of " in said and " passes \u00b7 " in said and " left" in said, said
    assert said.endswith("\r\x1b[K")


def test_no_attribution_prints_the_fast_part_alone_and_its_json_says_so(saved, capsys):
    db, mid, _run = saved
    assert main(["explain", str(mid), "--token", "2", "--db", db, "--no-attribution"]) == 0
    said = capsys.readouterr()
    assert "Layer by layer" in said.out and "The sampler:" in said.out
    assert "Which earlier tokens led to it: left out (--no-attribution)." in said.out
    assert "rather than" not in said.out and "which earlier tokens led to it" not in said.err
    assert main(["explain", str(mid), "--token", "2", "--db", db, "--no-attribution", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)  # one document
    assert data["attribution"] is None and data["attribution_left_out"] == "--no-attribution"
    assert data["lens"]["layers"] and data["sampler"]["top_k"] == 40
    assert main(["explain", str(mid), "--token", "2", "--db", db, "--json", "--steps", "2"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert whole["attribution"] is not None and "attribution_left_out" not in whole


def test_ctrl_c_during_the_attribution_keeps_the_grid_and_prints_the_rough_figures(saved, capsys, monkeypatch):
    db, mid, _run = saved
    terminal = CtrlCAtFirstPass()
    code, out = _explain(monkeypatch, capsys, terminal, str(mid), "--token", "2", "--db", db)
    assert code == 130
    assert "Layer by layer" in out and "The sampler:" in out
    assert "Stopped after 2 passes: the rough figures so far" in out and "rather than" in out, out
    assert ("gpt2-desk: interrupted: stopped working out which earlier tokens led to it after 2 passes; the rough "
            "figures so far are above") in terminal.getvalue()


def test_ctrl_c_under_json_keeps_one_document_with_the_rough_figures(saved, capsys, monkeypatch):
    db, mid, _run = saved
    code, out = _explain(monkeypatch, capsys, CtrlCAtFirstPass(), str(mid), "--token", "2", "--db", db, "--json")
    assert code == 130
    data = json.loads(out)  # one document: the error and the figures so far
    assert data["exit_code"] == 130 and data["attribution_stopped"] is True
    assert data["error"].endswith("after 2 passes; the rough figures so far are in the JSON")
    assert data["attribution"]["steps"] == 1 and data["lens"]["layers"]


def _facts(stages, raw, **settings) -> SamplerFacts:
    return SamplerFacts(token_id=1, raw_prob=raw, used_prob=stages[-1][1], kept=True, kept_size=3, mass95_size=4,
                        top_k=50, top_p=0.95, greedy=False, stages=tuple(stages),
                        **{"temperature": 1.0, "repetition_penalty": 1.0, **settings})


def _story(s) -> str:
    steps, ends_there = story_words(s, "answer")
    return f"The model alone gave it {s.raw_prob * 100:.1f}%" + (f"; {steps}" if steps else "") + \
        drawn_words(s, bool(steps), ends_there) + "."


def test_a_setting_of_times_one_is_not_named_as_having_moved_the_token():
    # " Paris": the penalty moved 98.94% to 98.96% (×1.00), across the tenth the figure is rounded to
    s = _facts([("repetition penalty", 0.9896), ("temperature", 0.99995), ("top-k", 0.99995), ("top-p", 0.99995)],
               0.9894, temperature=0.4, repetition_penalty=1.1)
    assert other_settings_words(s) == "temperature 0.4"
    assert _story(s) == ("The model alone gave it 98.9%; temperature 0.4 took that to <b>100.0%</b>, "
                         "the chance it was drawn with.")


def test_settings_of_times_one_each_across_a_rounding_are_said_as_such():
    s = _facts([("repetition penalty", 0.9996), ("temperature", 0.99995), ("top-k", 0.99995), ("top-p", 0.99995)],
               0.9994, temperature=0.4, repetition_penalty=1.1)
    assert other_settings_words(s) == ""
    assert _story(s) == ("The model alone gave it 99.9%; no sampling setting changed that by more than \u00d71.00: "
                         "it was drawn at <b>100.0%</b>.")


def _rough(scores, steps, difference=1.0):
    """Figures after ``steps + 1`` passes of "What is the capital of France?" → " Paris" (not " London")."""
    from desktop_app.core.attribution import Attribution

    return Attribution(token_ids=[1, 2, 3, 4], token_texts=["What", " capital", " of", " France"], scores=scores,
                       target_id=5, other_id=6, target_text=" Paris", other_text=" London", difference=difference,
                       baseline_difference=0.0, steps=steps)


def test_rough_figures_once_listed_stay_when_a_later_pass_adds_up_worse(qtbot):
    from desktop_app.gui.explain_view import ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    ranking = view.ranking
    ranking.working(in_text=False)
    ranking.show_estimate(_rough([0.9, 0.05, 0.02, 0.25], 8))  # 22% off: settled, no place kept yet
    ranking.show_estimate(_rough([0.85, 0.04, 0.02, 0.29], 16))  # 20% off, the same places: listed
    assert not ranking.rows.isHidden() and "France" in ranking.rows.text()
    listed = ranking.rows.text()
    ranking.show_estimate(_rough([1.1, 0.06, 0.01, 0.29], 32))  # 46% off: it had hidden the list
    assert not ranking.rows.isHidden() and ranking.rows.text() == listed, "the list listed stays, greyed"
    caption = ranking.caption.text()
    assert caption.startswith("Rough result after 17 passes") and "too rough to show" not in caption
    assert "after 33 passes the check reads about 46% off" in caption, caption
    assert ranking.figures_shown
    ranking.stopped(started=True)
    assert ranking.caption.text() == ("Stopped after 33 passes: the figures below are rough ones from pass 17; the "
                                      "last check read about 46% off: read them loosely.")
    assert not ranking.rows.isHidden()


def test_figures_too_rough_from_the_start_are_still_not_listed(qtbot):
    from desktop_app.gui.explain_view import ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    view.ranking.working(in_text=False)
    view.ranking.show_estimate(_rough([1.1, 0.06, 0.01, 0.29], 16))
    view.ranking.show_estimate(_rough([1.1, 0.06, 0.01, 0.29], 32))
    assert view.ranking.rows.isHidden() and "too rough to show" in view.ranking.caption.text()
    view.ranking.clear()
    assert view.ranking.listed is None
