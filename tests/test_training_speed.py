"""How a fine-tune spends its time: 16-bit autocast where the CPU has it (off with Exact), a
thread team that makes room for an answer, and the per-phase timings the benchmarks print."""

from __future__ import annotations

import threading

import pytest
import torch

from desktop_app.core import precision, threads
from desktop_app.core import train_losses as L
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_logps import left_pad, pad_batch, per_token_logps, sequence_logps
from desktop_app.core.train_objectives import dpo_loss
from desktop_app.core.train_packing import packed_pair_logps, packs_pairs
from desktop_app.core.train_references import reference_logps
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from helpers import watch_calls
from test_training_data import rate_three_answers

FAST = dict(max_steps=4, min_steps=4, lr=3e-3, reask_count=1, reask_unseen=1, reask_tokens=6, heldout_fraction=0.0)
NATIVE_BF16 = precision.training_autocast_dtype("cpu", "fast") == torch.bfloat16


@pytest.fixture
def env(tmp_path, tiny_model):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    rate_three_answers(store, tiny_model, first_seed=20)
    yield store, paths
    store.close()


def _first_step(seen):
    return next(p for p in seen if p.phase == "training" and p.step == 1)


@pytest.mark.parametrize("setting", ["auto", "exact"])
def test_autocast_where_the_cpu_has_bf16_and_never_with_exact(env, tiny_model_dir, setting,
                                                               auto_as_the_machine_reads_it):
    store, paths = env
    seen = []
    # a model spec: the run loads its own float32 copy, so only the setting decides
    result = run_finetune(store, str(tiny_model_dir), paths, FineTuneSettings(**FAST, precision=setting),
                          progress=seen.append)
    autocast = setting == "auto" and NATIVE_BF16
    assert result.metrics["train_precision"] == ("float32 weights, bfloat16 autocast" if autocast else "float32")
    # the references are computed under the steps' own precision: before the first update the
    # policy is the reference (LoRA starts at zero), so the first step's rewards are ~0, not a
    # rounding difference between float32 and bfloat16
    first = _first_step(seen)
    figures = [f for f in (first.kl, first.reward_chosen, first.reward_rejected) if f is not None]
    assert len(figures) >= 2 and all(abs(f) < 2e-3 for f in figures), figures
    assert result.status in ("kept", "discarded")


def test_a_chat_model_in_exact_precision_gets_an_exact_fine_tune(env, tiny_model):
    store, paths = env
    assert tiny_model.dtype == torch.float32
    assert FineTuneSettings().precision == "exact"  # the default (see its comment), whatever the chat model
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST, precision="auto"))
    expected = "float32"  # Exact chosen where Fast was possible, or no fast dtype on this CPU at all
    assert result.metrics["train_precision"] == expected


def test_autocast_dtype_rules(auto_as_the_machine_reads_it):
    assert precision.training_autocast_dtype("cpu", "exact") is None
    assert precision.training_autocast_dtype("meta") is None
    with pytest.raises(ValueError):
        precision.training_autocast_dtype("cpu", "half")
    expected = torch.bfloat16 if precision.cpu_has_native_bf16() and precision.bf16_matmul_works("cpu") else None
    assert precision.training_autocast_dtype("cpu") == expected


def test_the_fine_tune_team_makes_room_while_an_answer_is_decoded():
    assert threads.fine_tune_threads(2) == 2 and threads.fine_tune_threads(8) == 8
    with threads.answering():
        assert threads.answer_running()
        assert threads.fine_tune_threads(2) == 1
        assert threads.fine_tune_threads(8) == threads.training_threads(8)
    assert not threads.answer_running() and threads.fine_tune_threads(2) == 2


def test_generation_marks_itself_as_answering(tiny_model):
    from desktop_app.core.generation import Generation, SamplingSettings

    gen = Generation(tiny_model, [1, 2, 3], SamplingSettings(max_new_tokens=3, seed=0))
    seen = [threads.answer_running() for _record in gen]
    assert gen.records and seen and all(seen)
    assert not threads.answer_running()


