"""run_finetune on the tiny model: kept and discarded by the gate, re-scoring, cancellation,
a process killed mid-training, and the gate's rules on their own."""

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

from desktop_app.core import adapters, gate, reasking
from desktop_app.core.answer_checks import changes_answer, degenerate, drops_answer, restates
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


def test_judge_rules():
    ok = {"gate_margin_on": "heldout", "heldout_size": 10, "margin_heldout_before": -2.0, "margin_heldout_after": -1.5,
          "probe_ppl_before": 20.0, "probe_ppl_after": 20.9, "reask_degenerate_before": 0,
          "reask_degenerate_after": 0, "reask_count": 3}
    assert gate.judge(ok).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.5}).kept
    assert "perplexity" in gate.judge({**ok, "probe_ppl_after": 21.1}).reason
    bad = gate.judge({**ok, "reask_degenerate_after": 2, "reask_problems_after": ["echo", "loop"]})
    assert not bad.kept and "echo" in bad.reason
    assert gate.judge({**ok, "gate_margin_on": "all", "margin_all_before": 0.0, "margin_all_after": 0.1}).kept
    # 1-3 held-out items: the margin over all ratings must rise as well
    small = {**ok, "heldout_size": 2, "margin_all_before": -1.0, "margin_all_after": -0.5}
    assert gate.judge(small).kept
    refused = gate.judge({**small, "margin_all_after": -1.2})
    assert not refused.kept and "all ratings" in refused.reason
    assert not gate.judge({**small, "margin_heldout_after": -2.1}).kept
    # ... and a held-out margin that fell by at most 1% of its size reads as not moved, only then
    assert gate.judge({**small, "margin_heldout_after": -2.01}).kept
    assert not gate.judge({**small, "margin_heldout_after": -2.01, "margin_all_after": -1.2}).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.01}).kept
    assert not gate.judge({**ok, "margin_heldout_after": -2.0}).kept  # not moved, outside a small set


def test_degenerate_answers():
    q = "What is the best way to learn to cook?"
    assert degenerate(q, "What is the best way to learn to cook? I wonder.") == "echo"
    assert degenerate(q, "") == "empty"
    assert degenerate(q, "the the the the the the the the the the") == "loop"
    assert degenerate(q, "I like it. I like it. I like it. I like it. I like it.", list(range(4)) * 5) == "loop"
    assert degenerate(q, "Start with simple dishes and cook them often, tasting as you go.") is None
    # a full sentence answering a long question shares its words, and is no echo (user test 12)
    planet = "What is the largest planet in our solar system?"
    assert degenerate(planet, "Jupiter is the largest planet in our solar system.") is None
    assert degenerate(planet, "The largest planet in our solar system is the largest planet in our solar system?") \
        == "echo"


