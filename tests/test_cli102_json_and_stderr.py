"""cli102: `rate` and `correct` take --json and print the stored rating; `adapters export` says what it wrote on
stderr (stdout is for --json's result); `adapters export 99` and `finetune --epochs -1` refuse before transformers'
import, and refusals end with a full stop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from test_cli102_light_tokenizer import _cli_in_a_fresh_python, _rated_store


def _ratings(mid: int) -> list[dict]:
    with Store.open(AppPaths.resolve().db_path) as store:
        return store.ratings(mid)


def test_rate_json_prints_the_stored_rating(tiny_model_dir, capsys):
    mid = _rated_store(tiny_model_dir)
    assert main(["rate", str(mid), "up", "--note", "clear", "--json"]) == 0
    said = capsys.readouterr()
    thumb = json.loads(said.out)
    stored = next(r for r in _ratings(mid) if r["token_index"] is None)
    assert thumb == {"id": stored["id"], "message": mid, "kind": "message", "token": None, "value": 1, "note": "clear"}
    assert f"rated message {mid} up" in said.err
    assert main(["rate", str(mid), "down", "--token", "1", "--json", "--model", str(tiny_model_dir)]) == 0
    token = json.loads(capsys.readouterr().out)
    assert token["kind"] == "token" and token["token"] == 1 and token["value"] == -1
    assert token["id"] in {r["id"] for r in _ratings(mid) if r["token_index"] == 1}
    assert main(["rate", str(mid), "clear", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": None, "message": mid, "kind": "message", "token": None,
                                                        "value": None, "note": None, "cleared": True}


def test_correct_json_prints_the_stored_correction(tiny_model_dir, capsys):
    mid = _rated_store(tiny_model_dir)
    assert main(["correct", str(mid), "I am well.", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first == {"id": None, "message": mid, "kind": "correction", "value": "I am well.", "replaced": None}
    assert main(["correct", str(mid), "Very well.", "--json"]) == 0
    said = capsys.readouterr()
    assert json.loads(said.out)["replaced"] == "I am well." and "replaced the earlier correction" in said.err


@pytest.mark.parametrize("argv", [["adapters", "export", "99", "--format", "peft", "--out", "{tmp}/x"],
                                  ["finetune", "--epochs", "-1"]])
def test_refusals_come_before_transformers_import(argv, tmp_path):
    said = _cli_in_a_fresh_python(*[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert said["code"] == 2 and said["heavy"] == []
    assert said["err"].strip().endswith(".")


def test_the_epochs_refusal_ends_with_a_full_stop(capsys):
    assert main(["finetune", "--epochs", "-1"]) == 2
    assert "--epochs -1 is out of range: give a whole number from 1 up." in capsys.readouterr().err


def test_adapters_export_says_what_it_wrote_on_stderr(tmp_path, tiny_model_dir, capsys):
    from test_cli42_fixes import _active_adapter

    data = tmp_path / "appdata"
    aid = _active_adapter(data, tiny_model_dir)
    out = tmp_path / "adapter"
    assert main(["adapters", "export", str(aid), "--format", "peft", "--out", str(out), "--data-dir", str(data)]) == 0
    said = capsys.readouterr()
    assert said.out == ""
    assert f"wrote {out}" in said.err and Path(out).is_dir()
