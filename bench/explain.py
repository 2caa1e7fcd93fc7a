"""What "Why this token?" costs: the logit lens and integrated gradients against plain passes.

GPT-2-124M shape (random weights), one context of --tokens tokens, in one process: a plain
forward pass (`forward_ms`), one forward-and-backward pass through the input embeddings
(`forward_backward_ms`, what each integrated-gradients step costs), the logit lens
(`lens_ms`) and the attribution at a fixed step count (`attribution_ms`). Prints the ratios
`lens_ratio` (lens / forward; target <= 1.5) and `attribution_ratio` (attribution /
forward-and-backward; target <= steps + 2).

With --bundled, also the absolute seconds for the lens and the (adaptive) attribution on the
bundled SmolLM2-135M over a context of --bundled-tokens tokens, as the window runs them.

    python bench/explain.py [--tokens 1000] [--steps 16] [--rounds 3] [--bundled] [--bundled-tokens 100] [--cpu-clock]
    QT_QPA_PLATFORM=offscreen python bench/explain.py --ui    # event-loop gap while a worker explains
    python bench/explain.py --stall [--bundled-tokens 230] [--precision auto]
    python bench/explain.py --head [--lora] [--bundled-tokens 58] [--precision fast]
    python bench/explain.py --rounding [--rounding-tokens 30]    # written vs scored probability, Fast and Exact
    python bench/explain.py --early [--early-tokens 112 200] [--early-max-steps 128]    # first figures, before/after
    python bench/explain.py --cap    # Fast's attribution with 128 steps at most vs IG_MAX_STEPS
    python bench/explain.py --split    # Fast's attribution, every interval halved vs a stubborn one in four
    python bench/explain.py --widen    # Fast's attribution in bfloat16 arithmetic vs widened to float32, vs Exact

--head: one batch of the attribution's passes with the logits through the whole model (as
before) and through the model's body and a 2-D output layer (as now), interleaved:
`head_ratio` (now / before). The whole model's [B, 1, d] output layer copied its weight for
every path point in the bfloat16 backward on a CPU, and Cancel waited for that.

--stall: the attribution on the bundled model with and without the refinement's stall rule
(core.attribution.IG_STALL_ROUNDS), in one process on one context: passes and CPU-seconds of each,
`stall_cpu_ratio` (with / without), and how far apart the two results are (relative L2 of the
contributions, the top five of each). Also the lens's CPU-seconds: the first part the window shows.

--early: on the bundled model, for each context length of --early-tokens (default 112 and 200), the
attribution as before (the path's 17 even points in batches of up to 1,024 // context tokens, nothing
to show until the end) and as now (core.attribution.coarse_to_fine: both ends first, the contributions
so far reported after every batch), one after the other in one process: CPU-seconds to the first report
and to the end, passes and top five (by size) of every estimate shown against the finished ranking
before, and how far the two finished results are apart.

--widen: on the bundled model, for tokens of WIDEN_TEXTS, the attribution on Fast weights in their own
bfloat16 arithmetic (as before core.attribution.float32_arithmetic), the same weights widened to float32
(as now) and on Exact weights, one after the other in one process: each one's gap, whether it
is complete (within 5%), whether its top three tokens are Exact's, and CPU seconds;
`widen_cpu_ratio` (widened / bfloat16).

--cap: on the bundled model at Fast, the tokens of --widen and the Text tab's " happy" vs " a" (after
"<|endoftext|>The cat sat on the mat. It was", as the Text tab reads it), each with the step cap as
before (128) and as now (core.attribution.IG_MAX_STEPS), one after the other in one process: gap,
steps and CPU seconds of each, how many are complete, and `cap_cpu_ratio` (now / before).

--split: the tokens of --cap at IG_MAX_STEPS, the refinement halving every interval it refines (as before)
and splitting a stubborn one (its error fell by less than half since its parent was split) in
core.attribution.IG_STUBBORN_PARTS (as now), one after the other in one process: gap, steps and CPU
seconds of each, how many are complete, and `split_cpu_ratio` (now / before).

--fast-vs-exact: on the bundled model, a chat answer's tokens (the chat template, a question and its answer, as
the window explains them), each explained on Fast (bfloat16 weights, widened to float32 for the passes) and on
Exact, one after the other in one process: passes, CPU seconds, CPU seconds a pass and gap of each;
`fast_exact_cpu_ratio` (Fast / Exact, all tokens together), `fast_exact_pass_ratio` (per pass), and the
widening's own cost (weights widened and narrowed back, once per run and per resumed run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def timed_attribution(loaded, seen, target, other, **setting):
    """One attribution with a module setting of core.attribution changed for it (the ways are compared in one
    process, so each must leave the module as it found it); returns the result and its CPU seconds."""
    from desktop_app.core import attribution

    (name, value), = setting.items()
    kept = getattr(attribution, name)
    setattr(attribution, name, value)
    try:
        cpu = time.process_time()
        result = attribution.integrated_gradients(loaded, seen, target, other)
        return result, time.process_time() - cpu
    finally:
        setattr(attribution, name, kept)

def gpt2_124m(device: str):
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from desktop_app.core.model_sources import ModelSource
    from desktop_app.core.models import LoadedModel
    from tiny_model import build_tiny_model

    tok_dir = build_tiny_model(Path(tempfile.mkdtemp()) / "tok")  # a real byte-level tokenizer
    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=50257)).eval().to(device)  # GPT-2 124M shape
    # token ids beyond the tiny tokenizer's vocabulary decode as empty text: fine for timing
    source = ModelSource("folder", "bench:gpt2-124m-random", str(tok_dir), "gpt2-124m-random")
    return LoadedModel(model, tokenizer, source, tok_dir, torch.device(device), torch.float32, 1024)


CLOCK = time.perf_counter  # --cpu-clock: time.process_time (one thread on a shared machine: wall stretches with load)


def timed(fn) -> tuple[float, object]:
    start = CLOCK()
    result = fn()
    return (CLOCK() - start) * 1000, result


def forward_backward(loaded, ids: list[int]) -> None:
    model = loaded.model
    embeds = model.get_input_embeddings()(torch.tensor([ids], device=loaded.device)).detach().requires_grad_(True)
    logprobs = torch.log_softmax(model(inputs_embeds=embeds, logits_to_keep=1).logits[0, -1].float(), -1)
    torch.autograd.grad(logprobs[ids[-1]] - logprobs[0], embeds)


def ratios(args) -> None:
    from desktop_app.core.attribution import integrated_gradients
    from desktop_app.core.lens import logit_lens

    loaded = gpt2_124m(args.device)
    ids = torch.randint(0, 50257, (args.tokens + 1,), generator=torch.Generator().manual_seed(1)).tolist()
    seen, chosen = ids[:-1], ids[-1]
    plain, passes, lens = [], [], []
    for _ in range(args.rounds):  # interleaved, so machine noise hits each alike
        with torch.inference_mode():
            plain.append(timed(lambda: loaded.model(input_ids=torch.tensor([seen]), logits_to_keep=1))[0])
        passes.append(timed(lambda: forward_backward(loaded, seen))[0])
        lens.append(timed(lambda: logit_lens(loaded, seen, chosen))[0])
    forward_ms, fb_ms, lens_ms = (statistics.median(x) for x in (plain, passes, lens))
    from desktop_app.core import attribution

    rounds, heard = attribution.coarse_to_fine, []
    before_ms, _ = timed(lambda: _even_sweep(lambda: integrated_gradients(loaded, seen, chosen, 0, steps=args.steps,
                                                                          max_steps=args.steps)))
    attribution_ms, result = timed(lambda: integrated_gradients(loaded, seen, chosen, 0, steps=args.steps,
                                                                max_steps=args.steps, progress=heard.append))
    assert attribution.coarse_to_fine is rounds
    print(f"context: {args.tokens} tokens, GPT-2 124M shape, {args.device}")
    print(f"forward_ms: {forward_ms:.0f}  forward_backward_ms: {fb_ms:.0f}  lens_ms: {lens_ms:.0f}  "
          f"attribution_ms: {attribution_ms:.0f} ({result.steps} steps, gap {result.gap * 100:.1f}%; "
          f"first figures after {heard[0].done} passes, {heard[0].elapsed * 1000:.0f} ms wall)")
    print(f"lens_ratio: {lens_ms / forward_ms:.2f} (target <= 1.5)")
    print(f"attribution_ratio: {attribution_ms / fb_ms:.1f} (target <= {args.steps + 2}); as one even sweep "
          f"(before the figures so far were shown): {before_ms / fb_ms:.1f}")


def _even_sweep(run):
    """``run()`` with the path's points in one even sweep, as before core.attribution.coarse_to_fine."""
    from desktop_app.core import attribution

    rounds = attribution.coarse_to_fine
    attribution.coarse_to_fine = lambda steps: [[k / steps for k in range(steps + 1)]]  # one round: batched as before
    try:
        return run()
    finally:
        attribution.coarse_to_fine = rounds


