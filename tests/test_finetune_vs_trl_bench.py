"""bench/finetune_vs_trl.py's curve of our held-out gain: read during a real run on the tiny
model, every CURVE_EVERY updates, without changing the run, its time kept out of the budget."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from desktop_app.core import gate
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import rate_three_answers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import finetune_vs_trl as bench  # noqa: E402

# a chat template short enough for the tiny model's 128-token window and the gate's 40-token re-asks
SHORT_CHAT = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
              "{% if add_generation_prompt %}assistant:{% endif %}")
SETTINGS = dict(max_steps=8, min_steps=8, lr=3e-3, reask_count=1, reask_tokens=6, heldout_fraction=0.0,
                guard_ppl_rise=10.0, rescore=False, guard_step_back=False)  # the margin measured is update 8's


def _run(tmp_path, tiny_model, name: str, curve: bool):
    paths = AppPaths.resolve(tmp_path / name).ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=10)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    watch = bench.OurCurve(data, tiny_model.tokenizer.eos_token_id)
    if curve:
        with watch:
            result = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    else:
        result = run_finetune(store, tiny_model, paths, FineTuneSettings(**SETTINGS))
    store.close()
    return result, watch


def test_our_curve_reads_the_margin_every_few_updates_and_leaves_the_run_as_it_was(tmp_path, tiny_model):
    original = gate.PerplexityGuard.after_update
    plain, _ = _run(tmp_path, tiny_model, "plain", curve=False)
    watched, watch = _run(tmp_path, tiny_model, "watched", curve=True)
    assert gate.PerplexityGuard.after_update is original  # put back on the way out
    assert sorted(watch.curve) == [bench.CURVE_EVERY, 2 * bench.CURVE_EVERY]
    assert watch.cpu > 0 and watch.wall > 0
    # reading the margin changed nothing the run did
    assert watched.metrics["grad_norms"] == plain.metrics["grad_norms"]
    # within float32 rounding: the run's thread team is chosen by the load, and a sum's order with it
    assert watched.metrics["margin_all_after"] == pytest.approx(plain.metrics["margin_all_after"], abs=1e-5)
    # the last reading is the trained adapter's margin, as the gate measured it after the steps
    assert abs(watch.curve[8] - watched.metrics["margin_all_after"]) < 1e-4


def _bench_lines(monkeypatch, capsys, folder: Path, *extra: str) -> dict[str, str]:
    """bench.main() on the tiny model in ``folder``, one seed: its output lines by their first word."""
    monkeypatch.setattr(sys, "argv", ["finetune_vs_trl.py", "--model", str(folder), "--ratings", "4",
                                      "--seeds", "0", *extra])
    assert bench.main() == 0
    out = capsys.readouterr().out
    print(out)  # shown when an assertion fails
    lines = out.splitlines()
    return {line.strip().split(":")[0]: line for line in lines if ":" in line}


def test_trl_judged_by_our_gate_is_printed_beside_the_raw_figure_and_a_discarded_adapter_gains_nothing(
        monkeypatch, capsys, tmp_path, tiny_model_dir):
    from transformers import AutoTokenizer

    folder = tmp_path / "tiny-chat"  # TRL's trainer takes the ratings as chats: the tokenizer needs a template
    shutil.copytree(tiny_model_dir, folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.chat_template = SHORT_CHAT
    tokenizer.save_pretrained(folder)
    # a perplexity limit no adapter can meet (the probe would have to fall by 100%): the gate discards TRL's
    lines = _bench_lines(monkeypatch, capsys, folder, "--set", "max_ppl_rise=-1", "--set", "lr=0.01")
    raw = float(lines["margin_gain_trl"].split()[1])
    assert raw != 0.0  # TRL's adapter moved the held-out margin: the raw line credits it
    assert "trl gated" in lines and "discarded (" in lines["trl gated"]
    assert "general-text perplexity rose" in lines["trl gated"]
    assert "gain +0.0000" in lines["trl gated"]
    assert float(lines["margin_gain_trl_gated"].split()[1]) == 0.0
    assert float(lines["margin_gain_trl_gated_mean"].split()[1]) == 0.0
    ours = float(lines["margin_gain_ours_mean"].split()[1])
    assert float(lines["gain_ours_minus_gated_trl_mean"].split()[1]) == round(ours, 4)
    assert float(lines["gain_ours_minus_trl_mean"].split()[1]) == round(ours - raw, 4)


def test_gated_gain_is_the_gain_of_a_kept_adapter_and_zero_for_a_discarded_one():
    assert bench.gated_gain(0.25, {"kept": True}) == 0.25
    assert bench.gated_gain(0.25, {"kept": False}) == 0.0
