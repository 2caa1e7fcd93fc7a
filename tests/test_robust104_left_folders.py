"""A fine-tune killed between moving its adapter folder in and recording its row left a folder that only
the next adapter import removed, an hour later at the earliest (core.adapters.cleanup_unlisted). The
app's start and `gpt2-desk finetune`'s start now remove it at once when its run is proven over: no
fine-tune holds the data folder's training lock (a run left "running" was killed), or its run ended.
A folder a row names, an import's fresh folder and the folder of a run another process may still be
recording stay. Real data folders, real SQLite files, adapter folders written by the app's own writer
from the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import adapters
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store


@pytest.fixture(scope="module")
def peft_model(tiny_model_dir):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    return get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules="all-linear"))


def _moved_in(peft_model, paths, name: str, run_id: int | None) -> Path:
    """An adapter folder moved into place as a run (or an import: ``run_id`` None) does, its row never written."""
    return adapters.write_adapter_folder(peft_model, paths.adapters_dir, name, {"run_id": run_id, "base_model": "m"})


def _left_by_killed_run(store, peft_model, paths) -> tuple[int, Path]:
    """A run left "running" by a killed process and the folder it moved in before it was killed."""
    run_id = store.create_run({}, "m")
    return run_id, _moved_in(peft_model, paths, f"run{run_id}-killed", run_id)


def _folders(paths) -> list[str]:
    return sorted(p.name for p in Path(paths.adapters_dir).iterdir() if (p / adapters.META_FILE).is_file())


def test_the_start_removes_a_killed_runs_folder_and_keeps_the_rest(peft_model):
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    try:
        _run_id, killed = _left_by_killed_run(store, peft_model, paths)
        listed = _moved_in(peft_model, paths, "listed", None)
        store.add_adapter(str(listed), base_model="m")
        imported = _moved_in(peft_model, paths, "imported-fresh", None)  # a live import may record it any moment
        assert adapters.cleanup_unlisted(store, paths) == [], "an hour's wait was the only rule"
        assert adapters.cleanup_at_start(store, paths) == [killed]
        assert _folders(paths) == sorted([listed.name, imported.name])
        assert store.run_statuses()[0][1] == "running", "the run's row is the fine-tune's to mark"
    finally:
        store.close()


def test_while_another_process_trains_only_the_folders_of_ended_runs_go(peft_model):
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    try:
        live_run, live = _left_by_killed_run(store, peft_model, paths)
        ended_run, ended = _left_by_killed_run(store, peft_model, paths)
        store.update_run(ended_run, status="failed", reason="interrupted")
        with adapters.training_lock(paths):  # a fine-tune under way (flock: another open file, as another process)
            assert adapters.cleanup_at_start(store, paths) == [ended]
        assert live.is_dir(), f"run {live_run} may be about to record its folder"
    finally:
        store.close()


def test_the_windows_start_removes_it(peft_model, make_window):
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    _run_id, killed = _left_by_killed_run(store, peft_model, paths)
    store.close()
    window = make_window(wait=False)
    assert not killed.exists()
    assert window.finetune_side.panel.history is not None


def test_gpt2_desk_finetunes_start_removes_it(peft_model, run_cli):
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    run_id, killed = _left_by_killed_run(store, peft_model, paths)
    store.close()
    code, _out, err = run_cli("finetune")
    assert code == 2 and "No ratings yet" in err  # the run stopped before it began, after the lock's tidying
    assert not killed.exists()
    store = Store.open(paths.db_path)
    try:
        assert store.get_run(run_id)["status"] == "failed"  # (marked interrupted under the same lock)
    finally:
        store.close()


from test_gui import make_window  # noqa: E402,F401