def bundled(args) -> None:
    from desktop_app.core import explain as ex
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.lens import logit_lens
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.token_context import TokenContext

    loaded = open_model("bundled", AppPaths.resolve().ensure(), device=args.device)
    text = (Path(__file__).resolve().parents[1] / "resources" / "probe.txt").read_text()
    ids = list(loaded.tokenizer(text)["input_ids"])[:args.bundled_tokens + 1]
    context = TokenContext(ids=ids, prompt_len=len(ids) - 1, settings=SamplingSettings())
    lens_ms, _ = timed(lambda: logit_lens(loaded, ids[:-1], ids[-1]))
    total_ms, result = timed(lambda: ex.explain(loaded, context))
    a = result.attribution
    print(f"bundled SmolLM2-135M, {len(ids) - 1}-token context, {args.device}: lens {lens_ms / 1000:.2f} s; "
          f"lens + attribution + sampler {total_ms / 1000:.2f} s ({a.steps} steps, gap {a.gap * 100:.1f}%)")


def stall(args) -> None:
    from desktop_app.core import attribution
    from desktop_app.core.explain import runner_up
    from desktop_app.core.lens import logit_lens
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    loaded = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision=args.precision)
    text = (Path(__file__).resolve().parents[1] / "resources" / "probe.txt").read_text()
    ids = list(loaded.tokenizer(text)["input_ids"])[:args.bundled_tokens + 1]
    seen, chosen = ids[:-1], ids[-1]
    start = time.process_time()
    _lens, logits = logit_lens(loaded, seen, chosen)
    lens_s = time.process_time() - start
    print(f"bundled SmolLM2-135M ({loaded.precision}), {len(seen)}-token context: "
          f"lens {lens_s:.2f} CPU-s (shown first)")
    other, runs, kept = runner_up(logits, chosen), {}, attribution.IG_STALL_ROUNDS
    for name, rounds in (("with", kept), ("without", 10**9)):
        attribution.IG_STALL_ROUNDS = rounds
        start = time.process_time()
        result = attribution.integrated_gradients(loaded, seen, chosen, other)
        runs[name] = (time.process_time() - start, result)
        print(f"{name} the stall rule: {result.steps + 1} passes, {runs[name][0]:.1f} CPU-s, "
              f"gap {result.gap * 100:.1f}%, top five {result.top(5)}")
    attribution.IG_STALL_ROUNDS = kept
    a, b = (torch.tensor(r.scores) for _t, r in runs.values())
    print(f"stall_cpu_ratio: {runs['with'][0] / runs['without'][0]:.2f}  "
          f"contributions apart (relative L2): {float((a - b).norm() / b.norm()):.5f}")


