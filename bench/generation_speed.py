"""Tokens/s of an answer with full records (log-prob, rank, entropy, top-10): the plain
float32 path against each fast path, interleaved in one run.

Paths: ``eager-f32`` (the plain loop, float32: the baseline), ``static-f32`` (the fast path:
static cache, records on the device, one copy per token), ``eager-16`` and ``static-16``
(the same with 16-bit weights: bfloat16 on a CPU with native bf16 or a bf16 GPU, float16
otherwise), on a CPU ``eager-int8`` and ``static-int8`` (Compact: int8 linear weights,
core.compact; where the CPU and torch support it), on a CPU ``lean-f32``, ``lean-16`` and
``lean-int8`` (the lean decode step, core.lean_decode: the app's default on a CPU; the
``eager-*`` paths are the model's own forward, the app's path before it), where the bf16
matrix-vector kernel (core.bf16_gemv) is built, ``onednn-16`` (the lean step with oneDNN's
prepacked products instead: the Fast path before that kernel), and with ``--compile`` ``compiled-16`` (static-16 with the step compiled by
torch.compile; on CUDA that is CUDA graphs, "reduce-overhead"; on a CPU inductor's C++ with the
16-bit weights frozen) and, on a CPU, ``compiled-f32`` (static-f32 compiled; weights not frozen,
so its records match the plain path's). The compile time is printed (paid once per model and
cache size; a second run reads the generated code from the disk cache).
Models: GPT-2 124M shape (random weights from GPT2Config) and, when present, the bundled
SmolLM2-135M (converted once into --cache-dir).

Every answer runs to --tokens (end-of-text is ignored here, so all paths do the same work).
Prints, per model and path, tokens/s (wall) and tokens per CPU-second of this process
(steadier on a shared machine), then:
    fast_cpu_speedup: X           best 16-bit path / eager-f32, wall tokens/s (target >= 1.6)
    compact_cpu_speedup: X        best int8 path / eager-f32 (Compact)
    compact_vs_fast: X            best int8 path / best 16-bit path
    max_logprob_diff_bf16: Y      largest |log-prob| difference, 16-bit against float32,
                                  on the same tokens (teacher-forced): the float32 answer's and
                                  a fixed paragraph of prose's (TEXT)
    max_logprob_diff_compact: Y   the same for Compact (int8 weights)
    max_logprob_diff_lean_f32/bf16/compact: Y   the same tokens through the lean step
    lean_vs_eager_f32/16/int8: X  lean-* / eager-* of the same precision (the lean step's gain)
    gemv_vs_onednn: X             lean-16 / onednn-16 (the bf16 kernel's gain over oneDNN's products)
    max_logprob_diff_onednn_bf16: Y   max_logprob_diff_lean_bf16 with oneDNN's products
With ``--profile``: per model and path, where an answer's CPU time goes, in ms per token:
the prompt (prefill), the model's decode step, sampling, the records, and the rest of the loop.
    fast_f32_matches_eager: yes|no   static-f32 (and compiled-f32) gave the same ids as eager-f32
With --device cuda: ``gpu_tokens_per_s_gpt2: N`` (best path on GPT-2 124M) instead of the CPU line.

    python bench/generation_speed.py [--tokens 64] [--rounds 3] [--device cpu|cuda] [--compile]
        [--models gpt2,bundled] [--paths eager-f32,static-16,...] [--threads N] [--adapter R] [--profile]
        [--cache-dir DIR]
``--adapter R``: every model wears a random LoRA adapter of rank R on all its linear layers
(PEFT, as a fine-tune makes them), attached as the app attaches one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from _common import Clock, add_cache_dir, bundled_folder, figure, load_average, median


PRECISIONS = {"f32": "exact", "16": "fast", "int8": "compact"}  # a path's suffix -> core.precision


def gpt2_124m(device: str, precision: str):
    from generation_overhead import build

    from desktop_app.core.compact import INT8, quantize_cpu_weights
    from desktop_app.core.fast_decode import pack_cpu_weights

    loaded = build(device, False)
    dtype = torch.float32 if precision == "exact" else sixteen_bit(device)
    if precision == "compact":  # as load_model does for Compact: int8 from the float32 weights
        quantize_cpu_weights(loaded.model, dtype)
        loaded.weights = INT8
    loaded.model.to(dtype=dtype)
    loaded.dtype = dtype
    if dtype == torch.bfloat16 and device == "cpu":
        pack_cpu_weights(loaded.model)  # as load_model does for Fast on a CPU
        if precision == "fast":
            from desktop_app.core import bf16_gemv

            bf16_gemv.library(build=True)  # as load_model does
    return loaded


def bundled(device: str, precision: str, cache_dir):
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    folder = bundled_folder(cache_dir)  # converted once; later runs read the folder
    return open_model(str(folder), AppPaths.resolve(cache_dir), device=device, precision=precision)


def path_names(device: str, compile_: bool) -> list[str]:
    """The paths this device runs: Compact (int8) only where core.precision says it can."""
    from desktop_app.core.precision import compact_unsupported

    names = ["eager-f32", "static-f32", "eager-16", "static-16"]
    if compact_unsupported(torch.device(device)) is None:
        names += ["eager-int8", "static-int8"]
    if device == "cpu":
        names += [f"lean-{p.split('-')[1]}" for p in names if p.startswith("eager")]
        if gemv_kernel() is not None:
            names.append("onednn-16")
    if compile_:
        names += ["compiled-16"] + (["compiled-f32"] if device == "cpu" else [])
    return names


def gemv_kernel():
    """The bf16 matrix-vector kernel where it builds here (core.bf16_gemv), else None."""
    from desktop_app.core import bf16_gemv

    return bf16_gemv.library(build=True)


def is_lean(path: str) -> bool:
    return path.startswith(("lean", "onednn"))


def step_kind(path: str) -> str:
    """The generation path a bench path runs on (Generation.path)."""
    return {"eager": "plain", "compiled": "static", "onednn": "lean"}.get(path.split("-")[0], path.split("-")[0])


def which_product(path: str) -> None:
    """onednn-*: the lean step with oneDNN's products (the kernel turned off); else the default."""
    import os

    from desktop_app.core import bf16_gemv

    if path.startswith("onednn"):
        os.environ[bf16_gemv.ENV] = "0"
    else:
        os.environ.pop(bf16_gemv.ENV, None)


