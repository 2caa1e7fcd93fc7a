"""`gpt2-desk explain` in-process, on the tiny model and a real SQLite store."""

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
from helpers import stored_answer  # noqa: E402


@pytest.fixture
def saved(tmp_path, tiny_model):
    """A sampled answer of the tiny model, stored as the app stores it (model id, settings, records)."""
    settings = SamplingSettings(max_new_tokens=10, temperature=0.9, top_k=40, top_p=0.9, seed=5)
    return stored_answer(tiny_model, str(tmp_path / "explain.sqlite3"), settings)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_json_has_lens_attribution_and_sampler(saved, capsys):
    db, mid, run = saved
    code, out, err = run_cli(capsys, "explain", str(mid), "--token", "2", "--db", db, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["token"]["id"] == run.records[2].id and data["token_index"] == 2
    lens = data["lens"]
    assert lens["layers"] == ["embeddings", "layer 1", "layer 2"]
    assert abs(lens["probs"][-1][0] - run.records[2].prob) < 1e-5
    attribution = data["attribution"]
    assert attribution["complete"] and attribution["gap"] <= 0.05
    assert len(attribution["tokens"]) == attribution["prompt_tokens"] + 2  # the prompt and answer tokens 0, 1
    sampler = data["sampler"]
    assert sampler["kept"] and sampler["top_k"] == 40 and sampler["temperature"] == 0.9
    assert 1 <= sampler["kept_size"] <= 40 and sampler["mass95_size"] >= 1


def test_explain_text_grid_vs_and_colour(saved, capsys):
    db, mid, run = saved
    code, out, err = run_cli(capsys, "explain", str(mid), "--token", "1", "--db", db, "--vs", "#0", "--color")
    assert code == 0, err
    assert "Layer by layer" in out and "embeddings" in out and "layer 2" in out
    assert "\x1b[48;2;" in out  # cells on the heatmap's colours
    assert "rather than" in out and "gap" in out and "The sampler: temperature 0.9, top-k 40, top-p 0.9" in out
    plain = run_cli(capsys, "explain", str(mid), "--token", "1", "--db", db)[1]
    assert "\x1b[" not in plain and "layer 1" in plain


def test_explain_says_what_is_wrong(saved, capsys):
    db, mid, run = saved
    code, _, err = run_cli(capsys, "explain", str(mid), "--token", "99", "--db", db)
    assert code == 2 and f"has {len(run.records)} tokens" in err
    code, _, err = run_cli(capsys, "explain", str(mid), "--token", "0", "--db", db, "--vs", "capital of France")
    assert code == 2 and "tokens for this model" in err
    code, _, err = run_cli(capsys, "explain", "12345", "--token", "0", "--db", db)
    assert code == 2 and "no message 12345" in err


def test_the_message_model_is_opened_by_default():
    from desktop_app.cli.explain_cmds import spec_for_model_id

    assert spec_for_model_id("bundled:SmolLM2-135M-Instruct") == "bundled"
    assert spec_for_model_id("folder:/models/tiny") == "/models/tiny"
    assert spec_for_model_id("gguf:/m/x.gguf") == "/m/x.gguf"
    assert spec_for_model_id("openai-community/gpt2") == "openai-community/gpt2"
    assert spec_for_model_id(None) is None