def test_a_fine_tune_during_an_answer_steps_on_the_smaller_team(env, tiny_model, monkeypatch):
    store, paths = env
    teams = watch_calls(monkeypatch, L, "batch_loss", lambda *_a, **_k: torch.get_num_threads())
    cores = threads.thread_budget()  # the machine's cores, or fewer when OMP_NUM_THREADS asks

    def run(answering: bool):
        teams.clear()
        out = {}

        def work():  # on its own thread, as the window's training lane runs it
            out["result"] = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))

        worker = threading.Thread(target=work)
        if answering:
            with threads.answering():
                worker.start()
                worker.join()
        else:
            worker.start()
            worker.join()
        return out["result"]

    alone = run(False)
    # alone: the reference pass tried every core and one thread (tests/test_speed12_reference_team.py), and the
    # steps take the faster of the two, and infer the other's pace from it rather than trying it
    assert set(teams) <= {cores, 1} and set(alone.metrics["reference_teams"]) <= {str(cores), "1"}
    assert "team_reduced" not in alone.metrics
    assert sum(alone.metrics["teams"].values()) == 4
    shared = run(True)
    assert teams == [threads.training_threads(cores)] * 4
    assert shared.metrics["team_reduced"] >= 4


def test_the_team_chooser_takes_the_faster_team_and_retries_the_other():
    chooser = threads.TeamChooser(cores=2, explore_every=4)
    assert chooser.best() == 2
    picks = []
    for step in range(10):
        team = chooser.team()
        picks.append(team)
        # a busy machine: two threads take 5 s for the same work one thread does in 2 s
        chooser.record(team, 5.0 if team == 2 else 2.0, 100)
    assert picks[:2] == [2, 1]
    # the 4th choice retries the slower team; it is slower still, so the next retry waits 8
    assert picks[2:] == [1, 1, 1, 2, 1, 1, 1, 1]
    assert chooser.best() == 1
    # the machine becomes quiet: two threads are faster again, and are taken after a retry
    for _ in range(12):
        team = chooser.team()
        chooser.record(team, 1.0 if team == 2 else 2.0, 100)
    assert chooser.best() == 2 and chooser.team() == 2
    with threads.answering():  # beside an answer the team is the answer's leftover, and not counted
        assert chooser.team() == 1
        chooser.record(1, 100.0, 1)
    assert chooser.rates[1] < 1.0
    one_core = threads.TeamChooser(cores=1)
    assert [one_core.team() for _ in range(3)] == [1, 1, 1]


def test_a_run_says_where_its_time_went(env, tiny_model):
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    spent = result.metrics["phase_s"]
    expected = {"load", "data", "before_margins", "before_probe", "before_reask", "reference", "train",
                "after_margins", "after_probe", "after_reask"}
    assert expected <= set(spent), set(spent)
    assert all(v >= 0 for v in spent.values())
    assert spent["train"] == result.metrics["train_s"]
    if result.kept:
        assert {"save", "rescore"} <= set(spent)


def test_a_second_run_takes_the_guard_texts_figure_before_training_from_the_first(env, tiny_model, monkeypatch):
    """The guard's text read under the model before training (the base model: a fresh adapter
    adds nothing) is the same figure every run: kept with the "before" figures, a second run
    reads the text only at its checks, and its figure before is the first run's."""
    from desktop_app.core import gate

    store, paths = env
    real, reads = gate.probe_perplexity, []

    def counted(model, tokenizer, device, window, text=None, **kw):
        value = real(model, tokenizer, device, window, text=text, **kw)
        if text == gate.guard_text():
            reads.append(value)
        return value

    monkeypatch.setattr(gate, "probe_perplexity", counted)
    settings = FineTuneSettings(**FAST, guard_ppl_rise=0.5, guard_checks=2, guard_stretch=1)
    first = run_finetune(store, tiny_model, paths, settings)
    checks = len(first.metrics["guard"]["checks"])
    assert len(reads) == checks + 1 and checks >= 1  # the figure before, then one per check
    reads.clear()
    second = run_finetune(store, tiny_model, paths, settings)
    assert len(reads) == len(second.metrics["guard"]["checks"])  # no read before training
    assert second.metrics["guard"]["ppl_before"] == first.metrics["guard"]["ppl_before"]


