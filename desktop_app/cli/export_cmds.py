"""adapters export / adapters import: take a kept adapter out (PEFT, merged model, GGUF) and
bring one trained elsewhere back in."""

from __future__ import annotations

import json
import sys
import threading

from desktop_app.cli.common import (CliError, TqdmProgress, changed_fact_lines, load_model_for_cli, open_store,
                                    reask_line, record_id)
from desktop_app.core.adapters import adapter_name
from desktop_app.core.logs import quiet_libraries


def register_adapter_actions(sub, common) -> None:
    from desktop_app.core.model_export import FORMATS, QUANTS

    ex = sub.add_parser("export", parents=[common],
                        help="write an adapter as a PEFT folder, a merged model folder, or a GGUF file")
    ex.add_argument("id", type=record_id, metavar="ID", help="the adapter's id (see `adapters list`)")
    ex.add_argument("--format", choices=FORMATS, default=None,
                    help="peft: the adapter alone (small); merged: base + adapter as a transformers folder; "
                         "gguf: one file for llama.cpp, Ollama, LM Studio; gguf-lora: the adapter alone for "
                         "llama.cpp's --lora, over the base model's GGUF. Default: read from --out's ending, "
                         "FILE.gguf the merged model as one GGUF file (gguf; the LoRA alone: --format gguf-lora), "
                         "any other name a merged model folder (merged; the adapter alone: --format peft)")
    ex.add_argument("--quant", choices=QUANTS, default=None, help="GGUF weights: f16 (default) or q8_0")
    ex.add_argument("--out", required=True, metavar="PATH", help="a new folder (peft, merged) or FILE.gguf (gguf, gguf-lora)")
    ex.add_argument("--json", action="store_true", help="print one JSON object with what was written")
    im = sub.add_parser("import", parents=[common],
                        help="add a PEFT LoRA adapter trained elsewhere for --model; the gate judges it")
    im.add_argument("path", metavar="FOLDER", help="the folder PEFT wrote (adapter_config.json, adapter_model.safetensors)")
    im.add_argument("--activate", action="store_true", help="use it from now on (whatever the gate says)")
    im.add_argument("--any-base", action="store_true",
                    help="accept it though its config names another base model (the shapes must still fit)")
    im.add_argument("--json", action="store_true", help="print one JSON object with the gate's result")


def _run_cancellable(fn):
    cancel = threading.Event()
    try:
        return fn(cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise


def format_from_out(out: str) -> str:
    """The export ``--out`` names when no --format is given, as every other ``--out`` is read by its ending
    (robust108): a .gguf file is the merged model, what llama.cpp, Ollama and LM Studio run on its own (the
    LoRA alone needs the base model's GGUF beside it, so it is asked for by name); any other name is a folder,
    the merged model as transformers loads it."""
    return "gguf" if out.lower().endswith(".gguf") else "merged"


def cmd_adapter_export(args) -> int:
    from desktop_app.core.model_export import export_adapter, megabytes

    args.format = args.format or format_from_out(args.out)
    if args.quant and args.format != "gguf":
        raise CliError(f"--quant sets a GGUF file's weights; a {args.format} export keeps the model's own "
                       "precision (gguf-lora: float32, a few MB): leave --quant out, or use --format gguf.")
    with open_store(args) as store:
        store.get_adapter(args.id)  # an unknown id refused before transformers' import, a second or more (cli102)
        quiet_libraries()
        result = _run_cancellable(lambda cancel: export_adapter(
            store, args.id, args.format, args.out, args.paths, quant=args.quant or "f16", progress=TqdmProgress(),
            cancel=cancel))
    if args.json:
        print(json.dumps({"format": result.format, "path": str(result.path), "bytes": result.bytes,
                          "extra_files": [str(p) for p in result.extra_files], "notes": result.notes}, indent=2))
        return 0
    # what was written goes to stderr, as every other command's "wrote ..." does: stdout is for a result a script
    # reads (--json here), and these lines were on it (cli102)
    print(f"wrote {result.path} ({megabytes(result.bytes)})", file=sys.stderr)
    for path in result.extra_files:
        print(f"wrote {path}", file=sys.stderr)
    for note in result.notes:
        print(f"  {note}", file=sys.stderr)
    return 0


def cmd_adapter_import(args) -> int:
    from desktop_app.core import adapters
    from desktop_app.core.adapter_import import import_adapter, read_adapter_config
    from desktop_app.core.adapters import comparison_note
    from desktop_app.core.fact_changes import all_changed_facts, changes_unrated_words

    read_adapter_config(args.path)  # a folder that is not an adapter is said before a minute of loading the model
    loaded = load_model_for_cli(args)
    with open_store(args) as store:
        result = _run_cancellable(lambda cancel: import_adapter(
            store, args.paths, loaded, args.path, any_base=args.any_base, progress=_stage_printer(args.json),
            cancel=cancel))
        if args.activate:
            adapters.activate(store, result.adapter_id, loaded.model_id)
    m = result.metrics
    if args.json:
        print(json.dumps({"adapter_id": result.adapter_id, "advice": "keep" if result.advice_keep else "discard",
                          "reason": result.reason, "active": args.activate, "metrics": m}, indent=2, default=str))
        return 0
    advice = "the gate would keep it" if result.advice_keep else "the gate advises against it"
    print(f"imported as {adapter_name(result.adapter_id)}: {advice}: {result.reason}")
    print(f"  {comparison_note(m)}")
    if changes_unrated_words(m):  # the answers named in the reason, before and after, as a waiting run lists them
        print("  answers to questions you never rated that it changes:")
        print("\n".join(changed_fact_lines(all_changed_facts(m))))
    if m.get("margin_before") is not None:
        print(f"  margin (your ratings): {m['margin_before']:.4f} -> {m['margin_after']:.4f}")
    print(f"  probe perplexity: {m['probe_ppl_before']:.3f} -> {m['probe_ppl_after']:.3f}")
    print(reask_line(m))
    print(f"{adapter_name(result.adapter_id, start=True)} is active" if args.activate else
          f"use it with: gpt2-desk adapters activate {result.adapter_id}")
    return 0


def _stage_printer(quiet: bool):
    last = {"stage": None}

    def report(stage: str, done: int, total: int) -> None:
        if not quiet and stage != last["stage"]:
            print(f"{stage}...", file=sys.stderr)
            last["stage"] = stage

    return report