def precision_of(path: str) -> str:
    return PRECISIONS[path.rsplit("-", 1)[1]]


def sixteen_bit(device: str):
    from desktop_app.core.precision import fast_dtype

    return fast_dtype(torch.device(device)) or (torch.bfloat16 if device == "cpu" else torch.float16)


def time_answer(loaded, prompt, settings, path: str, sync) -> tuple[float, float, list]:
    """One answer on ``path``: eager-* the model's own forward, static-*/compiled-* the static
    cache, lean-* the lean decode step."""
    from desktop_app.core.generation import generate

    which_product(path)
    sync()
    with Clock() as clock:
        gen = generate(loaded, prompt, settings, fast=path.startswith(("static", "compiled")), lean=is_lean(path))
        assert gen.path == step_kind(path), gen.path
        sync()
    return gen.generated / clock.wall, gen.generated / clock.cpu, gen.records


def build_parser(description: str = __doc__.splitlines()[0]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--compile", action="store_true", help="also time the compiled static path")
    parser.add_argument("--models", default="gpt2,bundled")
    parser.add_argument("--paths", default="", help="only these paths (comma-separated; eager-f32 always runs)")
    parser.add_argument("--threads", type=int, default=0,
                        help="the answers' thread team (GPT2_DESK_THREADS); default: the app's choice")
    parser.add_argument("--adapter", type=int, default=0, help="wear a random LoRA adapter of this rank")
    parser.add_argument("--profile", action="store_true", help="also print where each path's CPU time goes")
    add_cache_dir(parser)
    return parser


def chosen_paths(args) -> list[str]:
    names = path_names(args.device, args.compile)
    if args.paths:
        wanted = set(args.paths.split(",")) | {"eager-f32"}
        names = [n for n in names if n in wanted]
    return names


def make_models(name: str, args, paths: list[str]) -> dict:
    """{precision: LoadedModel} for the precisions ``paths`` use."""
    make = (lambda p: gpt2_124m(args.device, p)) if name == "gpt2" else \
        (lambda p: bundled(args.device, p, args.cache_dir))
    models = {prec: make(prec) for prec in dict.fromkeys(precision_of(p) for p in paths)}
    if args.adapter:
        for loaded in models.values():
            wear_adapter(loaded, args.adapter, args.cache_dir)
    return models


def wear_adapter(loaded, rank: int, cache_dir) -> None:
    """A random LoRA adapter on every linear layer, saved and attached as the app does (bench only)."""
    import tempfile

    from peft import LoraConfig, get_peft_model

    from desktop_app.core import adapters

    torch.manual_seed(0)
    config = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules="all-linear", init_lora_weights=False)
    folder = tempfile.mkdtemp(prefix="bench-adapter-", dir=cache_dir)
    with torch.no_grad():  # a copy of the model's layout: float32 LoRA weights of small size
        peft_model = get_peft_model(type(loaded.model)(loaded.model.config), config)
        for name, p in peft_model.named_parameters():
            if "lora_" in name:
                p.mul_(0.05)
    peft_model.save_pretrained(folder)
    (Path(folder) / adapters.META_FILE).write_text("{}")
    adapters.attach(loaded, folder, 1)