def head(args) -> None:
    """One batch of attribution passes (forward and backward, 8 path points) on the bundled
    model, its logits through the whole model (as before) and through the body plus a 2-D
    output layer (core.attribution._Path._logits), interleaved in one process; with the largest
    gap between two cancel checks of each (what Cancel waits for at most)."""
    from desktop_app.core.attribution import _Path, baseline_token
    from desktop_app.core.lens import stoppable_blocks
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    loaded = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision=args.precision)
    if args.lora:  # as with a fine-tuned adapter in use (PEFT wraps the model)
        import dataclasses
        import warnings

        from peft import LoraConfig, get_peft_model

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wrapped = get_peft_model(loaded.model, LoraConfig(r=8, target_modules="all-linear")).eval()
        loaded = dataclasses.replace(loaded, model=wrapped)
    text = (Path(__file__).resolve().parents[1] / "resources" / "probe.txt").read_text()
    ids = list(loaded.tokenizer(text)["input_ids"])[:args.bundled_tokens + 1]
    embed = loaded.model.get_input_embeddings()
    ids_t = torch.tensor(ids[:-1], device=loaded.device)
    inputs = embed(ids_t).detach()
    blank = embed(torch.full_like(ids_t, baseline_token(loaded.tokenizer))).detach()
    path = _Path(loaded.model, inputs, blank, len(ids) - 2, ids[-1], 0, None, None)
    alphas = torch.linspace(0, 1, 8, dtype=inputs.dtype, device=loaded.device)
    times = {"whole": [], "2d": []}
    with torch.enable_grad(), stoppable_blocks(loaded.model, __import__("threading").Event()):
        for _ in range(args.rounds):
            for name in times:
                def objective(whole=name == "whole"):
                    path_in = (path.baseline + alphas[:, None, None] * (path.inputs - path.baseline)).requires_grad_()
                    values = torch.log_softmax(path._logits(path_in, None, whole=whole).float(), -1)[:, ids[-1]]
                    torch.autograd.grad(values.sum(), path_in)
                times[name].append(timed(objective)[0] / 1000)
    whole, flat = (statistics.median(times[k]) for k in ("whole", "2d"))
    print(f"bundled SmolLM2-135M ({loaded.precision}{', a LoRA adapter on' if args.lora else ''}), "
          f"{len(ids) - 1}-token context, 8 path points: whole model "
          f"{whole:.2f} s, body + 2-D output layer {flat:.2f} s; head_ratio {flat / whole:.2f}")