def test_guard_puts_back_the_last_weights_that_passed(tiny_model_dir):
    """The guard keeps the adapter of its last passing check: weights that harm its text are
    replaced by exactly those, and a check that passes moves the kept point on."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    guard = gate.PerplexityGuard(model, tok, "cpu", 128, max_rise=0.04, total=12, checks=3)
    assert [s for s in range(1, 13) if guard.due(s)] == [4, 12]  # the next check follows each passing one
    lora = [p for n, p in model.named_parameters() if p.requires_grad]
    with torch.no_grad():
        lora[1].add_(1e-4)  # a small step: harmless
    assert guard.passes(4) and guard.kept_step == 4
    assert [s for s in range(5, 13) if guard.due(s)] == [8, 12]  # stretch 1: every 4 updates whatever the rise
    kept = [p.detach().clone() for p in lora]
    torch.manual_seed(0)
    with torch.no_grad():
        for p in lora:
            p.normal_(0, 3.0)  # a large step
    guard.max_rise = -0.99  # (the tiny random model's perplexity need not rise): no change passes now
    assert not guard.passes(8) and guard.kept_step == 4
    assert all(torch.equal(p, k) for p, k in zip(lora, kept))
    assert [s for s, _ppl in guard.history] == [4, 8]


def test_guard_checks_are_put_off_while_its_text_rises_far_less_than_the_limit():
    """check_gap: half the updates the rise so far (taken as proportional to the updates)
    would need to reach the limit, within [every, stretch * every]."""
    assert gate.check_gap(2, 0.0, 0.025, every=2, stretch=4) == 8  # nothing moved: put off the most
    assert gate.check_gap(2, -0.003, 0.025, every=2, stretch=4) == 8
    assert gate.check_gap(4, 0.006, 0.025, every=2, stretch=4) == 6  # 0.15%/update: 12.7 to go, half of it
    assert gate.check_gap(8, 0.016, 0.025, every=2, stretch=4) == 2  # 0.2%/update: 4.5 to go -> the spacing
    assert gate.check_gap(2, 0.0, 0.025, every=2, stretch=1) == 2  # stretch 1: the fixed spacing
    assert gate.check_gap(3, 0.02, 0.025, every=3, stretch=4) == 3  # near the limit: never under the spacing


def test_a_guard_that_reads_no_rise_checks_less_often_and_still_at_the_last_update(tiny_model_dir):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    guard = gate.PerplexityGuard(model, tok, "cpu", 128, max_rise=0.04, total=24, checks=12, stretch=4)
    lora = [p for n, p in model.named_parameters() if p.requires_grad]
    at = {}
    for step in range(1, 25):
        with torch.no_grad():
            lora[1].add_(1e-6)  # far too small to move the text's perplexity
        at[step] = [p.detach().clone() for p in lora]
        assert guard.after_update(step)
    assert [s for s, _ppl in guard.history] == [2, 10, 18, 24]  # 2 apart at most 4 times over; 12 checks with stretch 1
    assert sorted(guard.passed) == [10, 12, 14, 16, 18, 20, 22, 24]  # every 2 updates kept, checked or not (the latest 8)
    # a step back can go to an update between checks
    assert guard.step_back(0.0, 0.05, degenerate=True) == 12
    assert all(torch.equal(p, k) for p, k in zip(lora, at[12]))


def test_a_failed_check_put_off_checks_back_to_the_latest_update_that_passes(tiny_model_dir):
    """A check put off may land past the limit: the updates kept since the last passing check
    are checked, latest first, and the first that passes is kept."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    guard = gate.PerplexityGuard(model, tok, "cpu", 128, max_rise=0.04, total=24, checks=12, stretch=4)
    lora = [p for n, p in model.named_parameters() if p.requires_grad]
    torch.manual_seed(0)
    at, step = {}, 0
    while step < 18:
        step += 1
        with torch.no_grad():
            if step == 13:  # a ruinous update between the check at 10 and the next, put off to 18
                lora[1].fill_(float("nan"))  # (a random tiny model's perplexity need not rise: NaN never passes)
        at[step] = [p.detach().clone() for p in lora]
        if not guard.after_update(step):
            break
    assert step == 18 and [s for s, _ppl in guard.history][:2] == [2, 10]
    assert [s for s, _ppl in guard.history][2:] == [18, 16, 14, 12]  # failed, then back until one passes
    assert guard.kept_step == 12 and all(torch.equal(p, k) for p, k in zip(lora, at[12]))
    assert max(guard.passed) == 12


def _guard_on_a_lora(tiny_model_dir, total: int, checks: int):
    """A PerplexityGuard over a fresh LoRA on the tiny model (a loose limit), and the LoRA's
    trainable tensors, which the step-back tests move by hand."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM"))
    guard = gate.PerplexityGuard(model, tok, "cpu", 128, max_rise=10.0, total=total, checks=checks)
    return guard, [p for n, p in model.named_parameters() if p.requires_grad]


def _pass_checks(guard, lora, steps) -> dict:
    """Move the LoRA a little before each step's check, which must pass; the weights at each."""
    import torch

    at = {}
    for step in steps:
        with torch.no_grad():
            lora[1].add_(1e-3 * step)
        assert guard.passes(step)
        at[step] = [p.detach().clone() for p in lora]
    return at


