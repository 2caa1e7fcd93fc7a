"""inspector78, finding 7: `gpt2-desk explain` said "The chosen token is not the top-1 at any layer" and named no
one, where the window's grid names the last layer's leader and the layer it leads from; its JSON had no
``leads_from`` or ``last_top`` (a script worked them out from ``layer_top``). Both on the tiny model, real store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.cli import main  # noqa: E402
from desktop_app.core.generation import SamplingSettings  # noqa: E402
from desktop_app.core.percent_words import percent  # noqa: E402
from desktop_app.core.token_words import token_label  # noqa: E402
from helpers import stored_answer  # noqa: E402


@pytest.fixture
def saved(tmp_path, tiny_model):
    """A hot-sampled answer of the tiny model: most of its tokens are not the model's first choice."""
    settings = SamplingSettings(max_new_tokens=8, temperature=1.5, top_k=0, top_p=1.0, seed=11)
    return stored_answer(tiny_model, str(tmp_path / "explain.sqlite3"), settings)


def _explain(capsys, db, mid, token, *more):
    code = main(["explain", str(mid), "--token", str(token), "--db", db, "--steps", "4", *more])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _never_ahead(capsys, db, mid, run) -> tuple[int, dict]:
    """The first token not the top-1 at any layer, and its lens as the JSON has it."""
    for i, record in enumerate(run.records):
        if record.rank > 1:
            lens = json.loads(_explain(capsys, db, mid, i, "--json"))["lens"]
            if lens["first_top1"] is None:
                return i, lens
    raise AssertionError("every sampled token led at some layer: sample hotter")


def test_a_token_never_ahead_names_the_leader_in_text_and_json(saved, capsys):
    db, mid, run = saved
    never, lens = _never_ahead(capsys, db, mid, run)
    last = lens["layer_top"][-1]
    assert lens["last_top"]["id"] == last["id"] and lens["last_top"]["prob"] == last["prob"]
    rows = len(lens["layers"])
    ahead_from = next(r for r in range(rows) if all(t["id"] == last["id"] for t in lens["layer_top"][r:]))
    assert lens["last_top"]["leads_from"] == ahead_from and lens["leads_from"] is None  # not the last layer's
    text = _explain(capsys, db, mid, never)
    line = next(line for line in text.splitlines() if "not the top-1 at any layer" in line)
    assert f"the last layer's is \u201c{token_label(last['text'])}\u201d ({percent(last['prob'])}), ahead" in line, line


def test_the_written_tokens_own_lead_is_in_the_json(tmp_path, tiny_model, capsys):
    greedy = SamplingSettings(max_new_tokens=3, top_k=1, seed=2)  # each token the model's first choice
    db, mid, run = stored_answer(tiny_model, str(tmp_path / "greedy.sqlite3"), greedy)
    first = next(i for i, r in enumerate(run.records) if r.rank == 1)
    lens = json.loads(_explain(capsys, db, mid, first, "--json"))["lens"]
    assert lens["last_top"]["id"] == lens["tokens"][0]["id"]  # the written token is the last layer's choice
    assert lens["leads_from"] == lens["last_top"]["leads_from"] is not None