def test_pairs_are_scored_without_padding_a_short_answer_to_a_long_one(tiny_model_dir):
    """batch_loss over pairs (chosen and rejected each padded to their own longest) is DPO +
    the likelihood term computed from each answer scored on its own, with no padding at all."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import Pair, TrainingData
    from test_training_losses import ANSWERS, LORA, PROMPTS, _base_tiny, _perturb

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    enc = [tok(p)["input_ids"] for p in PROMPTS]
    short = tok(" Yes.")["input_ids"]
    long = [tok(a * 3)["input_ids"] for a in ANSWERS]
    data = TrainingData(pairs=[Pair(enc[i], short, long[i], "correction", i, None, i) for i in range(3)])
    pad = tok.pad_token_id
    with model.disable_adapter():
        refs = reference_logps(model, data, pad, "cpu")
    batch = L.Batch.select(data, refs, [("p", i) for i in range(3)], "cpu")
    with torch.no_grad():
        loss, _figures = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sft_weight=0.5))
        one = [per_token_logps(model, pad_batch([(p.prompt_ids, p.chosen_ids)], pad, "cpu")) for p in data.pairs]
        chosen = torch.stack([lp.sum() for lp, _m in one])
        rejected = torch.cat([sequence_logps(model, [(p.prompt_ids, p.rejected_ids)], pad, "cpu") for p in data.pairs])
        nll = -torch.cat([lp[m.bool()] for lp, m in one]).mean()
        expected, _ = dpo_loss(chosen, rejected, refs.chosen, refs.rejected, 0.1)
    assert float(loss) == pytest.approx(float(expected) + 0.5 * float(nll), abs=1e-5)


@pytest.mark.parametrize("given, expected", [("exact", "exact"), ("fast", "auto"), ("auto", "exact")])
def test_finetune_command_passes_exact_precision_on(given, expected):
    import argparse

    from desktop_app.cli.finetune_cmds import _settings

    args = argparse.Namespace(epochs=None, lr=None, max_steps=None, batch_size=None, lora_r=None, beta=None,
                              heldout=None, seed=None, precision=given)
    assert _settings(args).precision == expected


def test_the_training_copy_uses_plain_attention_on_a_cpu(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    from desktop_app.core.train_copy import cpu_attention

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        fused = model(input_ids=ids).logits
        cpu_attention(model, torch.device("cpu"))
        plain = model(input_ids=ids).logits
    assert model.config._attn_implementation == "eager"
    assert torch.allclose(fused, plain, atol=1e-5)


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_a_pair_read_in_one_pass_gives_the_two_passes_figures_and_gradients(tiny_model_dir, tmp_path, arch,
                                                                           attention):
    """packed_pair_logps (prompt, chosen, rejected in one row, the prompt read once) gives the
    log-probabilities, masks and LoRA gradients of reading (prompt, chosen) and (prompt, rejected)
    apart, prompts and answers of several lengths in one batch; and the reference it packs alike."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from desktop_app.core.train_data import Pair, TrainingData
    from test_training_losses import ANSWERS, LORA, PROMPTS, _base_tiny, _perturb
    from tiny_model import build_tiny_llama

    base, tok = _base_tiny(tiny_model_dir)
    if arch == "llama":
        base = AutoModelForCausalLM.from_pretrained(build_tiny_llama(tmp_path / "llama", tiny_model_dir),
                                                    dtype=torch.float32)
    base.set_attn_implementation(attention)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    assert packs_pairs(model)  # else batch_loss would compare the two passes with themselves
    pad = tok.pad_token_id
    enc = [tok(p)["input_ids"] for p in PROMPTS]
    data = TrainingData(pairs=[Pair(enc[i], tok(ANSWERS[i])["input_ids"][: 2 + i], tok(ANSWERS[-1 - i] * (i + 1))
                                    ["input_ids"], "correction", i, None, i) for i in range(4)])
    seqs = [(p.prompt_ids, p.chosen_ids, p.rejected_ids) for p in data.pairs]
    with torch.no_grad():
        (chosen, chosen_mask), (rejected, rejected_mask) = packed_pair_logps(model, seqs, pad, "cpu")
        for (got, got_mask), side in (((chosen, chosen_mask), 1), ((rejected, rejected_mask), 2)):
            want, want_mask = per_token_logps(model, pad_batch([(s[0], s[side]) for s in seqs], pad, "cpu"))
            assert torch.equal(got_mask, want_mask)
            assert got.tolist() == [pytest.approx(row, abs=1e-5) for row in want.tolist()]
        with model.disable_adapter():
            packed, apart = (reference_logps(model, data, pad, "cpu", 3, packed=flag) for flag in (True, False))
    assert packed.chosen.tolist() == pytest.approx(apart.chosen.tolist(), abs=1e-4)
    assert packed.rejected.tolist() == pytest.approx(apart.rejected.tolist(), abs=1e-4)
    batch = L.Batch.select(data, apart, [("p", i) for i in range(4)], "cpu")
    grads = []
    for flag in (True, False):
        loss, _figures = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(pair_packed=flag))
        loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
        model.zero_grad()
    assert grads[0].keys() == grads[1].keys() and grads[0]
    for name, grad in grads[0].items():
        assert torch.allclose(grad, grads[1][name], atol=1e-5, rtol=1e-4), name