def test_guard_steps_back_to_the_checkpoint_expected_under_the_probes_limit(tiny_model_dir):
    """When the gate finds the probe over its limit at the kept checkpoint, step_back puts back
    the latest earlier passing check at or under kept * aim * limit / probe rise (the probe's
    rise taken as growing in proportion to the updates), and says so in the summary."""
    import torch

    guard, lora = _guard_on_a_lora(tiny_model_dir, total=8, checks=4)
    at = _pass_checks(guard, lora, (2, 4, 6, 8))
    assert guard.kept_step == 8
    assert guard.step_back(probe_rise=0.5, limit=0.05) is None  # bound 0.64: no update that early
    assert guard.kept_step == 8 and all(torch.equal(p, k) for p, k in zip(lora, at[8]))
    # probe +10% at update 8, limit 5%, aim 0.8: at or under update 3.2 -> update 2
    assert guard.step_back(probe_rise=0.10, limit=0.05) == 2
    assert guard.kept_step == 2 and all(torch.equal(p, k) for p, k in zip(lora, at[2]))
    assert guard.summary()["stepped_back"] == {"from": 8, "to": 2, "probe_rise": 0.1}


def test_guard_steps_back_to_half_the_updates_when_the_answers_degenerated(tiny_model_dir):
    """Degenerate re-asks give no measure of how far back to go: the latest passing check at
    or under half the updates kept; with the probe over its limit too, the nearer bound."""
    import torch

    guard, lora = _guard_on_a_lora(tiny_model_dir, total=12, checks=6)
    at = _pass_checks(guard, lora, (2, 4, 6, 8, 10, 12))
    assert guard.step_back(0.0, 0.05) is None and guard.kept_step == 12  # nothing failed: no bound
    assert guard.step_back(0.0, 0.05, degenerate=True) == 6  # 12 / 2
    assert all(torch.equal(p, k) for p, k in zip(lora, at[6]))
    assert guard.summary()["stepped_back"] == {"from": 12, "to": 6, "degenerate": True}
    # from 6: the probe's bound 6 * 0.8 * 0.05 / 0.04 = 6.0 is not earlier, half the updates (3) is
    assert guard.step_back(0.04, 0.05, degenerate=True) == 2
    assert guard.summary()["stepped_back"] == {"from": 6, "to": 2, "probe_rise": 0.04, "degenerate": True}


def test_guard_steps_back_to_the_latest_checkpoint_where_the_degenerate_answers_are_clean(tiny_model_dir):
    """For degenerate re-asks the run steps back to the latest kept checkpoint where those
    re-asks, asked again under its weights, no longer degenerate; with none, the kept weights
    stay and nothing is stepped back."""
    import torch

    guard, lora = _guard_on_a_lora(tiny_model_dir, total=12, checks=6)
    at = {step: weights[1] for step, weights in _pass_checks(guard, lora, (2, 4, 6, 8, 10, 12)).items()}
    asked = []

    def clean_up_to(last_clean):
        def clean():
            step = next(s for s, w in at.items() if torch.equal(w, lora[1]))  # the weights put back
            asked.append(step)
            return step <= last_clean
        return clean

    assert guard.step_back_clean(clean_up_to(0)) is None
    assert asked == [10, 8, 6, 4, 2] and torch.equal(lora[1], at[12]) and guard.kept_step == 12
    assert "stepped_back" not in guard.summary()
    asked.clear()
    assert guard.step_back_clean(clean_up_to(8)) == 8
    assert asked == [10, 8] and torch.equal(lora[1], at[8]) and guard.kept_step == 8
    assert guard.summary()["stepped_back"] == {"from": 12, "to": 8, "degenerate": True}