def answer_prompt(loaded, tokens: int) -> list[int]:
    from desktop_app.core.prompts import Turn, build_prompt

    return build_prompt(loaded.tokenizer, [Turn("user", "Tell me a long story about the sea.")],
                        context_window=loaded.context_window, max_new_tokens=tokens).ids


def run_rounds(models: dict, prompt, settings, paths: list[str], rounds: int, sync, others=None) -> tuple:
    """Every path (and every ``others`` name -> a callable giving tokens/s) once per round,
    interleaved; round 0 warms up and is not counted. Returns ({path: (walls, cpus)}, {path: records})."""
    import os

    from desktop_app.core import fast_decode

    others = others or {}
    results = {p: ([], []) for p in [*paths, *others]}
    kept = {}
    for round_ in range(rounds + 1):
        for p in paths:
            # the compiled step is used only where compile is wanted: off for the other paths
            os.environ[fast_decode.ENV_COMPILE] = "1" if p.startswith("compiled") else "0"
            wall, cpu, kept[p] = time_answer(models[precision_of(p)], prompt, settings, p, sync)
            if round_:
                results[p][0].append(wall)
                results[p][1].append(cpu)
        for name, run in others.items():
            speed = run()
            if round_:
                results[name][0].append(speed)
                results[name][1].append(float("nan"))
    os.environ.pop(fast_decode.ENV_COMPILE, None)
    which_product("")
    return results, kept


# real prose for the precision check (the answers above are sampled at temperature 1)
TEXT = ("The harbour was quiet before dawn. Fishing boats rocked against the stone wall, their ropes creaking, "
        "and a few gulls walked along the pier looking for scraps. My grandfather had worked on these boats for "
        "forty years. He said the sea was never the same twice: some mornings it lay flat and grey like a sheet "
        "of metal, and on others it rose in long green hills that broke white over the rocks. He taught me to "
        "read the clouds, to tie a bowline with my eyes closed, and to respect the tide tables more than any "
        "weather forecast. When the first light came over the headland, the men carried their nets down the "
        "steps, and the engines coughed into life one after another. I remember the smell of diesel and salt, "
        "the cold of the metal rail under my hands, and the way the town grew small behind us as we left the "
        "bay. Out beyond the point the water turned dark blue, and the swell lifted the boat gently, again and "
        "again, as if the whole ocean were breathing slowly in its sleep.")


def logprob_diffs(models: dict, prompt, kept: dict, lean: bool = False) -> dict:
    """{precision: largest |log-prob| difference against float32 on the same tokens (teacher-forced):
    the eager float32 answer's tokens, and TEXT's}. With ``lean``, the same tokens also go
    through the lean decode step one by one (its own rounding), as "lean <precision>"."""
    from desktop_app.core.scoring import score_ids

    text = models["exact"].tokenizer(TEXT).input_ids
    reference = {"answer": kept["eager-f32"], "text": score_ids(models["exact"], text[:1], text[1:])}
    diffs = {}
    for prec, loaded in models.items():
        for what, (context, ids) in {"answer": (prompt, [r.id for r in kept["eager-f32"]]),
                                     "text": (text[:1], text[1:])}.items():
            ways = ([] if prec == "exact" else [(prec, lambda: [r.logprob for r in score_ids(loaded, context, ids)])])
            if lean:
                ways.append((f"lean {prec}", lambda: lean_logprobs(loaded, context, ids)))
            if lean and prec == "fast" and gemv_kernel() is not None:
                ways.append(("onednn fast", lambda: lean_logprobs(loaded, context, ids, "onednn")))
            for name, run in ways:
                gaps = [abs(a.logprob - b) for a, b in zip(reference[what], run())]
                print(f"    {name} vs float32 on the {what} ({len(gaps)} tokens): max {max(gaps):.4f}, "
                      f"mean {sum(gaps) / len(gaps):.4f}")
                diffs[name] = max(diffs.get(name, 0.0), max(gaps))
    return diffs


