"""`export --trl-script` with no --model: the script's closing note named `--model gpt2` even when the ratings
came from the bundled model (docs48), so following it imported the adapter onto the wrong base."""

from __future__ import annotations

import argparse
import json

from desktop_app.cli import store_cmds


def test_the_script_note_names_the_model_the_ratings_came_from(tmp_path):
    dataset = tmp_path / "r.jsonl"
    dataset.write_text(json.dumps({"prompt": "Hi?", "completion": "Hello.", "label": True}) + "\n", encoding="utf-8")
    script = tmp_path / "train.py"
    # no --model: the default, which offline (HF_HUB_OFFLINE in the tests) is the bundled model
    store_cmds._write_trl_script(argparse.Namespace(model=None, format="kto"), script, dataset)
    text = script.read_text(encoding="utf-8")
    assert "--model bundled" in text and "--model gpt2" not in text
