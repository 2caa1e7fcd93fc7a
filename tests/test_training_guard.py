"""The guard during a fine-tune (core.gate's guard): checks put off and put back, stepping back to an
earlier checkpoint for the probe's perplexity, degenerate answers or a restated fact; runs it refuses.
Split from test_training.py (robust108)."""

from __future__ import annotations

from desktop_app.core import gate
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401 (the fixture, used by name)
from test_training_data import rate_three_answers


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


def test_a_run_past_the_guard_keeps_the_untrained_adapter_and_is_discarded(env, tiny_model):
    """A guard no update can pass (its limit below any change) puts back the adapter as it
    began (the base model): the margin cannot have moved, and the gate discards the run."""
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, guard_ppl_rise=-0.99, guard_checks=3))
    guard = result.metrics["guard"]
    assert guard["kept_step"] == 0 and [s for s, _p in guard["checks"]] == [4]
    assert result.metrics["steps"] == 4
    assert not result.kept and "margin did not move" in result.reason