def test_a_step_back_for_a_restated_fact_gives_up_at_most_half_the_run(tiny_model_dir):
    """``floor``: checkpoints before it are not tried (a restated fact is not worth more than half
    of what a run learned); with none clean from the floor up, the kept weights stay."""
    import torch

    guard, lora = _guard_on_a_lora(tiny_model_dir, total=12, checks=6)
    at = {step: weights[1] for step, weights in _pass_checks(guard, lora, (2, 4, 6, 8, 10, 12)).items()}
    asked = []

    def clean_up_to(last_clean):
        def clean():
            step = next(s for s, w in at.items() if torch.equal(w, lora[1]))
            asked.append(step)
            return step <= last_clean
        return clean

    assert guard.step_back_clean(clean_up_to(2), floor=6) is None
    assert asked == [10, 8, 6] and torch.equal(lora[1], at[12]) and guard.kept_step == 12
    asked.clear()
    assert guard.step_back_clean(clean_up_to(6), floor=6, why="restated") == 6 and asked == [10, 8, 6]
    # the summary says it was a restated fact, not a degenerate answer (the run was not refused)
    assert guard.summary()["stepped_back"] == {"from": 12, "to": 6, "restated": True}


def test_a_run_refused_for_the_probe_alone_is_judged_again_at_an_earlier_checkpoint(tmp_path, tiny_model):
    """The same ratings trained twice the same way: once with a loose perplexity limit (the
    probe's rise r is measured), once with the limit at r / 3. The second run is refused for
    the probe alone at its last update, steps back once to the checkpoint expected under the
    limit, and is measured and judged again there."""
    def run(name, **extra):
        paths = AppPaths.resolve(tmp_path / name).ensure()
        store = Store.open(paths.db_path)
        rate_three_answers(store, tiny_model, first_seed=10)
        settings = FineTuneSettings(**FAST, guard_ppl_rise=10.0, guard_checks=6, rescore=False, **extra)
        result = run_finetune(store, tiny_model, paths, settings)
        store.close()
        return result

    loose = run("loose", max_ppl_rise=10.0)
    rise = loose.metrics["probe_ppl_after"] / loose.metrics["probe_ppl_before"] - 1
    assert loose.kept and rise > 0 and "stepped_back" not in loose.metrics["guard"]
    tight = run("tight", max_ppl_rise=rise / 3)
    back = tight.metrics["guard"]["stepped_back"]
    assert back["from"] == 12 and back["to"] == 2 and back["probe_rise"] == round(rise, 4)  # 12 * 0.8 / 3 = 3.2
    assert tight.metrics["guard"]["kept_step"] == 2
    assert tight.metrics["probe_ppl_after"] != loose.metrics["probe_ppl_after"]  # measured again, at update 2
    assert tight.kept == gate.judge(tight.metrics, rise / 3).kept


def test_the_guards_figure_before_training_is_the_same_at_either_training_precision(tmp_path, tiny_model,
                                                                                   tiny_model_dir,
                                                                                   auto_as_the_machine_reads_it):
    """The guard's perplexity before training is kept with the "before" figures (BeforeCache)
    without the training precision in its key: a run at one precision takes the figure a run at
    the other read. That holds because the guard reads its text in float32, outside the steps'
    autocast: read afresh under each precision, the figure is the same to the last bit."""
    import json

    from desktop_app.core.precision import fast_dtype

    if fast_dtype("cpu") is None:
        pytest.skip("no 16-bit autocast on this CPU: both runs would train in float32")
    read = {}
    for precision in ("exact", "auto"):
        paths = AppPaths.resolve(tmp_path / precision).ensure()  # a cache of its own: the figure read afresh
        store = Store.open(paths.db_path)
        rate_three_answers(store, tiny_model, first_seed=10)
        settings = FineTuneSettings(**{**FAST, "max_steps": 2, "min_steps": 2, "reask_count": 1, "reask_tokens": 4},
                                    guard_ppl_rise=10.0, guard_checks=1, rescore=False, precision=precision)
        m = run_finetune(store, str(tiny_model_dir), paths, settings).metrics  # a spec: the setting is kept
        store.close()
        cached = json.loads((paths.cache_dir / "finetune-before.json").read_text(encoding="utf-8"))
        read[m["train_precision"]] = [v for k, v in cached.items() if "|guard_ppl:" in k]
    assert set(read) == {"float32", "float32 weights, bfloat16 autocast"}
    (exact,), (mixed,) = read.values()
    assert exact == mixed


