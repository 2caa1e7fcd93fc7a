"""`gpt2-desk import` of examples the store already holds (cli12's finding): the same file twice made
its conversations twice, which doubled their ratings for the next fine-tune. The real CLI, real SQLite."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.store import Store
from test_store_cli import rated_db, run  # noqa: F401

EXAMPLES = [
    {"prompt": [{"role": "user", "content": "What is 2+2?"}], "completion": [{"role": "assistant", "content": "4"}],
     "label": True},
    {"prompt": "The sky is", "completion": " green.", "label": False},
    {"prompt": [{"role": "user", "content": "Capital of France?"}], "chosen": "Paris", "rejected": "Lyon"},
]


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "data"))
    return str(tmp_path / "cli.sqlite3")


def _write(path, examples) -> str:
    path.write_text("".join(json.dumps(x) + "\n" for x in examples))
    return str(path)


def _counts(db) -> tuple[int, dict]:
    with Store.open(db) as s:
        return len(s.list_conversations()), s.rating_counts()


def test_the_same_file_twice_adds_nothing_the_second_time(db, capsys, tmp_path):
    file = _write(tmp_path / "ratings.jsonl", EXAMPLES)
    code, out, _ = run(capsys, "--db", db, "import", file)
    assert code == 0 and out.startswith("imported 3 examples") and "already here" not in out
    first = _counts(db)
    code, out, _ = run(capsys, "--db", db, "import", file)
    assert code == 0
    assert "imported nothing; 3 examples already here (the same messages and ratings), skipped" in out
    assert _counts(db) == first == (3, {"thumbs_up": 2, "thumbs_down": 2, "token_ratings": 0, "corrections": 0})


def test_only_the_new_examples_of_a_longer_file_come_in(db, capsys, tmp_path):
    run(capsys, "--db", db, "import", _write(tmp_path / "a.jsonl", EXAMPLES[:2]))
    code, out, _ = run(capsys, "--db", db, "import", _write(tmp_path / "b.jsonl", EXAMPLES))
    assert code == 0 and out.startswith("imported 1 example into") and "2 examples already here" in out
    assert _counts(db)[0] == 3


def test_another_rating_of_the_same_answer_is_not_a_duplicate(db, capsys, tmp_path):
    run(capsys, "--db", db, "import", _write(tmp_path / "a.jsonl", EXAMPLES[:1]))
    liked_then_disliked = dict(EXAMPLES[0], label=False)
    code, out, _ = run(capsys, "--db", db, "import", _write(tmp_path / "b.jsonl", [liked_then_disliked]))
    assert code == 0 and out.startswith("imported 1 example") and "already here" not in out


def test_a_file_that_holds_an_example_twice_brings_both_then_none(db, capsys, tmp_path):
    file = _write(tmp_path / "twice.jsonl", [EXAMPLES[0], EXAMPLES[0]])
    assert run(capsys, "--db", db, "import", file)[1].startswith("imported 2 examples")
    code, out, _ = run(capsys, "--db", db, "import", file)
    assert "imported nothing; 2 examples already here" in out
    assert _counts(db)[0] == 2


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_this_stores_own_export_read_back_adds_nothing(db, capsys, tmp_path, fmt):
    rated_db(db, capsys)
    before = _counts(db)
    out_file = str(tmp_path / f"mine.{fmt}.jsonl")
    assert run(capsys, "--db", db, "export", "--format", fmt, "--out", out_file)[0] == 0
    code, out, _ = run(capsys, "--db", db, "import", out_file)
    assert code == 0 and out.startswith("imported nothing;") and "already here" in out
    assert _counts(db) == before
