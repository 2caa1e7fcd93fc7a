"""run_finetune on the tiny model: kept and discarded by the gate, re-scoring, cancellation, a process
killed mid-training. The guard's, the gate's and the precision's tests are in test_training_guard.py,
test_training_gate.py and test_training_precision.py (split from this file, robust108)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.session import split_end
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import rate_three_answers

FAST = dict(max_steps=12, min_steps=12, lr=3e-3, reask_count=2, reask_tokens=12, heldout_fraction=0.0)


@pytest.fixture
def env(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    yield store, paths
    store.close()


def test_kept_run_activates_adapter_and_rescores(env, tiny_model):
    store, paths = env
    seen = []
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert result.kept and result.status == "kept", result.reason
    m = result.metrics
    assert m["margin_after"] > m["margin_before"]
    assert m["probe_ppl_after"] <= m["probe_ppl_before"] * 1.05
    assert {"heldout_size", "train_size", "probe_ppl_before", "probe_ppl_after"} <= set(m)
    run = store.get_run(result.run_id)
    assert run["status"] == "kept" and run["adapter_id"] == result.adapter_id
    assert run["metrics"]["margin_before"] == m["margin_before"] and run["metrics"]["probe_ppl_after"] == m["probe_ppl_after"]
    active = store.active_adapter(tiny_model.model_id)
    assert active["id"] == result.adapter_id and active["run_id"] == result.run_id
    adapters.check_adapter_folder(Path(active["path"]))
    assert tiny_model.adapter_id is None  # the chat model was never touched
    phases = [p.phase for p in seen]
    assert phases[0] == "preparing" and "training" in phases and phases[-1] == "rescoring"
    steps = [p for p in seen if p.phase == "training" and p.step]
    assert steps[-1].step == steps[-1].total == 12 and steps[-1].loss is not None and steps[-1].eta_s == 0
    assert steps[0].kl is not None
    for rating in store.ratings():  # per-token before/after for every rated answer
        mid = rating["message_id"]
        after, end_after = split_end(store.token_records(mid, adapter_id=result.adapter_id, kind="rescored"),
                                     tiny_model.tokenizer)
        before, end_before = split_end(store.token_records(mid, adapter_id=None, kind="rescored"), tiny_model.tokenizer)
        generated = store.token_records(mid)
        ended = store.get_message(mid)["settings"]["finish_reason"] in ("eos", "stop")
        assert (end_after is not None) == (end_before is not None) == ended, "the end token when the model ended"
        assert [r.id for r in after] == [r.id for r in before] == [r.id for r in generated]
        assert [round(r.logprob, 3) for r in before] == [round(r.logprob, 3) for r in generated]
    # a second run records the first adapter as its parent
    second = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    if second.kept:
        assert store.get_adapter(second.adapter_id)["parent_id"] == result.adapter_id
    assert store.get_run(second.run_id)["parent_adapter_id"] == result.adapter_id


def test_discarded_when_probe_would_suffer(env, tiny_model):
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, max_ppl_rise=-0.99))
    assert not result.kept and result.status == "discarded" and result.adapter_id is None
    assert "perplexity" in result.reason
    run = store.get_run(result.run_id)
    assert run["status"] == "discarded" and "perplexity" in run["reason"]
    assert run["metrics"]["probe_ppl_before"] and run["metrics"]["probe_ppl_after"]
    assert store.list_adapters() == [] and store.active_adapter(tiny_model.model_id) is None
    assert [p for p in paths.adapters_dir.iterdir() if not p.name.startswith(".training")] == []


def test_discarded_when_margin_does_not_move(env, tiny_model):
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "lr": 0.0}))
    assert not result.kept and "margin did not move" in result.reason


@pytest.mark.parametrize("cancel_it, pinned", [(False, False), (True, False), (False, True)])
def test_training_copy_is_freed_when_the_run_ends(env, tiny_model, monkeypatch, cancel_it, pinned):
    """The copy's hundreds of MB are freed when the run returns (the automatic collector is
    off here): by reference counting, or, when a garbage cycle holds it (``pinned``, as
    transformers' first load in a process leaves one), by the run's own sweep."""
    import gc
    import weakref

    from transformers import AutoModelForCausalLM

    from desktop_app.core import train_copy

    store, paths = env
    copies = []
    real = AutoModelForCausalLM.from_pretrained

    def remember(*args, **kwargs):
        model = real(*args, **kwargs)
        copies.append(weakref.ref(model))
        if pinned:
            pin = {"model": model}
            pin["self"] = pin
        return model

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", remember)
    monkeypatch.setattr(train_copy, "sharing_weights", lambda chat: None)  # the copy, not the chat model's tensors
    cancel = threading.Event()

    def progress(p):
        if cancel_it and p.phase == "training" and p.step == 2:
            cancel.set()

    gc.collect()
    # a window's test earlier in this process may have turned the automatic collector off for good (only the
    # GUI thread collects: core.memory); turning it on after the run would let a later test's lane collect
    # that window's leftover widgets off the GUI thread, the crash behind crash63
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=progress, cancel=cancel)
        assert result.status == ("cancelled" if cancel_it else "kept")
        assert copies and all(ref() is None for ref in copies)
    finally:
        if was_enabled:
            gc.enable()


def test_cancel_stops_within_a_step_and_keeps_active_adapter(env, tiny_model):
    store, paths = env
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert first.kept
    cancel = threading.Event()
    steps = []

    def progress(p):
        if p.phase == "training" and p.step:
            steps.append(p.step)
            if p.step == 2:
                cancel.set()

    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "max_steps": 50, "min_steps": 50}),
                          progress=progress, cancel=cancel)
    assert result.status == "cancelled" and not result.kept and steps == [1, 2]
    assert store.get_run(result.run_id)["status"] == "cancelled"
    assert store.active_adapter(tiny_model.model_id)["id"] == first.adapter_id
    assert len(store.list_adapters()) == 1


CHILD = textwrap.dedent("""
    import sys, time
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune
    paths = AppPaths.resolve(sys.argv[1]).ensure()
    store = Store.open(paths.db_path)
    def progress(p):
        if p.phase == "training" and p.step == 1:
            open(sys.argv[3], "w").write("training")
            time.sleep(120)
    run_finetune(store, sys.argv[2], paths, FineTuneSettings(max_steps=5, min_steps=5), progress=progress)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_during_training_leaves_active_adapter_intact(env, tiny_model, tiny_model_dir, tmp_path):
    store, paths = env
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert first.kept
    marker = tmp_path / "marker"
    repo = Path(__file__).resolve().parents[1]
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(paths.data_dir), str(tiny_model_dir), str(marker)],
                             cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), child.stderr.read().decode()[-2000:] if child.poll() is not None else "timeout"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    # "restart": the active adapter is the one from before, intact; nothing half-written is listed
    again = Store.open(paths.db_path)
    try:
        assert again.active_adapter(tiny_model.model_id)["id"] == first.adapter_id
        assert all(row["present"] for row in adapters.list_adapters(again))
        assert len(again.list_adapters()) == 1
        interrupted = [r for r in again.list_runs() if r["status"] == "running"]
        assert len(interrupted) == 1
        loaded = open_model(str(tiny_model_dir), paths, device="cpu")
        assert adapters.attach_active(loaded, again)["id"] == first.adapter_id
        # the next run (which takes the training lock) records the dead one as interrupted
        run_finetune(again, tiny_model, paths, FineTuneSettings(**FAST))
        assert "interrupted" in again.get_run(interrupted[0]["id"])["reason"]
    finally:
        again.close()