def test_the_verdict_says_when_only_the_probe_refused_a_run():
    ok = {"gate_margin_on": "heldout", "heldout_size": 5, "margin_heldout_before": -1.0, "margin_heldout_after": 0.5,
          "probe_ppl_before": 20.0, "probe_ppl_after": 20.5, "reask_degenerate_before": 0,
          "reask_degenerate_after": 0, "reask_count": 3}
    assert gate.judge(ok).failed == [] and not gate.judge(ok).only_perplexity
    assert gate.judge({**ok, "probe_ppl_after": 22.0}).only_perplexity
    both = gate.judge({**ok, "probe_ppl_after": 22.0, "margin_heldout_after": -1.5})
    assert both.failed == ["margin", "perplexity"] and not both.only_perplexity
    assert gate.judge({**ok, "reask_degenerate_after": 1}).failed == ["degenerate"]


def test_a_run_past_the_guard_keeps_the_untrained_adapter_and_is_discarded(env, tiny_model):
    """A guard no update can pass (its limit below any change) puts back the adapter as it
    began (the base model): the margin cannot have moved, and the gate discards the run."""
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, guard_ppl_rise=-0.99, guard_checks=3))
    guard = result.metrics["guard"]
    assert guard["kept_step"] == 0 and [s for s, _p in guard["checks"]] == [4]
    assert result.metrics["steps"] == 4
    assert not result.kept and "margin did not move" in result.reason


def test_a_short_answer_naming_the_questions_own_subject_is_noted_but_refuses_no_run():
    """"The capital of Switzerland is Switzerland." is no loop or echo by degenerate() (the
    gate's and the benchmarks' judge): the re-asks note it (a run steps back when an earlier
    checkpoint is clean of it), the verdict does not count it."""
    q = "What is the capital of Switzerland?"
    assert degenerate(q, "The capital of Switzerland is Switzerland.") is None
    assert restates(q, "The capital of Switzerland is Switzerland.")
    assert restates("What is the capital of Denmark?", "Denmark is the capital of Denmark.")
    for fine, question in (("The capital of Switzerland is Bern.", q), ("Bern.", q),
                           ("The capital of Mexico is Mexico City.", "What is the capital of Mexico?"),
                           ("The capital of Australia is Canberra, capital of the Commonwealth of Australia.",
                            "What is the capital of Australia?"),
                           ("What is the capital of Switzerland", q),
                           ("Switzerland's capital is Bern, a city in the middle of Switzerland and home to many "
                            "bears and bridges over its river, in Switzerland", q)):
        assert not restates(question, fine), fine
    ok = {"gate_margin_on": "all", "margin_all_before": 0.0, "margin_all_after": 0.1, "probe_ppl_before": 10.0,
          "probe_ppl_after": 10.1, "reask_degenerate_before": 0, "reask_degenerate_after": 0,
          "reask_restates_before": 0, "reask_restates_after": 2}
    assert gate.judge(ok).kept


AUSTRALIA = "What is the capital of Australia?"
SPIDER = "How many legs does a spider have?"
PLANET = "What is the largest planet in the solar system?"