def rounding(args) -> None:
    """How far a token's probability as written (token by token) is from the same token
    scored later (the whole text at once) and from Explain's pass, per precision: why
    Explain's figure can differ from the inspector's under Fast."""
    from desktop_app.core.generation import SamplingSettings, generate
    from desktop_app.core.lens import final_logits
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.prompts import Turn, build_prompt
    from desktop_app.core.scoring import score_ids

    for precision in ("fast", "exact"):
        loaded = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision=precision)
        prompt = build_prompt(loaded.tokenizer, [Turn("user", "Tell me about the moon.")],
                              context_window=loaded.context_window, max_new_tokens=args.rounding_tokens)
        gen = generate(loaded, prompt.ids, SamplingSettings(max_new_tokens=args.rounding_tokens, temperature=0.6,
                                                            seed=3, stop_sequences=prompt.stop_sequences))
        ids = [r.id for r in gen.records]
        scored = score_ids(loaded, prompt.ids, ids)
        gaps = [abs(a.prob - b.prob) * 100 for a, b in zip(gen.records, scored)]
        worst = max(range(len(gaps)), key=gaps.__getitem__)
        with torch.inference_mode():
            explained = float(torch.softmax(final_logits(loaded, prompt.ids + ids[:worst]).float(), -1)[ids[worst]])
        print(f"{loaded.precision}: {len(ids)} tokens, written vs scored: mean {statistics.mean(gaps):.2f} points, "
              f"max {gaps[worst]:.2f} at {gen.records[worst].text!r} (written {gen.records[worst].prob * 100:.2f}%, "
              f"scored {scored[worst].prob * 100:.2f}%, Explain's pass {explained * 100:.2f}%)")