def test_the_reference_sums_give_the_margin_of_reading_the_examples_again(tiny_model_dir):
    """The "before" margin of a run with no adapter in use, over the examples it trained on, comes
    from the reference's sums (gate.margin_from_sums): the figure gate.margin reads from the model;
    None where a sum is missing or there are token ratings (margin reads those itself)."""
    from desktop_app.core import gate
    from desktop_app.core.train_data import Pair, TokenRated, TrainingData, Unpaired
    from test_training_losses import ANSWERS, PROMPTS, _base_tiny

    model, tok = _base_tiny(tiny_model_dir)
    enc = [tok(p)["input_ids"] for p in PROMPTS]
    ans = [tok(a)["input_ids"] for a in ANSWERS]
    data = TrainingData(unpaired=[Unpaired(enc[0], ans[0], True, 1, 0), Unpaired(enc[1], ans[1][:3], False, 2, 1),
                                  Unpaired(enc[2], ans[2], True, 10, 2)],
                        pairs=[Pair(enc[2], ans[2], ans[3] * 2, "siblings", 11, 10, 2),
                               Pair(enc[3], ans[0][:2], ans[1], "correction", 12, None, 3)])
    pad = tok.pad_token_id
    with torch.no_grad():
        refs = reference_logps(model, data, pad, "cpu", 2, packed=True)
        read = gate.margin(model, data, pad, "cpu", 2)
    sums = gate.reference_sums(data, refs)
    assert gate.margin_from_sums(data, sums) == pytest.approx(read, abs=1e-4)
    fewer = TrainingData(unpaired=data.unpaired[:2], pairs=data.pairs[1:])
    assert gate.margin_from_sums(fewer, sums) == pytest.approx(gate.margin(model, fewer, pad, "cpu"), abs=1e-4)
    missing = TrainingData(unpaired=[Unpaired(enc[3], ans[3], True, 20, 4)])
    assert gate.margin_from_sums(missing, sums) is None
    rated = TrainingData(pairs=data.pairs, tokens=[TokenRated(enc[0], ans[0], {0: 1}, 1, 0)])
    assert gate.margin_from_sums(rated, sums) is None


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_greedy_rows_answer_as_generate_while_ended_rows_leave_the_batch(tiny_model_dir, tmp_path, arch):
    """core.greedy_batch (the gate's re-asks): rows that end at different steps leave the batch
    and the answers are generate's, token for token, whether one row, two or several go on,
    under a LoRA adapter with eager attention as the training copy has it; ``ended`` hears each
    row once, when it ends, and True from it stops every row there."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from desktop_app.core.greedy_batch import greedy_rows
    from test_training_losses import LORA, PROMPTS, _base_tiny, _perturb
    from tiny_model import build_tiny_llama

    base, tok = _base_tiny(tiny_model_dir)
    if arch == "llama":
        base = AutoModelForCausalLM.from_pretrained(build_tiny_llama(tmp_path / "llama", tiny_model_dir),
                                                    dtype=torch.float32)
    base.set_attn_implementation("eager")
    model = _perturb(get_peft_model(base, LoraConfig(**LORA))).eval()
    prompts = [tok(p)["input_ids"] for p in PROMPTS] + [tok(PROMPTS[0] + " and more")["input_ids"]]
    ids, mask = left_pad(prompts, tok.pad_token_id, "cpu")
    tokens = 12
    with torch.inference_mode():
        free = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, do_sample=False,
                              min_new_tokens=tokens, pad_token_id=tok.pad_token_id, eos_token_id=None)
    rows = free[:, ids.shape[1]:].tolist()
    # an "end" token that some rows write early and others late or never: rows end at different steps
    firsts: dict[int, list[int]] = {}  # token -> the step at which each row that writes it first does
    for row in rows:
        for token in set(row):
            firsts.setdefault(token, []).append(row.index(token))
    eos = max((t for t in firsts if len(firsts[t]) < len(rows)), key=lambda t: len(set(firsts[t])))
    assert len(set(firsts[eos])) >= 2  # rows end at different steps, and some run to the limit

    def cut(row):
        return row[:row.index(eos) + 1] if eos in row else row

    with torch.inference_mode():
        want = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, do_sample=False,
                              pad_token_id=tok.pad_token_id, eos_token_id=eos)
    want = [cut(row) for row in want[:, ids.shape[1]:].tolist()]
    heard, steps = [], []
    got = greedy_rows(model, ids, mask, tokens, eos, ended=lambda i, row: heard.append((i, list(row))) or False,
                      stepped=steps.append)
    assert got == want
    assert sorted(heard) == sorted((i, row) for i, row in enumerate(want) if row and row[-1] == eos)
    assert steps == list(range(1, max(map(len, want)) + 1))
    stopped = greedy_rows(model, ids, mask, tokens, eos, ended=lambda i, row: True)
    first = min(len(row) for row in want if row[-1] == eos)  # every row stops at the first end
    assert [len(row) for row in stopped] == [min(len(row), first) for row in want]
    assert all(row == want_row[:len(row)] for row, want_row in zip(stopped, want))
    one = greedy_rows(model, ids[:1], mask[:1], tokens, eos)  # a single row: never padded with another
    assert one[0] == cut(model.generate(input_ids=ids[:1], attention_mask=mask[:1], max_new_tokens=tokens,
                                        do_sample=False, pad_token_id=tok.pad_token_id,
                                        eos_token_id=eos)[0, ids.shape[1]:].tolist())


def test_a_batch_keeps_two_rows_while_one_goes_on():
    """A product of one row takes another kernel (other rounding) than several: the last row
    going keeps a finished companion."""
    from desktop_app.core.greedy_batch import _kept_rows

    assert _kept_rows([0, 2, 5], 6) == [0, 2, 5]
    assert _kept_rows([4], 6) == [0, 4]
    assert _kept_rows([0], 3) == [0, 1]
    assert _kept_rows([0], 1) == [0]


def test_a_kept_runs_result_is_told_before_its_rescoring_and_a_second_run_asks_the_first_adapter(env, tiny_model):
    """``verdict`` hears a kept run's result once its adapter is saved and in use, before the
    re-scoring for the compare view (which follows, in the same call); the returned result is the
    same but for the re-scoring's seconds. A second run measures the first run's adapter as the
    model in use: its re-asks are the first run's answers after training."""
    store, paths = env
    told = []

    def heard(result):
        rescored = [store.token_records(r["message_id"], adapter_id=result.adapter_id, kind="rescored")
                    for r in store.ratings()]
        told.append((result, store.active_adapter(tiny_model.model_id), any(rescored)))

    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), verdict=heard)
    assert first.kept, first.reason
    (result, active, rescored_then), = told
    assert active["id"] == result.adapter_id == first.adapter_id and not rescored_then
    assert all(store.token_records(r["message_id"], adapter_id=first.adapter_id, kind="rescored")
               for r in store.ratings())
    assert "rescore" in first.metrics["phase_s"] and "rescore" not in result.metrics["phase_s"]
    without = {k: v for k, v in first.metrics.items() if k not in ("phase_s", "phase_cpu_s")}
    assert {k: v for k, v in result.metrics.items() if k not in ("phase_s", "phase_cpu_s")} == without
    assert first.metrics["reask_answers_after"] != first.metrics["reask_answers_before"]  # the adapter answers otherwise
    second = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert store.get_run(second.run_id)["parent_adapter_id"] == first.adapter_id
    assert second.metrics["reask_answers_before"] == first.metrics["reask_answers_after"]
