"""cli102: `rate --token` and `export` read the model folder's tokenizer.json with the `tokenizers` library alone
(core/file_tokenizer.py), not transformers: the same ids, bytes and special tokens, and no torch imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.file_tokenizer import FileTokenizer, read_file_tokenizer
from desktop_app.core.prompts import encode
from desktop_app.core.text_pieces import piece_texts, token_bytes

TEXTS = ["Hello, how are you? 😀🎉 café, naïve", "日本語のテキスト\tand tabs\n\n<|endoftext|> after", " The capital is Paris."]
ROOT = Path(__file__).resolve().parent.parent


def _same_as_transformers(folder: Path) -> None:
    from transformers import AutoTokenizer

    theirs = AutoTokenizer.from_pretrained(folder)
    ours = read_file_tokenizer(folder)
    assert isinstance(ours, FileTokenizer)
    assert len(ours) == len(theirs)
    # the file marks more added tokens special than transformers names (SmolLM2's <|im_start|>): their bytes agree
    assert set(theirs.all_special_ids) <= set(ours.all_special_ids)
    for text in TEXTS:
        ids = encode(theirs, text)
        assert encode(ours, text) == ids
        assert token_bytes(ours, ids) == token_bytes(theirs, ids)
        assert piece_texts(ours, ids) == piece_texts(theirs, ids)
        assert ours.decode(ids) == theirs.decode(ids, clean_up_tokenization_spaces=False)
    every = list(range(len(theirs)))
    assert token_bytes(ours, every) == token_bytes(theirs, every)


def test_the_tiny_models_tokenizer_file_reads_as_transformers_does(tiny_model_dir):
    _same_as_transformers(tiny_model_dir)


def test_the_bundled_models_tokenizer_file_reads_as_transformers_does(bundled_model_dir):
    _same_as_transformers(bundled_model_dir)


def test_a_folder_without_tokenizer_json_is_left_to_transformers(tmp_path):
    assert read_file_tokenizer(tmp_path) is None


def _rated_store(folder: Path) -> int:
    """A stored answer with token records of the tiny model's tokens; its message id."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.records import TokenRecord
    from desktop_app.core.store import Store

    tokenizer = read_file_tokenizer(folder)
    ids = encode(tokenizer, "I am fine 😀 thanks")
    records = [TokenRecord(i, piece, -1.0, 1, 1.0) for i, piece in zip(ids, piece_texts(tokenizer, ids))]
    with Store.open(AppPaths.resolve().db_path) as store:
        conv = store.create_conversation()
        user = store.add_message(conv, "user", "Hi")
        return store.add_message(conv, "assistant", "I am fine 😀 thanks", parent_id=user, records=records,
                                 model_id=f"folder:{folder}")


def _cli_in_a_fresh_python(*argv: str) -> dict:
    """``gpt2-desk argv`` in a new interpreter; its exit code, output and whether it imported torch or transformers."""
    script = ("import json, sys\nfrom desktop_app.cli import main\ncode = main(sys.argv[1:])\n"
              "print(json.dumps({'code': code, 'heavy': sorted({'torch', 'transformers'} & set(sys.modules))}))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, env=env, timeout=300)
    said = json.loads(done.stdout.strip().splitlines()[-1])
    return {**said, "out": done.stdout, "err": done.stderr}


def test_rate_token_reads_the_tokenizer_without_torch(tiny_model_dir):
    mid = _rated_store(tiny_model_dir)
    said = _cli_in_a_fresh_python("rate", str(mid), "down", "--token", "2", "--model", str(tiny_model_dir))
    assert said["code"] == 0, said["err"]
    assert "rated token 3" in said["out"]
    assert said["heavy"] == []


def test_export_reads_the_tokenizer_without_torch(tiny_model_dir, tmp_path):
    mid = _rated_store(tiny_model_dir)
    assert _cli_in_a_fresh_python("rate", str(mid), "down", "--token", "1", "--model", str(tiny_model_dir))["code"] == 0
    assert _cli_in_a_fresh_python("rate", str(mid), "down")["code"] == 0
    out = tmp_path / "kto.jsonl"
    said = _cli_in_a_fresh_python("export", "--format", "kto", "--out", str(out), "--model", str(tiny_model_dir))
    assert said["code"] == 0, said["err"]
    assert said["heavy"] == []
    assert out.read_text(encoding="utf-8").strip()
    assert "could not be read" not in said["err"]
