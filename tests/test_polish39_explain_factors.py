"""`gpt2-desk explain` prints, setting by setting, how many times likelier the sampler made the
token (the window's "Why this token?" words, from core.sampler_words), and the factors multiply to
the total it shows: the real CLI on the tiny model and a real SQLite store (polish 39)."""

from __future__ import annotations

import json
import math
import re

import pytest

from desktop_app.cli import main
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.percent_words import percent
from desktop_app.core.sampler_words import STAGES_HEAD, movers_words, stages_words
from helpers import stored_answer

EVERY_SETTING = SamplingSettings(max_new_tokens=10, temperature=0.7, top_k=40, top_p=0.9, min_p=0.02,
                                 repetition_penalty=1.3, seed=5)
ROW = re.compile(r"^    (.+?)\s+\u00d7([0-9.e-]+)", re.M)


@pytest.fixture
def saved(tmp_path, tiny_model):
    """A sampled answer of the tiny model with every sampler setting on, stored as the app stores it."""
    return stored_answer(tiny_model, str(tmp_path / "factors.sqlite3"), EVERY_SETTING)


def explained(capsys, *argv) -> str:
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_the_text_lists_each_setting_and_they_multiply_to_the_total(saved, capsys):
    db, mid, run = saved
    index = len(run.records) - 1  # late in the answer: the repetition penalty has tokens to act on
    text = explained(capsys, str(mid), "--token", str(index), "--db", db, "--steps", "2")
    data = json.loads(explained(capsys, str(mid), "--token", str(index), "--db", db, "--steps", "2", "--json"))
    sampler = data["sampler"]
    assert f"{STAGES_HEAD} (how many times likelier each setting made this token):" in text
    rows = dict(ROW.findall(text))
    names = ["repetition penalty 1.3", "temperature 0.7", "top-k 40", "min-p 0.02", "top-p 0.9"]
    stages = [name for name, _ in sampler["stages"]]
    assert stages == ["repetition penalty", "temperature", "top-k", "min-p", "top-p"]
    assert list(rows) == names + ["together"], text
    product = math.prod(float(rows[name]) for name in names)
    total = float(rows["together"])
    assert math.isclose(product, total, rel_tol=0.02, abs_tol=0.005), (product, total)
    assert math.isclose(total, sampler["used_prob"] / sampler["raw_prob"], rel_tol=0.01, abs_tol=0.005)
    # in the percent words of the probability line above it, as every probability the CLI prints (cliwords74)
    assert f"{percent(sampler['raw_prob'])} under the model \u2192 {percent(sampler['used_prob'])} as sampled" in text


def test_the_words_are_the_windows(saved, capsys, tiny_model):
    """The CLI and the window say the same: the sentence the window shows lists what the CLI's rows do."""
    from desktop_app.core.sampler_facts import SamplerFacts

    db, mid, run = saved
    text = explained(capsys, str(mid), "--token", "3", "--db", db, "--steps", "2")
    facts = json.loads(explained(capsys, str(mid), "--token", "3", "--db", db, "--steps", "2", "--json"))["sampler"]
    facts = SamplerFacts(**{**facts, "stages": tuple(map(tuple, facts["stages"])),
                            "lowered": tuple(map(tuple, facts["lowered"]))})
    sentence = stages_words(facts)
    for name, factor in ROW.findall(text):
        if name != "together":
            assert f"{name} \u00d7{factor}" in sentence
    assert f"(together \u00d7{dict(ROW.findall(text))['together']})" in sentence
    moved = movers_words(facts, "answer")
    assert (f"  Moved most by: {moved}." in text) if moved else "Moved most by" not in text


def test_greedy_and_a_chosen_token_print_no_factors(tmp_path, tiny_model, capsys):
    greedy = SamplingSettings(max_new_tokens=4, temperature=0.0)
    db, mid, _run = stored_answer(tiny_model, str(tmp_path / "greedy.sqlite3"), greedy, question="Hi")
    text = explained(capsys, str(mid), "--token", "1", "--db", db, "--steps", "2")
    assert "The sampler: greedy" in text and STAGES_HEAD not in text
