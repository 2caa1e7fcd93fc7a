"""`gpt2-desk import FILE` reads FILE once: it told a conversation export from JSON Lines by reading the file,
then read it again to parse it. A file that can be read only once shows it: standard input as a file
(`… | gpt2-desk import /dev/stdin`, or `<(…)`), whose second read finds the pipe empty ("not valid JSON",
"holds no examples"). A real pipe, the real CLI in its own process, real SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.store import Store

pytestmark = pytest.mark.skipif(not Path("/dev/stdin").exists(), reason="needs /dev/stdin")
ROOT = Path(__file__).resolve().parents[1]


def _import_piped(tmp_path, text: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop_app", "import", "--db", str(tmp_path / "db.sqlite"),
                           "/dev/stdin"], input=text, capture_output=True, text=True, env=env, timeout=300)


def test_a_conversation_export_is_read_once(tmp_path):
    conversation = {"format": "gpt2-desk conversation", "version": 2, "title": "Piped", "messages": [
        {"id": 1, "parent_id": None, "role": "user", "text": "Hi"},
        {"id": 2, "parent_id": 1, "role": "assistant", "text": "Hello.", "rating": 1, "shown": True}]}
    done = _import_piped(tmp_path, json.dumps(conversation))
    assert done.returncode == 0, done.stderr
    assert "2 messages, 1 rating, 0 better answers" in done.stdout
    store = Store.open(tmp_path / "db.sqlite")
    try:
        [row] = store.list_conversations()
        assert row["title"] == "Piped"
    finally:
        store.close()


def test_json_lines_are_read_once(tmp_path):
    row = {"prompt": [{"role": "user", "content": "Hi"}], "completion": [{"role": "assistant", "content": "Hello."}],
           "label": True}
    done = _import_piped(tmp_path, json.dumps(row) + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported 1 example")
