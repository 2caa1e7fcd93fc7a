"""cli63: the JSON's "entropy" was in nats where every text, table and the window say bits, and only --help said so.
Each record now also carries "entropy_bits", and each object with records a "units" map; "entropy" stays in nats
for the scripts (and the window's exports, which `import` reads back) that read it."""

from __future__ import annotations

import json
import math

import pytest

from desktop_app.core.records import RECORD_UNITS, TokenRecord


def test_a_record_gives_its_entropy_in_both_units_and_reads_back():
    record = TokenRecord(id=7, text=" cat", logprob=math.log(0.25), rank=2, entropy=2 * math.log(2))
    data = record.to_json()
    assert data["entropy_bits"] == pytest.approx(2.0) and data["entropy"] == pytest.approx(1.386, abs=1e-3)
    assert TokenRecord.from_json(data) == record
    assert set(RECORD_UNITS) >= {"entropy", "entropy_bits", "logprob"} and "nats" in RECORD_UNITS["entropy"]


def test_score_json_s_entropy_bits_is_the_table_s_and_names_its_units(run_cli):
    code, table, _ = run_cli("score", "The cat sat on the mat")
    assert code == 0
    bits = [float(line.split("\t")[5]) for line in table.splitlines() if line[:1].isdigit()]
    code, out, _ = run_cli("score", "--json", "The cat sat on the mat")
    said = json.loads(out)
    assert [t["entropy_bits"] for t in said["tokens"]] == pytest.approx(bits, abs=1e-3)
    assert [t["entropy"] for t in said["tokens"]] == pytest.approx([b * math.log(2) for b in bits], abs=2e-3)
    assert said["units"]["entropy_bits"].startswith("bits") and said["units"]["entropy"].startswith("nats")


def test_ask_and_history_tokens_json_carry_the_same_units(run_cli):
    code, out, _ = run_cli("ask", "--json", "--max-new-tokens", "3", "--seed", "1", "Hi")
    assert code == 0
    asked = json.loads(out)
    assert asked["units"] == RECORD_UNITS
    code, out, _ = run_cli("history", "1", "--tokens", "--json")  # the test's own data folder: its one conversation
    assert code == 0
    (answer,) = json.loads(out)
    assert answer["units"] == RECORD_UNITS
    assert [t["entropy_bits"] for t in answer["tokens"]] == pytest.approx([t["entropy_bits"] for t in asked["tokens"]],
                                                                          abs=1e-4)



def test_explain_json_names_its_units(tmp_path, tiny_model, capsys):
    from desktop_app.cli import main
    from desktop_app.core.generation import SamplingSettings
    from helpers import stored_answer

    db, message, _run = stored_answer(tiny_model, str(tmp_path / "explain.sqlite3"),
                                      SamplingSettings(max_new_tokens=3, temperature=0.9, seed=5))
    assert main(["explain", str(message), "--token", "1", "--db", db, "--steps", "4", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert "nats" in said["units"]["attribution"] and said["attribution"]["difference"] is not None
    assert said["units"]["lens.probs"].startswith("probability")
