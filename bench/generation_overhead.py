"""Streaming generation with records + top-10 alternatives vs plain model.generate.

Same model (GPT-2-124M shape, random weights), prompt, seed and length, run side by side
in one process and interleaved so machine noise hits both alike. Prints per-run times and
a last line `overhead_ratio: X` (ours / plain; target <= 1.05).

    python bench/generation_overhead.py [--tokens 64] [--rounds 3] [--device cpu|cuda] [--fp16]
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


def build(device: str, fp16: bool):
    from transformers import GPT2Config, GPT2LMHeadModel

    from desktop_app.core.model_sources import ModelSource
    from desktop_app.core.models import LoadedModel
    from tiny_model import build_tiny_model

    tok_dir = build_tiny_model(Path(tempfile.mkdtemp()) / "tok")  # a real byte-level tokenizer
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=50257)).eval()  # GPT-2 124M shape
    dtype = torch.float16 if fp16 else torch.float32
    model.to(device=device, dtype=dtype)
    # token ids beyond the tiny tokenizer's vocab decode as empty text: fine for timing
    source = ModelSource("folder", "bench:gpt2-124m-random", str(tok_dir), "gpt2-124m-random")
    return LoadedModel(model, tokenizer, source, tok_dir, torch.device(device), dtype, 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--fp16", action="store_true")
    args = parser.parse_args()

    from desktop_app.core.generation import SamplingSettings, generate

    loaded = build(args.device, args.fp16)
    model = loaded.model
    prompt = torch.randint(0, 50257, (1, 32), generator=torch.Generator().manual_seed(1)).tolist()[0]
    input_ids = torch.tensor([prompt], device=args.device)
    settings = SamplingSettings(max_new_tokens=args.tokens, seed=0, temperature=1.0, top_k=0, top_p=1.0,
                                alternatives=10)

    def sync():
        if args.device == "cuda":
            torch.cuda.synchronize()

    def plain() -> float:
        torch.manual_seed(0)
        sync()
        start = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(input_ids, max_new_tokens=args.tokens, min_new_tokens=args.tokens, do_sample=True,
                                 top_k=0, top_p=1.0, temperature=1.0, pad_token_id=0)
        sync()
        assert out.shape[1] == len(prompt) + args.tokens
        return time.perf_counter() - start

    def ours() -> float:
        sync()
        start = time.perf_counter()
        gen = generate(loaded, prompt, settings, stop_sequences=())
        sync()
        assert len(gen.records) == args.tokens or gen.finish_reason == "eos", gen.finish_reason
        return time.perf_counter() - start

    plain(), ours()  # warm-up
    plain_times, our_times = [], []
    for _ in range(args.rounds):
        plain_times.append(plain())
        our_times.append(ours())
    p, o = statistics.median(plain_times), statistics.median(our_times)
    print(f"device: {args.device} dtype: {loaded.dtype} tokens: {args.tokens} rounds: {args.rounds}")
    print(f"plain_generate_s: {p:.3f}  ({args.tokens / p:.1f} tok/s)")
    print(f"ours_with_records_s: {o:.3f}  ({args.tokens / o:.1f} tok/s)")
    print(f"overhead_ratio: {o / p:.3f}")


if __name__ == "__main__":
    main()