def ui_gap(args) -> None:
    """The longest wait of a 5 ms timer on the GUI thread while a worker explains a token."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.core import explain as ex
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.token_context import TokenContext
    from desktop_app.gui.tasks import Lane, Task

    app = QApplication.instance() or QApplication([])
    loaded = gpt2_124m("cpu")
    ids = torch.randint(0, 50257, (args.ui_tokens + 1,), generator=torch.Generator().manual_seed(2)).tolist()
    context = TokenContext(ids=ids, prompt_len=len(ids) - 1, settings=SamplingSettings())
    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    lane = Lane("model")  # as the window runs it: the model lane of gui/tasks.py
    ended = []
    task = Task(lambda _report, cancel: ex.explain(loaded, context, steps=8, max_steps=8, cancel=cancel), "explain",
                on_success=lambda _r: (ended.append("ok"), app.quit()),
                on_failure=lambda error: (ended.append(str(error)), app.quit()))
    timer.start()
    lane.submit(task)
    app.exec()
    lane.shutdown()
    print(f"explanation: {ended[0] if ended else 'did not end'}")
    print(f"event_loop_gap_explain: {max(gaps) * 1000:.0f} ms over {len(gaps)} ticks "
          f"({args.ui_tokens}-token context, GPT-2 124M shape; target < 50 ms)")

WIDEN_TEXTS = ("The capital of France is Paris.",
               "Water boils at 100 degrees Celsius at sea level, which is why pasta cooks fast.",
               "She opened the door and saw that the garden was covered in snow.")


def widen(args) -> None:
    from contextlib import nullcontext

    from desktop_app.core import attribution
    from desktop_app.core.explain import runner_up
    from desktop_app.core.lens import final_logits
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve().ensure()
    fast = open_model("bundled", paths, device=args.device, precision="fast")
    exact = open_model("bundled", paths, device=args.device, precision="exact")
    widened = attribution.float32_arithmetic
    modes = (("exact", exact, widened), ("bfloat16", fast, lambda loaded: nullcontext()), ("widened", fast, widened))
    totals = {name: [0, 0, 0.0] for name, _, _ in modes}  # complete, top-3 as Exact's, CPU-s
    count = 0
    for text in WIDEN_TEXTS:
        ids = list(fast.tokenizer(text)["input_ids"])
        for at in sorted({3, len(ids) // 2, len(ids) - 2}):
            count += 1
            seen, target = ids[:at], ids[at]
            other = runner_up(final_logits(exact, seen), target)
            tops = {}
            for name, loaded, arithmetic in modes:
                result, cpu = timed_attribution(loaded, seen, target, other, float32_arithmetic=arithmetic)
                tops[name] = result.top(3)
                totals[name][0] += result.complete
                totals[name][1] += tops[name] == tops["exact"]
                totals[name][2] += cpu
                print(f"{text[:24]!r} token {at} {name:9s} gap {result.gap * 100:7.1f}%  {result.steps:3d} steps  "
                      f"{cpu:5.2f} CPU-s  top {tops[name]}")
    for name, (complete, same, cpu) in totals.items():
        print(f"{name}: complete {complete} of {count}, top three as Exact's {same} of {count}, {cpu:.1f} CPU-s")
    print(f"widen_cpu_ratio: {totals['widened'][2] / totals['bfloat16'][2]:.2f}")


CAP_TEXT = ("The cat sat on the mat. It was", " happy", " a")


def cap_cases(fast) -> list[tuple[list[int], int, int]]:
    """--cap's tokens: (context, token, the one it is compared with)."""
    from desktop_app.core.explain import runner_up
    from desktop_app.core.lens import final_logits
    from desktop_app.core.prompts import plain_text_start

    encode = lambda text: list(fast.tokenizer(text)["input_ids"])  # noqa: E731
    cases = [(plain_text_start(fast.tokenizer) + encode(CAP_TEXT[0]), encode(CAP_TEXT[1])[0], encode(CAP_TEXT[2])[0])]
    for text in WIDEN_TEXTS:
        ids = encode(text)
        for at in sorted({3, len(ids) // 2, len(ids) - 2}):
            cases.append((ids[:at], ids[at], runner_up(final_logits(fast, ids[:at]), ids[at])))
    return cases


def cap(args) -> None:
    from desktop_app.core import attribution
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    fast = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision="fast")
    cases = cap_cases(fast)
    totals = {most: [0, 0.0] for most in (128, attribution.IG_MAX_STEPS)}  # complete, CPU-s
    for seen, target, other in cases:
        for most, total in totals.items():
            cpu = time.process_time()
            result = attribution.integrated_gradients(fast, seen, target, other, max_steps=most)
            cpu = time.process_time() - cpu
            total[0] += result.complete
            total[1] += cpu
            print(f"{len(seen):3d} tokens, cap {most:3d}: gap {result.gap * 100:7.1f}%  {result.steps:3d} steps  "
                  f"{cpu:5.2f} CPU-s")
    for most, (complete, cpu) in totals.items():
        print(f"cap {most}: complete {complete} of {len(cases)}, {cpu:.1f} CPU-s")
    print(f"cap_cpu_ratio: {totals[attribution.IG_MAX_STEPS][1] / totals[128][1]:.2f}")


def split(args) -> None:
    """--cap's tokens at the step cap, every interval halved (as before) and a stubborn one split in
    core.attribution.IG_STUBBORN_PARTS (as now), one after the other in one process."""
    from desktop_app.core import attribution
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    fast = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision="fast")
    cases, kept = cap_cases(fast), attribution.IG_STUBBORN_PARTS
    totals = {"halved": [0, 0.0, 2], "stubborn": [0, 0.0, kept]}  # complete, CPU-s, parts
    for seen, target, other in cases:
        for name, total in totals.items():
            result, cpu = timed_attribution(fast, seen, target, other, IG_STUBBORN_PARTS=total[2])
            total[0] += result.complete
            total[1] += cpu
            print(f"{len(seen):3d} tokens, {name:8s}: gap {result.gap * 100:7.1f}%  {result.steps:3d} steps  "
                  f"{cpu:5.2f} CPU-s")
    for name, (complete, cpu, parts) in totals.items():
        print(f"{name} (a stubborn interval in {parts}): complete {complete} of {len(cases)}, {cpu:.1f} CPU-s")
    print(f"split_cpu_ratio: {totals['stubborn'][1] / totals['halved'][1]:.2f}")


