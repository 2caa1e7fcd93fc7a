"""An import killed (SIGKILL) midway leaves the store as it was (usertest52 asked): a ratings import
writes in one transaction, so the examples it had written go with it; an adapter import records its
adapter in one row after its files are in place, so a kill leaves no row, and the folder it had moved
in, which nothing lists, is removed by the next import (core.adapters.cleanup_unlisted). An error
midway (here a real SQLite trigger that refuses a write) leaves nothing either. Real SQLite files, the
tiny model, child processes killed as a person's machine would kill them."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.adapters import META_FILE, cleanup_unlisted
from desktop_app.core.exchange import import_jsonl
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "tests" / "robust101_import_kill_child.py"
EXAMPLES = 10


def _ratings_file(folder: Path) -> Path:
    path = folder / "ratings.jsonl"
    rows = [{"prompt": [{"role": "user", "content": f"Question {n}?"}],
             "completion": [{"role": "assistant", "content": f"Answer {n}."}], "label": n % 2 == 0}
            for n in range(EXAMPLES)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _killed_when_halted(*args: str) -> None:
    """Run the child until it says it halted inside the import's write, then SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    try:
        said = child.stdout.readline().strip()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert said == "HALTED", errors[-3000:]
    assert child.returncode == -signal.SIGKILL


def _rows(store: Store) -> tuple[int, int, int]:
    with store.snapshot() as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("conversations", "messages", "ratings"))


def test_a_ratings_import_killed_midway_leaves_nothing_and_imports_whole_again(tmp_path):
    db, ratings = tmp_path / "store.sqlite3", _ratings_file(tmp_path)
    Store.open(db).close()
    _killed_when_halted("ratings", str(db), str(ratings))
    store = Store.open(db)
    try:
        assert store.integrity_check() == ["ok"]
        assert _rows(store) == (0, 0, 0), "half an import would count some ratings for the next fine-tune"
        done = import_jsonl(store, ratings)
        assert len(done.conversation_ids) == EXAMPLES and _rows(store) == (EXAMPLES, 2 * EXAMPLES, EXAMPLES)
    finally:
        store.close()


def test_an_error_midway_through_a_ratings_import_leaves_nothing(store, tmp_path):
    ratings = _ratings_file(tmp_path)
    conn = store._conn()  # a trigger of this connection only: the disk refusing the seventh message
    conn.execute("CREATE TEMP TRIGGER refuse AFTER INSERT ON messages WHEN (SELECT count(*) FROM messages) >= 7 "
                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(sqlite3.IntegrityError, match="refused"):
        import_jsonl(store, ratings)
    assert _rows(store) == (0, 0, 0)
    conn.execute("DROP TRIGGER refuse")
    assert len(import_jsonl(store, ratings).conversation_ids) == EXAMPLES


def _adapter(model_dir, out: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear")).save_pretrained(str(out))
    return out


def _app_folders(adapters_dir: Path) -> list[str]:
    return sorted(p.name for p in adapters_dir.iterdir() if (p / META_FILE).is_file()) if adapters_dir.is_dir() else []


def test_an_adapter_import_killed_as_it_records_leaves_no_row_and_its_folder_goes(tiny_model_dir, tmp_path):
    adapter = _adapter(tiny_model_dir, tmp_path / "exported")
    _killed_when_halted("adapter", str(tiny_model_dir), str(adapter))
    paths = AppPaths.resolve().ensure()
    adapters_dir = Path(paths.adapters_dir)
    store = Store.open(paths.db_path)
    try:
        assert store.integrity_check() == ["ok"]
        assert store.list_adapters() == [], "no adapter listed from a killed import"
        left = _app_folders(adapters_dir)
        assert len(left) == 1 and left[0].startswith("imported-"), left  # in place, not recorded
        assert cleanup_unlisted(store, paths) == [], "a fresh one may be a live import's: kept for an hour"
        kept_id = store.add_adapter(str(adapters_dir / "listed"), base_model="m")
        # a data folder copied from elsewhere: its row keeps the old full path, its folder is here by name
        moved_id = store.add_adapter(str(tmp_path / "old-data" / "adapters" / "moved"), base_model="m")
        two_hours_ago = time.time() - 7200
        for name in ("listed", "moved"):
            (adapters_dir / name).mkdir()
            (adapters_dir / name / META_FILE).write_text("{}")
            os.utime(adapters_dir / name, (two_hours_ago, two_hours_ago))
        os.utime(adapters_dir / left[0], (two_hours_ago, two_hours_ago))
        assert [p.name for p in cleanup_unlisted(store, paths)] == left
        assert _app_folders(adapters_dir) == ["listed", "moved"], "a listed adapter's folder stays, wherever its row says"
        assert [a["id"] for a in store.list_adapters()] == [kept_id, moved_id]
    finally:
        store.close()
