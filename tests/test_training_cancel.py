"""A cancel reaches inside a fine-tune's long phases (core.cancel_hooks): counted in the work
done after it (transformer blocks run, optimizer updates made), never in seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from desktop_app.core.train_settings import FineTuneSettings

from desktop_app.core.training import run_finetune
from test_training import env  # noqa: F401  the store with three rated answers the training tests use

FAST = dict(max_steps=6, min_steps=6, lr=3e-3, reask_count=2, reask_tokens=12, heldout_fraction=0.0)


class WorkAfterCancel:
    """Counts, from the moment ``cancel`` is set, the transformer blocks that ran to their end
    and the optimizer updates made (global module and optimizer hooks: the run's own copy of
    the model is built inside it)."""

    def __init__(self, cancel: threading.Event):
        self.cancel, self.blocks, self.updates = cancel, 0, 0

    def __enter__(self):
        def block_done(module, _args, _output):
            if self.cancel.is_set() and type(module).__name__ == "GPT2Block":
                self.blocks += 1

        def update(_optimizer, _args, _kwargs):
            if self.cancel.is_set():
                self.updates += 1

        self.handles = [torch.nn.modules.module.register_module_forward_hook(block_done),
                        register_optimizer_step_pre_hook(update)]
        return self

    def __exit__(self, *exc):
        for handle in self.handles:
            handle.remove()


def test_cancel_during_the_reference_pass_runs_no_block(env, tiny_model):
    """The reference log-probabilities (before step 1) had no cancel check inside: all its batches ran."""
    store, paths = env
    cancel = threading.Event()

    def progress(p):
        if p.phase == "training" and p.step == 0:  # "Computing reference log-probabilities"
            cancel.set()

    with WorkAfterCancel(cancel) as work:
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=progress, cancel=cancel)
    assert result.status == "cancelled" and store.get_run(result.run_id)["status"] == "cancelled"
    assert work.blocks == 0 and work.updates == 0


def test_cancel_during_a_step_makes_no_update(env, tiny_model):
    """Set while step 2's forward pass ends: its backward stops at the first gradient, no update follows."""
    store, paths = env
    cancel, steps = threading.Event(), []

    def progress(p):
        if p.phase == "training" and p.step:
            steps.append(p.step)

    def cancel_in_step_two(module, _args, _output):
        if steps == [1] and type(module).__name__ == "GPT2LMHeadModel" and module.training is False:
            cancel.set()

    hook = torch.nn.modules.module.register_module_forward_hook(cancel_in_step_two)
    try:
        with WorkAfterCancel(cancel) as work:
            result = run_finetune(store, tiny_model, paths, FineTuneSettings(**{**FAST, "guard_ppl_rise": 0.0}),
                                  progress=progress, cancel=cancel)
    finally:
        hook.remove()
    assert cancel.is_set() and result.status == "cancelled"
    assert steps == [1] and work.updates == 0 and work.blocks == 0
    assert store.active_adapter(tiny_model.model_id) is None


def test_stop_and_quit_during_a_fine_tune_ends_the_process_cleanly(tiny_model_dir, tmp_path):
    """The window's "Stop and quit": the run is recorded as cancelled, the training thread has
    ended before the process does, and it exits with 0 (no abort from a thread left running)."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, GPT2_DESK_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(root), str(root / "tests"), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.run([sys.executable, str(root / "tests" / "quit_during_finetune_child.py"), str(tiny_model_dir)],
                           capture_output=True, text=True, env=env, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    assert "terminate called" not in child.stderr
    assert "RUN cancelled" in child.stdout and "TRAINING_THREAD_ALIVE False" in child.stdout, child.stdout
