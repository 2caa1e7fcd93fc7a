"""What the command line says, found by checking the README against it (docs48; the real CLI, real SQLite):
`export --trl-script` with no --model named `--model gpt2` in the script's closing note even when the ratings
came from the bundled model, so following it imported the adapter onto the wrong base; an import of more lines
than examples did not say why."""

from __future__ import annotations

import argparse
import json

from desktop_app.cli import exchange_cmds


def test_the_script_note_names_the_model_the_ratings_came_from(tmp_path):
    dataset = tmp_path / "r.jsonl"
    dataset.write_text(json.dumps({"prompt": "Hi?", "completion": "Hello.", "label": True}) + "\n", encoding="utf-8")
    script = tmp_path / "train.py"
    # no --model: the default, which offline (HF_HUB_OFFLINE in the tests) is the bundled model
    exchange_cmds._write_trl_script(argparse.Namespace(model=None, format="kto"), script, dataset)
    text = script.read_text(encoding="utf-8")
    assert "--model bundled" in text and "--model gpt2" not in text


def test_an_import_of_more_lines_than_examples_says_why(tmp_path, capsys, monkeypatch):
    """A kto export of sibling answers and of a corrected answer and its correction: 4 lines, 2 examples.
    'imported 2 examples' alone read as if lines were lost (docs48)."""
    from test_store_cli import rated_db, run

    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "data"))
    db, out = str(tmp_path / "a.sqlite3"), tmp_path / "kto.jsonl"
    rated_db(db, capsys)
    assert run(capsys, "--db", db, "export", "--format", "kto", "--out", str(out))[0] == 0
    code, said, _err = run(capsys, "--db", str(tmp_path / "b.sqlite3"), "import", str(out))
    assert code == 0 and said.startswith("imported 2 examples into conversations 1..2 (from 4 lines: sibling answers")