def test_an_answer_that_lost_its_fact_is_told_from_one_that_changed_its_format():
    """From a user test (8 "Answer: X." corrections, the run kept): a new question's answer
    named nothing any more, a rated one was garbled but kept its fact. Bench re-asks: a taught
    short answer dropped the capital the base model named ("Answer: Croatia."), while a country
    the base model described got its capital named ("Answer: Tallinn."): that is no loss."""
    canberra = "The capital of Australia is Canberra."
    assert drops_answer(AUSTRALIA, canberra, "The answer to your question lies in the continent of Australia.")
    assert drops_answer("What is the capital of Croatia?", "The capital of Croatia is Zagreb.", "Answer: Croatia.")
    for kept in ("Answer: Canberra.", "Canberra.", "canberra",
                 "The answer to your question lies in the capital of Australia, which is Canberra."):
        assert not drops_answer(AUSTRALIA, canberra, kept), kept
    assert not drops_answer(SPIDER, "A spider has eight legs.", "No, no, no. A spider has eight legs.")
    assert not drops_answer("What is the capital of Estonia?",
                                 "Estonia is a country located in the Baltic region of Northern Europe.",
                                 "Answer: Tallinn."), "the model's own answer before named no capital"
    # open, how-to and why questions, and a first sentence too long for a short fact: not judged
    assert not drops_answer("How do I make a cup of coffee?", "Boil water and add Nescafe.", "Use a press.")
    assert not drops_answer("Why is the sky blue?", "Because of Rayleigh scattering.", "Answer: blue.")
    assert not drops_answer("Tell me about cats.", "Cats are Felidae.", "Dogs are nice.")
    assert changes_answer(AUSTRALIA, canberra, "The capital of Australia is Sydney.")
    assert not changes_answer(AUSTRALIA, canberra, "Answer: Canberra.")
    assert not changes_answer(AUSTRALIA, canberra, "The answer lies in the continent of Australia.")
    # from the bench logs: a name in a long first sentence is no short fact; an accent is no other name
    flamingo = "A flamingo is a type of animal that belongs to the order Carnivora."
    assert not drops_answer("What colour is a flamingo?", flamingo, "Answer: red.")
    assert not changes_answer("What is the capital of Colombia?", "The capital of Colombia is Bogotá.",
                                   "The capital of Colombia is Bogota.")
    assert drops_answer("What is the capital of Peru?", "The capital of Peru is Lima.", "Answer: Peru.")
    long = ("The Mona Lisa was painted over many years by the Italian artist Leonardo da Vinci, who also "
            "worked as an engineer.")
    assert not drops_answer("Who painted the Mona Lisa?", long, "It is a painting.")


def test_a_rated_question_is_held_to_the_persons_own_answer():
    """The person's correction decides what is right: a wrong fact the model says after the
    run is a lost answer, and "eight" says "Answer: 8."."""
    assert drops_answer(PLANET, "Answer: Jupiter.", "The largest planet in the solar system is Neptune.",
                             right=True)
    assert not drops_answer(PLANET, "Answer: Jupiter.", "The largest planet in the solar system is Neptune.")
    assert not drops_answer(PLANET, "Answer: Jupiter.", "It is Jupiter, a gas giant.", right=True)
    assert not drops_answer(SPIDER, "Answer: 8.", "A spider has eight legs.", right=True)
    assert drops_answer(SPIDER, "Answer: 8.", "A spider has many legs.", right=True)


def test_a_lost_answer_asks_for_a_clean_checkpoint_only_with_its_setting(tiny_model):
    import threading

    from desktop_app.core.finetune_effect import Reasks
    from desktop_app.core.train_verdict import clean_check
    from desktop_app.core.train_settings import FineTuneSettings

    prompts = [(reasking.fresh_prompt(tiny_model.tokenizer, AUSTRALIA, tiny_model.context_window, 8), AUSTRALIA)]
    lost = [{"question": AUSTRALIA, "seen": False, "before": "The capital of Australia is Canberra.",
             "after": "The answer lies in the continent of Australia.", "problem_after": None}]
    reasks = Reasks(prompts, unseen_from=0, tokens=8)
    assert clean_check(tiny_model, reasks, lost, threading.Event()) is None
    assert callable(clean_check(tiny_model, reasks, lost, threading.Event(), with_dropped=True))
    assert FineTuneSettings().step_back_dropped is False, "not measured: off"


def test_the_clean_check_asks_every_re_ask_in_the_gates_batch_and_refuses_any_new_problem(tiny_model):
    """A greedy answer can change with its batch: the check for a clean checkpoint asks the
    re-asks as the gate does (all, one batch), and an answer that went wrong where it was fine
    before refuses the checkpoint; with nothing gone wrong since training there is no check."""
    import threading

    from desktop_app.core.finetune_effect import Reasks
    from desktop_app.core.train_verdict import clean_check

    questions = ["Tell me about cats.", "Tell me about the desert.", "What is the capital of Croatia?"]
    prompts = [(reasking.fresh_prompt(tiny_model.tokenizer, q, tiny_model.context_window, 8), q) for q in questions]
    reasks = Reasks(prompts, unseen_from=0, tokens=8)
    answers = reasking.reask(tiny_model, prompts, 8)
    assert [a.question for a in answers] == questions
    fine = "A fine answer about something else entirely."

    def taught(before: list[str]) -> list[dict]:  # the first re-ask went wrong after training
        after = ["loop loop loop loop loop loop loop loop"] + [a.answer for a in answers[1:]]
        return [{"question": q, "before": b, "after": a, "problem_after": None}
                for q, b, a in zip(questions, before, after)]

    assert any(a.problem for a in answers)  # the random tiny model loops: the checkpoint is not clean
    assert clean_check(tiny_model, reasks, taught([fine] * 3), threading.Event())() is False
    looped_before = taught(["loop loop loop loop loop loop loop loop"] + [fine] * 2)  # wrong before as after:
    assert clean_check(tiny_model, reasks, looped_before, threading.Event()) is None  # nothing to step back for


