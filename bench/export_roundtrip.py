"""Export round trip on a real model: an adapter on the bundled SmolLM2-135M-Instruct (or any
--model folder), exported as merged / GGUF f16 / GGUF q8_0, read back with transformers
(merged folder; GGUF through its GGUF loader), and compared with the app's own scoring with
the adapter attached.

Prints, per export: ``max_abs_dlogp`` (over every position and vocabulary entry of a few
prompts), the file size and the export time. ``--keep DIR`` leaves the files there (e.g. to
try them in llama.cpp or Ollama).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import add_cache_dir, bundled_folder, load_average

PROMPTS = ["The capital of France is", "<|im_start|>user\nWhat is a good name for a cat?<|im_end|>\n"
           "<|im_start|>assistant\n", "Once upon a time, in a small village by the sea,"]


def _lora(folder, seed=0):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear", task_type="CAUSAL_LM"))
    torch.manual_seed(seed)
    with torch.no_grad():  # a visible change, like a few steps of training
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.01)
    return model


def _logprobs(model, tokenizer, text):
    import torch

    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids
    with torch.no_grad():
        return model(ids).logits.float().log_softmax(-1)


def _compare(theirs, ours) -> str:
    """max |dlogp| over the whole vocabulary, over tokens with p >= 1%, and top-1 agreement."""
    worst = max(float((t - o).abs().max()) for t, o in zip(theirs, ours))
    likely = max(float((t - o).abs()[o.exp() >= 0.01].max()) for t, o in zip(theirs, ours))
    agree = sum(int((t.argmax(-1) == o.argmax(-1)).sum()) for t, o in zip(theirs, ours))
    total = sum(o.shape[1] for o in ours)
    return f"max_abs_dlogp: {worst:.2e}  max_abs_dlogp_p>=1%: {likely:.2e}  top1_agree: {agree}/{total}"


def _rounded_to_f16(model):
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim > 1 and "wpe" not in name:  # GPT-2's position table stays F32 in the file
                p.copy_(p.half().float())
    return model


def main() -> int:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from desktop_app.core import adapters, model_export
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled", help="'bundled' or a model folder")
    parser.add_argument("--keep", metavar="DIR", help="write the exports here and keep them")
    add_cache_dir(parser)
    args = parser.parse_args()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tmp = Path(tempfile.mkdtemp(prefix="export-bench-"))
    paths = AppPaths.resolve(tmp / "data").ensure()
    folder = bundled_folder(args.cache_dir) if args.model == "bundled" else Path(args.model)
    loaded = open_model(str(folder), paths, device="cpu", precision="exact")  # the figures compare float32
    store = Store.open(paths.db_path)
    aid = adapters.save_adapter(store, _lora(folder), paths, base_model=loaded.model_id, run_id=None,
                                parent_id=None, settings={}, metrics={})
    adapters.switch_to(loaded, store, aid)
    tokenizer = loaded.tokenizer
    app = [_logprobs(loaded.model, tokenizer, p) for p in PROMPTS]  # the app's model with the adapter
    base_shift = 0.0
    with loaded.model.disable_adapter():
        base_shift = max(float((_logprobs(loaded.model, tokenizer, p) - a).abs().max()) for p, a in zip(PROMPTS, app))
    print(f"model: {folder.name}; the adapter moves log-probs by up to {base_shift:.3f}")
    out_dir = Path(args.keep) if args.keep else tmp / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt, quant, name in (("merged", None, "merged"), ("gguf", "f16", "model-f16.gguf"),
                             ("gguf", "q8_0", "model-q8_0.gguf")):
        out = out_dir / name
        start = time.perf_counter()
        result = model_export.export_adapter(store, aid, fmt, out, paths, quant=quant or "f16")
        took = time.perf_counter() - start
        if fmt == "merged":
            back = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
        else:
            back = AutoModelForCausalLM.from_pretrained(out.parent, gguf_file=out.name, dtype=torch.float32).eval()
            back_tok = AutoTokenizer.from_pretrained(out.parent, gguf_file=out.name)
            same = all(back_tok(p, add_special_tokens=False).input_ids == tokenizer(p, add_special_tokens=False).input_ids
                       for p in PROMPTS)
            print(f"  {name}: tokenizer read back from the GGUF gives the same ids: {same}")
        theirs = [_logprobs(back, tokenizer, p) for p in PROMPTS]
        label = fmt + (f"_{quant}" if quant else "")
        print(f"{label}: {_compare(theirs, app)}  size_mb: {result.bytes / 2**20:.1f}  export_s: {took:.1f}")
        if quant == "f16":  # the layout check: only f16 rounding may separate the file from the merge
            rounded = [_logprobs(f16_merged, tokenizer, p) for p in PROMPTS]
            print(f"  vs the merged model rounded to f16: {_compare(theirs, rounded)}")
        if fmt == "merged":
            f16_merged = _rounded_to_f16(back)
        for extra in result.extra_files:
            print(f"  also wrote {extra.name}")
    store.close()
    print(load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