def early(args) -> None:
    from desktop_app.core import attribution
    from desktop_app.core.explain import runner_up
    from desktop_app.core.lens import final_logits
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    loaded = open_model("bundled", AppPaths.resolve().ensure(), device=args.device, precision=args.precision)
    text = (Path(__file__).resolve().parents[1] / "resources" / "probe.txt").read_text()
    every = list(loaded.tokenizer(text)["input_ids"])
    rounds = attribution.coarse_to_fine
    for count in args.early_tokens:
        seen, chosen = every[:count], every[count]
        other = runner_up(final_logits(loaded, seen), chosen)
        runs = {}
        for name, order in (("before", lambda steps: [[k / steps for k in range(steps + 1)]]), ("now", rounds)):
            heard = []
            attribution.coarse_to_fine = order
            try:
                start = time.process_time()
                result = attribution.integrated_gradients(
                    loaded, seen, chosen, other, max_steps=args.early_max_steps,
                    progress=lambda p: heard.append((time.process_time() - start, p)))
                runs[name] = (time.process_time() - start, result, heard)
            finally:
                attribution.coarse_to_fine = rounds
        finished = runs["before"][1]
        best = set(finished.top(5))
        print(f"bundled SmolLM2-135M ({loaded.precision}), {count}-token context, finished top five {finished.top(5)}")
        for name, (cpu, result, heard) in runs.items():
            # before, the window showed no figures until the end (its progress carried none)
            shown = [(t, p.done, len(best & set(p.estimate.top(5))), p.estimate.gap)
                     for t, p in heard if p.estimate and name == "now"] or [(cpu, result.steps + 1, 5, result.gap)]
            settled = next(done for n, (_t, done, _s, _g) in enumerate(shown) if all(x[2] == 5 for x in shown[n:]))
            print(f"  {name}: first report after {heard[0][1].done} passes, {heard[0][0]:.1f} CPU-s; first figures "
                  f"after {shown[0][1]} passes, {shown[0][0]:.1f} CPU-s ({shown[0][0] / cpu:.2f} of the time to the "
                  f"end); finished after {result.steps + 1} passes, {cpu:.1f} CPU-s, gap {result.gap * 100:.1f}%; "
                  f"top five as finished from pass {settled} on")
            for t, done, same, gap in shown if name == "now" else ():
                print(f"    {t:6.1f} CPU-s  {done:3d} passes  top five {same}/5 of the finished  gap {gap * 100:.0f}%")
        a, b = (torch.tensor(runs[k][1].scores) for k in ("now", "before"))
        print(f"  now vs before, finished: max |difference| {float((a - b).abs().max()):.2e}, relative L2 "
              f"{float((a - b).norm() / b.norm()):.2e}, same top five {runs['now'][1].top(5) == finished.top(5)}")


CHAT_CASE = ("What is the capital of France, and why is it famous?",
             "The capital of France is Paris. It is famous for the Eiffel Tower, the Louvre Museum and its food.")


def chat_ids(loaded) -> list[int]:
    """The chat template's prompt for CHAT_CASE's question, then its answer, as the window's context has them."""
    question, answer = CHAT_CASE
    prompt = loaded.tokenizer.apply_chat_template([{"role": "user", "content": question}],
                                                  add_generation_prompt=True, tokenize=False)
    return list(loaded.tokenizer(prompt + answer)["input_ids"])