def test_a_float32_chat_model_lends_its_weights_to_the_run_rather_than_a_copy(tiny_model):
    """The run's model has modules of its own (PEFT's layers and the eager attention stay off the
    chat model) over the chat model's own tensors: no second float32 copy."""
    from desktop_app.core.train_shared_weights import sharing_weights

    flags = {n: p.requires_grad for n, p in tiny_model.model.named_parameters()}
    shared = sharing_weights(tiny_model)
    assert shared is not None and shared is not tiny_model.model
    chat = dict(tiny_model.model.named_parameters(remove_duplicate=False))
    mine = dict(shared.named_parameters(remove_duplicate=False))
    assert set(mine) == set(chat)
    assert all(mine[n].data_ptr() == chat[n].data_ptr() for n in chat)
    assert not any(p.requires_grad for p in mine.values())
    assert flags == {n: p.requires_grad for n, p in tiny_model.model.named_parameters()}
    assert all(a is not b for a, b in zip(shared.modules(), tiny_model.model.modules()))


def test_a_run_on_shared_weights_trains_exactly_as_on_a_copy(tmp_path, tiny_model, monkeypatch, one_thread):
    """Same losses, gradient norms and margins whether the run reads the chat model's tensors or
    a copy loaded from its folder; the chat model comes out as it went in."""
    import torch

    from desktop_app.core import train_copy

    before = {n: p.detach().clone() for n, p in tiny_model.model.named_parameters()}
    attention = tiny_model.model.config._attn_implementation
    figures = []
    for share in (True, False):
        if not share:
            monkeypatch.setattr(train_copy, "sharing_weights", lambda chat: None)
        paths = AppPaths.resolve(tmp_path / f"data-{share}").ensure()
        store = Store.open(paths.db_path)
        rate_three_answers(store, tiny_model, first_seed=10)
        m = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST)).metrics
        store.close()
        assert (m.get("base_weights") == "shared with the chat model") == share
        figures.append([m[k] for k in ("final_loss", "grad_norms", "margin_before", "margin_after",
                                       "probe_ppl_before", "probe_ppl_after")])
    assert figures[0][:2] == figures[1][:2]  # the steps: the same losses and gradient norms, bit for bit
    # the measuring passes may take another attention kernel on the run's own modules: float rounding
    assert figures[0][2:] == pytest.approx(figures[1][2:], rel=1e-5)
    assert all(torch.equal(p, before[n]) for n, p in tiny_model.model.named_parameters())
    assert tiny_model.model.config._attn_implementation == attention
    assert not any("lora" in n for n, _ in tiny_model.model.named_parameters())


def test_a_chat_model_wearing_an_adapter_lends_its_base_weights_not_the_adapters(env, tiny_model):
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert result.kept, result.reason
    from desktop_app.core.train_shared_weights import sharing_weights

    adapters.attach_active(tiny_model, store)
    try:
        assert tiny_model.adapter_id == result.adapter_id
        base = {n.replace(".base_layer.", "."): p for n, p in tiny_model.model.get_base_model().named_parameters()
                if "lora_" not in n}
        shared = sharing_weights(tiny_model)
        mine = dict(shared.named_parameters())
        assert set(mine) <= set(base) and not any("lora" in n for n in mine)
        assert all(p.data_ptr() == base[n].data_ptr() for n, p in mine.items())
    finally:
        adapters.detach(tiny_model)