def lean_logprobs(loaded, context: list[int], ids: list[int], path: str = "lean") -> list[float]:
    """Log-probs of ``ids`` after ``context``, each token through the lean decode step
    (``path`` "onednn": with oneDNN's products instead of the bf16 kernel)."""
    from desktop_app.core.lean_decode import lean_steps

    which_product(path)
    with torch.inference_mode():
        steps = lean_steps(loaded, len(context) + len(ids))
        logits, out = steps.prefill(context, 1)[-1], []
        for token in ids:
            out.append(float(torch.log_softmax(logits.float(), -1)[token]))
            logits = steps.step(torch.tensor(token))
    which_product("")
    return out


def profile_paths(models: dict, prompt, settings, paths: list[str], rounds: int) -> None:
    """Per path, CPU ms per generated token spent in each part of an answer (median over
    ``rounds`` answers, interleaved): prefill, the decode step, sampling, records, the rest."""
    import time
    from collections import Counter

    from desktop_app.core import fast_decode, generation, lean_decode

    spent: Counter = Counter()
    parts = {"prefill": [(fast_decode.PlainSteps, "prefill"), (lean_decode.LeanSteps, "prefill")],
             "step": [(fast_decode.PlainSteps, "step"), (fast_decode.StaticSteps, "step"), (lean_decode.LeanSteps, "step")],
             "sampling": [(generation, "sample_token")], "records": [(generation, "records_from_logits"),
                                                                      (fast_decode, "packed_record")]}

    def timed(part, real):
        def run(*args, **kwargs):
            start = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[part] += time.process_time() - start
        return run

    originals = [(owner, attr, owner.__dict__[attr]) for part in parts.values() for owner, attr in part
                 if attr in owner.__dict__]
    for part, places in parts.items():
        for owner, attr in places:
            if attr in owner.__dict__:
                setattr(owner, attr, timed(part, owner.__dict__[attr]))
    table = {p: [] for p in paths}
    try:
        for _round in range(rounds):
            for p in paths:
                spent.clear()
                which_product(p)
                start = time.process_time()
                gen = generation.generate(models[precision_of(p)], prompt, settings,
                                          fast=p.startswith(("static", "compiled")), lean=is_lean(p))
                total = time.process_time() - start
                row = {k: spent[k] / gen.generated * 1e3 for k in parts}
                row["rest"] = total / gen.generated * 1e3 - sum(row.values())
                row["total"] = total / gen.generated * 1e3
                table[p].append(row)
    finally:
        which_product("")
        for owner, attr, real in originals:
            setattr(owner, attr, real)
    print("  where the CPU time goes, ms per token (median of the rounds):")
    for p, rows in table.items():
        print(f"    {p:14s} " + "  ".join(f"{k} {median([r[k] for r in rows]):6.2f}" for k in rows[0]), flush=True)


def prepare_compiled(name: str, models: dict, paths, needed: int) -> None:
    import os

    from desktop_app.core import fast_decode

    for p in (p for p in paths if p.startswith("compiled")):
        os.environ[fast_decode.ENV_COMPILE] = "1"
        took = fast_decode.prepare(models[precision_of(p)], needed)
        print(f"{name}: {p}: compiled the decode step in {took:.1f} s (paid once per model and cache size)",
              flush=True)
        os.environ[fast_decode.ENV_COMPILE] = "0"


def print_table(title: str, results: dict) -> dict:
    med = {p: (median(w), median(c)) for p, (w, c) in results.items()}
    print(title)
    for p, (w, c) in med.items():
        print(f"  {p:16s} {w:7.1f} tok/s   {c:7.1f} tok/cpu-s   rounds: " + ", ".join(f"{x:.1f}" for x in results[p][0]))
    return med


def setup(args):
    """The bench's common set-up: thread team, answers that never stop early, the settings."""
    import os

    from desktop_app.core import generation
    from desktop_app.core.threads import ENV_OVERRIDE

    if args.threads:
        os.environ[ENV_OVERRIDE] = str(args.threads)
    generation.eos_ids = lambda loaded: set()  # every answer runs to --tokens (bench only)
    return generation.SamplingSettings(max_new_tokens=args.tokens, seed=0, temperature=1.0, top_k=0,
                                       top_p=1.0, alternatives=10)


