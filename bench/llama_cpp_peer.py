"""The app's answers against llama.cpp on this machine: the bundled SmolLM2-135M, the same
thread count, generating the same number of tokens, rounds interleaved in one run.

llama.cpp is not a dependency of the app: build it yourself (CPU only; see docs/measurements.md's
llama.cpp section) and pass its ``bin`` folder. The model goes to llama.cpp the way a person would
take it there: the app's own GGUF export (core.gguf_export, F16), then ``llama-quantize`` for
F32 (from F16, lossless) and the quantized types (from F32). llama.cpp runs as
``llama-bench -p 0 -n TOKENS -t THREADS -r 1`` (generation only, no prompt); the app's paths
answer a short prompt with full records (log-prob, rank, entropy, top-10), as
bench/generation_speed.py does, with the answers' thread team set to the same count.
Prints tokens/s per engine, then (app tokens/s / llama.cpp tokens/s):
    f32_vs_llamacpp_f32: X        Exact (float32, best of eager and static) / llama.cpp F32 (target >= 0.67)
    fast_vs_llamacpp_f16: Y       Fast (best 16-bit path) / llama.cpp F16 (target >= 0.67)
    compact_vs_llamacpp_q8_0: Z   Compact (int8 weights) / llama.cpp Q8_0
    compact_vs_llamacpp_f16: W    Compact / llama.cpp F16
    and each again as ``..._eager``: the app's eager paths only (the model's own forward, as the
    app decoded before the lean step), where that differs

    python bench/llama_cpp_peer.py --llama-cpp LLAMA/build/bin [--threads 1] [--tokens 64] [--rounds 2]
        [--quants f32,f16,q8_0,q4_0] [--paths ...] [--cache-dir DIR]
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from _common import bundled_folder, figure, load_average

import generation_speed as gs

QUANT_TYPES = {"f32": "F32", "f16": "F16", "q8_0": "Q8_0", "q4_0": "Q4_0", "q4_1": "Q4_1"}


def export_f16(cache_dir, out: Path) -> Path:
    """The bundled model through the app's own GGUF writer, as F16 (written once)."""
    if out.exists():
        return out
    import torch
    from gguf import GGUFReader
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from desktop_app.core import gguf_export
    from desktop_app.core.model_sources import bundled_gguf_path

    folder = bundled_folder(cache_dir)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, use_safetensors=True)
    pre = str(GGUFReader(bundled_gguf_path()).fields["tokenizer.ggml.pre"].contents())
    partial = out.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    gguf_export.write_gguf(model, AutoTokenizer.from_pretrained(folder), folder, partial, quant="f16",
                           name="SmolLM2-135M-Instruct", pre_tokenizer=pre)
    partial.rename(out)
    return out


def quantized(bin_dir: Path, source: Path, quant: str) -> Path:
    """``source`` converted by llama-quantize to ``quant`` beside it (once)."""
    out = source.with_name(f"smollm2-135m-{quant}.gguf")
    if not out.exists():
        partial = out.with_suffix(".partial")
        subprocess.run([str(bin_dir / "llama-quantize"), str(source), str(partial), QUANT_TYPES[quant]],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        partial.rename(out)
    return out


def gguf_files(bin_dir: Path, work: Path, quants: list[str], cache_dir) -> dict[str, Path]:
    work.mkdir(parents=True, exist_ok=True)
    f16 = export_f16(cache_dir, work / "smollm2-135m-f16.gguf")
    f32 = quantized(bin_dir, f16, "f32") if set(quants) - {"f16"} else None
    return {q: f16 if q == "f16" else f32 if q == "f32" else quantized(bin_dir, f32, q) for q in quants}


def llama_bench(bin_dir: Path, model: Path, tokens: int, threads: int) -> float:
    """tokens/s of llama.cpp generating ``tokens`` tokens (one repetition after its own warm-up)."""
    done = subprocess.run([str(bin_dir / "llama-bench"), "-m", str(model), "-p", "0", "-n", str(tokens),
                           "-t", str(threads), "-r", "1", "-o", "json"],
                          check=True, capture_output=True, text=True)
    return float(json.loads(done.stdout)[0]["avg_ts"])


def main() -> int:
    parser = gs.build_parser(__doc__.splitlines()[0])
    parser.add_argument("--llama-cpp", required=True, type=Path, help="llama.cpp's build/bin folder")
    parser.add_argument("--quants", default="f32,f16,q8_0,q4_0", help="llama.cpp weight types to run")
    parser.set_defaults(models="bundled", threads=1, rounds=2)
    args = parser.parse_args()
    missing = [tool for tool in ("llama-bench", "llama-quantize") if not (args.llama_cpp / tool).is_file()]
    unknown = [q for q in args.quants.split(",") if q not in QUANT_TYPES]
    if missing or unknown:
        print(f"no {', '.join(missing)} in {args.llama_cpp} (build llama.cpp first; see docs/measurements.md)"
              if missing else f"unknown --quants {', '.join(unknown)}; choose from {', '.join(QUANT_TYPES)}")
        return 2
    return compare(args.llama_cpp, args.quants.split(","), args)


def compare(bin_dir: Path, quants: list[str], args) -> int:
    settings = gs.setup(args)
    files = gguf_files(bin_dir, Path(args.cache_dir) / "llama-cpp-peer", quants, args.cache_dir)
    paths = gs.chosen_paths(args)
    models = gs.make_models("bundled", args, paths)
    prompt = gs.answer_prompt(models["exact"], args.tokens)
    others = {f"llama.cpp {q.upper()}": (lambda f=f: llama_bench(bin_dir, f, args.tokens, args.threads))
              for q, f in files.items()}
    results, kept = gs.run_rounds(models, prompt, settings, paths, args.rounds, lambda: None, others)
    med = gs.print_table(f"bundled SmolLM2-135M, {args.threads} thread(s), {args.tokens} tokens, {args.rounds} rounds "
                         "(app: an answer with full records; llama.cpp: llama-bench -p 0):", results)
    print(load_average())
    diffs = gs.logprob_diffs(models, prompt, kept, any(gs.is_lean(p) for p in paths))
    print("max |log-prob| diff vs float32: " + ", ".join(f"{k} {v:.4f}" for k, v in diffs.items()))

    def best(kinds, start=""):
        found = [med[p][0] for p in paths if gs.precision_of(p) in kinds and p.startswith(start)]
        return max(found) if found else None

    kinds_of = {"f32_vs_llamacpp_f32": ("exact",), "fast_vs_llamacpp_f16": ("fast",),
                "compact_vs_llamacpp_q8_0": ("compact",), "compact_vs_llamacpp_f16": ("compact",)}
    for line, app, peer in (("f32_vs_llamacpp_f32", best(("exact",)), "F32"),
                            ("fast_vs_llamacpp_f16", best(("fast",)), "F16"),
                            ("compact_vs_llamacpp_q8_0", best(("compact",)), "Q8_0"),
                            ("compact_vs_llamacpp_f16", best(("compact",)), "F16")):
        other = med.get(f"llama.cpp {peer}")
        if app and other:
            figure(line, app / other[0])
            eager = best(kinds_of[line], "eager")
            if eager and eager != app:  # the model's own forward: the app's path before the lean step
                figure(f"{line}_eager", eager / other[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