def fast_vs_exact(args) -> None:
    """Fast against Exact on the tokens of a chat answer, one process (the usertest56 walker's ~20 min)."""
    from desktop_app.core import attribution
    from desktop_app.core.explain import runner_up
    from desktop_app.core.lens import final_logits
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve().ensure()
    models = {name: open_model("bundled", paths, device=args.device, precision=name) for name in ("fast", "exact")}
    ids = chat_ids(models["exact"])
    totals = {name: [0.0, 0] for name in models}  # CPU-s, passes
    for at in (len(ids) - 20, len(ids) - 10, len(ids) - 2):
        seen, target = ids[:at], ids[at]
        other = runner_up(final_logits(models["exact"], seen), target)
        for name, loaded in models.items():
            cpu = time.process_time()
            result = attribution.integrated_gradients(loaded, seen, target, other)
            cpu = time.process_time() - cpu
            totals[name][0] += cpu
            totals[name][1] += result.steps + 1
            print(f"token {at} of {len(ids)} {name:5s} ({loaded.precision}): {result.steps + 1:3d} passes, {cpu:6.1f} "
                  f"CPU-s, {cpu / (result.steps + 1):.3f} a pass, gap {result.gap * 100:.1f}%", flush=True)
    cpu = time.process_time()
    for _ in range(3):
        with attribution.float32_arithmetic(models["fast"]):
            pass
    print(f"widening Fast's weights and narrowing them back: {(time.process_time() - cpu) / 3:.2f} CPU-s a run")
    (fast_cpu, fast_passes), (exact_cpu, exact_passes) = totals["fast"], totals["exact"]
    print(f"fast_exact_cpu_ratio: {fast_cpu / exact_cpu:.2f} ({fast_cpu:.1f} / {exact_cpu:.1f} CPU-s)")
    print(f"fast_exact_pass_ratio: {(fast_cpu / fast_passes) / (exact_cpu / exact_passes):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--bundled", action="store_true")
    parser.add_argument("--bundled-tokens", type=int, default=100)
    parser.add_argument("--ui", action="store_true", help="only the event-loop gap while a worker explains")
    parser.add_argument("--ui-tokens", type=int, default=200)
    parser.add_argument("--stall", action="store_true", help="only the refinement's stall rule, before/after")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--head", action="store_true", help="only one batch of passes, whole model vs 2-D head")
    parser.add_argument("--lora", action="store_true", help="--head with a LoRA adapter on, as after a fine-tune")
    parser.add_argument("--rounding", action="store_true", help="only written vs scored probabilities per precision")
    parser.add_argument("--rounding-tokens", type=int, default=30)
    parser.add_argument("--early", action="store_true", help="only the first numbers shown: before/after")
    parser.add_argument("--early-tokens", type=int, nargs="+", default=[112, 200])
    parser.add_argument("--early-max-steps", type=int, default=128, help="16: the even sweep only, no refinement")
    parser.add_argument("--widen", action="store_true", help="only Fast's attribution in bfloat16 vs widened")
    parser.add_argument("--cap", action="store_true", help="only Fast's attribution at the step cap before/now")
    parser.add_argument("--split", action="store_true", help="only Fast's attribution, intervals halved vs split")
    parser.add_argument("--fast-vs-exact", action="store_true", help="only a chat answer's tokens, Fast vs Exact")
    parser.add_argument("--cpu-clock", action="store_true", help="CPU time rather than wall time (one thread)")
    args = parser.parse_args()
    if args.cpu_clock:
        global CLOCK
        CLOCK = time.process_time
    if args.fast_vs_exact:
        fast_vs_exact(args)
        return
    if args.early:
        early(args)
        return
    if args.cap:
        cap(args)
        return
    if args.split:
        split(args)
        return
    if args.widen:
        widen(args)
        return
    if args.rounding:
        rounding(args)
        return
    if args.head:
        head(args)
        return
    if args.stall:
        stall(args)
        return
    if args.ui:
        ui_gap(args)
        return
    if args.bundled:
        bundled(args)
    ratios(args)


if __name__ == "__main__":
    main()
