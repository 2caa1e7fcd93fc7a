"""Token ratings were in none of TRL's export formats, so an export read back lost them all; and a dpo
export left out thumbs that had no opposite sibling to pair with, without a word. An answer's token
ratings now ride on the rows that hold it (keys TRL's trainers leave alone) and come back on import, in
every format; an export says what it left out, and why (its output and --json)."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core import exchange
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_trip40_trl_round_trip import export, source  # noqa: F401  (source: a fixture)

TOKEN_KEYS = ("token_ratings", "token_rated_answers")


def counts(store, loaded) -> dict:
    return build_training_data(store, loaded.tokenizer, loaded.context_window).counts()


def imported_counts(tmp_path, name, files, loaded) -> dict:
    paths = AppPaths.resolve(tmp_path / name).ensure()
    for path in files:
        assert main(["import", str(path), "--data-dir", str(paths.data_dir)]) == 0
    with Store.open(paths.db_path) as store:
        return counts(store, loaded)


def test_token_ratings_come_back_from_the_three_formats(source, tmp_path, tiny_model_dir):
    store, paths, loaded = source
    before = counts(store, loaded)
    assert before["token_ratings"] == 2
    files = [export(paths, tmp_path, tiny_model_dir, fmt) for fmt in ("kto", "dpo", "sft")]
    assert imported_counts(tmp_path, "fresh", files, loaded) == before  # token ratings included, once each


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_each_format_brings_back_the_token_ratings_of_the_answers_it_holds(source, tmp_path, tiny_model_dir, fmt):
    store, paths, loaded = source
    before = counts(store, loaded)
    file = export(paths, tmp_path, tiny_model_dir, fmt)
    left = sum(item.count for item in exchange.left_out(store, fmt) if item.what == "token ratings")
    after = imported_counts(tmp_path, fmt, [file], loaded)
    assert after["token_ratings"] == before["token_ratings"] - left
    assert after["token_ratings"] >= 1  # the liked answer's, in every format
    rows = [json.loads(line) for line in file.read_text().splitlines()]
    carried = [t for r in rows for k in exchange.TOKEN_KEYS for t in r.get(k, [])]
    assert len(carried) == after["token_ratings"] and all(set(t) >= {"token", "value"} for t in carried)


def test_a_dpo_export_says_which_thumbs_it_left_out_and_why(source, tmp_path, tiny_model_dir, capsys):
    _store, paths, _loaded = source
    out = tmp_path / "pairs.jsonl"
    capsys.readouterr()
    assert main(["export", "--format", "dpo", "--out", str(out), "--json", "--data-dir", str(paths.data_dir)]) == 0
    printed, said = capsys.readouterr()
    summary = json.loads(printed)
    assert summary["examples"] == len(out.read_text().splitlines()) and summary["path"] == str(out)
    assert summary["left_out"] == [
        {"count": 1, "what": "disliked answers", "why": "no liked answer to the same question, and no better "
                                                       "answer written, to pair with"},
        {"count": 1, "what": "token ratings", "why": "on answers in no pair"}]
    assert "left out 1 disliked answer: no liked answer to the same question" in said
    assert "left out 1 token rating: on answers in no pair" in said


def test_a_kto_export_leaves_nothing_out_and_json_needs_a_file(source, tmp_path, capsys):
    store, paths, _loaded = source
    assert exchange.left_out(store, "kto") == []
    capsys.readouterr()
    assert main(["export", "--format", "kto", "--json", "--data-dir", str(paths.data_dir)]) == 2
    printed, said = capsys.readouterr()
    assert "--json needs --out FILE" in said and json.loads(printed)["exit_code"] == 2


def test_bad_token_ratings_are_refused_naming_the_line(tmp_path):
    row = {"prompt": "Hi", "completion": "Hello", "label": True, "token_ratings": [{"token": -1, "value": 1}]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(exchange.ExchangeError, match=r"bad.jsonl line 1: each of \"token_ratings\" needs a token"):
        exchange.read_jsonl(path)