def main() -> int:
    args = build_parser().parse_args()
    settings = setup(args)

    def sync():
        if args.device == "cuda":
            torch.cuda.synchronize()

    paths = chosen_paths(args)
    summary = {}
    for name in args.models.split(","):
        try:
            models = make_models(name, args, paths)
        except Exception as exc:  # e.g. the bundled wheel is not installed
            print(f"{name}: skipped ({exc})")
            continue
        prompt = answer_prompt(models["exact"], args.tokens)
        prepare_compiled(name, models, paths, len(prompt) + args.tokens)
        results, kept = run_rounds(models, prompt, settings, paths, args.rounds, sync)
        med = print_table(f"{name} ({args.device}, {args.tokens} tokens, {args.rounds} rounds, "
                          f"16-bit = {sixteen_bit(args.device)}):", results)
        ids = [r.id for r in kept["eager-f32"]]
        same = all(ids == [r.id for r in kept[p]] for p in paths if precision_of(p) == "exact")
        if args.profile:
            profile_paths(models, prompt, settings, paths, args.rounds)
        summary[name] = (med, logprob_diffs(models, prompt, kept, any(is_lean(p) for p in paths)), same)
    if not summary:
        return 1
    return report(summary, args.device)


def best_ratio(med: dict, kinds: tuple[str, ...], over: str = "eager-f32") -> tuple[str, float, float] | None:
    """The fastest path whose precision is in ``kinds`` (not ``over`` itself): (path, wall ratio,
    CPU-second ratio) against ``over``."""
    found = [p for p in med if p != over and precision_of(p) in kinds]
    if not found:
        return None
    best = max(found, key=lambda p: med[p][0])
    return best, med[best][0] / med[over][0], med[best][1] / med[over][1]


def report(summary: dict, device: str) -> int:
    print(load_average())
    lines = {"fast_cpu_speedup": [], "compact_cpu_speedup": [], "compact_vs_fast": []}
    for name, (med, diffs, same) in summary.items():
        fast, compact = best_ratio(med, ("exact", "fast")), best_ratio(med, ("compact",))
        if fast:
            lines["fast_cpu_speedup"].append(fast[1])
            print(f"{name}: best fast path {fast[0]}: {fast[1]:.2f}x wall, {fast[2]:.2f}x per CPU-second")
        if compact:
            lines["compact_cpu_speedup"].append(compact[1])
            print(f"{name}: best Compact path {compact[0]}: {compact[1]:.2f}x wall, {compact[2]:.2f}x per CPU-second")
        if fast and compact:
            lines["compact_vs_fast"].append(med[compact[0]][0] / med[fast[0]][0])
        for kind in ("f32", "16", "int8"):
            if f"lean-{kind}" in med and f"eager-{kind}" in med:
                lines.setdefault(f"lean_vs_eager_{kind}", []).append(med[f"lean-{kind}"][0] / med[f"eager-{kind}"][0])
        if "lean-16" in med and "onednn-16" in med:  # the bf16 kernel's gain over oneDNN's products
            lines.setdefault("gemv_vs_onednn", []).append(med["lean-16"][0] / med["onednn-16"][0])
        print(f"{name}: max |log-prob| diff vs float32: " + ", ".join(f"{k} {v:.4f}" for k, v in diffs.items()))
    for prec, line in (("fast", "max_logprob_diff_bf16"), ("compact", "max_logprob_diff_compact"),
                       ("lean exact", "max_logprob_diff_lean_f32"), ("lean fast", "max_logprob_diff_lean_bf16"),
                       ("lean compact", "max_logprob_diff_lean_compact"),
                       ("onednn fast", "max_logprob_diff_onednn_bf16")):
        found = [d[prec] for _m, d, _s in summary.values() if prec in d]
        if found:
            figure(line, max(found), 4)
    print(f"fast_f32_matches_eager: {'yes' if all(s for _m, _d, s in summary.values()) else 'no'}")
    if device == "cuda" and "gpt2" in summary:
        med = summary["gpt2"][0]
        figure("gpu_tokens_per_s_gpt2", max(w for w, _c in med.values()), 0)
    for line, values in lines.items():
        if values:
            figure(line if device == "cpu" or line != "fast_cpu_speedup" else "fast_gpu_speedup", min(values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
