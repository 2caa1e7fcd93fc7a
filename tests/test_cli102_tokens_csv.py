"""cli102: `analyse --export-csv` writes GLTR's summary; a researcher wanted one row per token. `--export-tokens-csv`
writes those rows, with the figures --json's records carry, and the summary's help points at it."""

from __future__ import annotations

import csv
import json
import math

import pytest

from desktop_app.core.text_export import TOKEN_CSV_COLUMNS

TEXT = "The quick brown fox jumps over the lazy dog. Emoji 😀 too."


def test_export_tokens_csv_writes_one_row_per_token_with_its_figures(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    rows_file = tmp_path / "tokens.csv"
    code, out, err = run_cli("analyse", str(essay), "--json", "--export-tokens-csv", str(rows_file))
    assert code == 0, err
    tokens = json.loads(out)["tokens"]
    with rows_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == TOKEN_CSV_COLUMNS
    assert len(rows) == len(tokens) > 5
    assert f"wrote {len(tokens):,} token rows to" in err
    for i, (row, token) in enumerate(zip(rows, tokens)):
        assert int(row["index"]) == i and row["text"] == token["text"] and int(row["id"]) == token["id"]
        assert float(row["prob"]) == pytest.approx(token["prob"]) and int(row["rank"]) == token["rank"]
        assert float(row["entropy_nats"]) == pytest.approx(token["entropy"])
        assert float(row["entropy_bits"]) == pytest.approx(token["entropy"] / math.log(2))
        assert float(row["surprisal_bits"]) == pytest.approx(-token["logprob"] / math.log(2))
        other = next(a for a in token["top"] if a["id"] != token["id"])
        assert row["top_alternative"] == other["text"]
        assert float(row["top_alternative_prob"]) == pytest.approx(other["prob"])
    assert "".join(r["text"] for r in rows) in TEXT


def test_export_tokens_csv_refuses_a_file_already_there(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    there = tmp_path / "tokens.csv"
    there.write_text("keep me", encoding="utf-8")
    code, _, err = run_cli("analyse", str(essay), "--export-tokens-csv", str(there))
    assert code != 0 and there.read_text(encoding="utf-8") == "keep me"


def test_the_summary_csvs_help_points_at_the_tokens_csv(capsys):
    from desktop_app.cli import main

    with pytest.raises(SystemExit):
        main(["analyse", "--help"])
    said = "".join(capsys.readouterr().out.split())  # argparse wraps lines at a hyphen too
    # one --out, the file's ending choosing the summary or the rows (cli105; the old --export-*-csv names hidden)
    assert ".summary.csv(GLTR'ssummary" in said
    assert ".tokens.csv(onerowpertoken:index,text,id,prob" in said
