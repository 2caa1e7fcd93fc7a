"""Commands that take ratings out of the store and bring them back in: export (TRL training data) and import
(TRL data, or a conversation the window exported)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import NEW_FILE_HELP, CliError, refuse_existing
from desktop_app.cli.store_cmds import _open, _writers_tokenizers
from desktop_app.core.count_words import counted


def cmd_export(args) -> int:
    from desktop_app.core.exchange import build_examples, left_out

    from desktop_app.core.text_training import standard_examples

    if args.out and not Path(args.out).expanduser().parent.is_dir():
        raise CliError(f"There is no folder {Path(args.out).expanduser().parent}: create it first, or pick another "
                       "--out.")
    if args.out:
        refuse_existing(args.out)
    if args.json and not args.out:
        raise CliError("--json needs --out FILE: without it the examples themselves go to standard output.")
    script = _script_path(args)
    with _open(args) as store:
        text_examples = standard_examples(store, args.format)
        # one file holds one format: TRL (datasets) cannot mix conversational turns and plain strings
        examples = text_examples if args.text else build_examples(store, args.format,
                                                                  tokenizer_for=_writers_tokenizers(args))
        dropped = [] if args.text else left_out(store, args.format)
    text_left = (f"{counted(len(text_examples), f'text-mode {args.format} example')} not included: export them "
                 "with --text") if text_examples and not args.text else ""
    if not examples:  # an empty file (and exit 0) read as an export that worked (usertest 12)
        raise CliError(f"{_nothing_to_export(args)}; nothing was written" + (f" ({text_left})" if text_left else ""))
    if text_left:
        print(text_left, file=sys.stderr)
    n, out = _write_examples(args, examples, script)
    for item in dropped:  # a dpo export left unpaired thumbs out without a word
        print(f"left out {item.words()}", file=sys.stderr)
    if args.json:
        print(json.dumps({"format": args.format, "path": str(out), "examples": n,
                          "left_out": [item.to_json() for item in dropped]}, ensure_ascii=False, indent=2))
    return 0


def _write_examples(args, examples: list[dict], script: Path | None) -> tuple[int, Path | None]:
    """Write to --out (then the TRL script beside it) or to standard output: (how many, where)."""
    from desktop_app.core.exchange import write_jsonl, write_jsonl_file

    if not args.out:
        n = write_jsonl(examples, sys.stdout)
        print(f"wrote {counted(n, f'{args.format} example')}", file=sys.stderr)
        return n, None
    out = Path(args.out).expanduser()
    n = write_jsonl_file(examples, out)
    print(f"wrote {counted(n, f'{args.format} example')} to {out}", file=sys.stderr)
    if script is not None:
        _write_trl_script(args, script, out)
    return n, out


def _nothing_to_export(args) -> str:
    """Why there is nothing to export, and what would fill it."""
    if args.text:
        return (f"no Text-mode ratings make {args.format} examples: rate a continuation's tokens or branches in "
                "Text mode first")
    from desktop_app.core.exchange import what_makes

    how_to_correct = ' (gpt2-desk correct ID "...")'
    return f"no chat ratings make {args.format} examples yet: {what_makes(args.format, how_to_correct)}"


def _script_path(args) -> Path | None:
    """--trl-script NAME goes beside the dataset (a path with a folder is taken as given)."""
    if not args.trl_script:
        return None
    if not args.out:
        raise CliError("--trl-script needs --out FILE: the script reads the dataset from beside itself.")
    script = Path(args.trl_script).expanduser()
    if script.parent == Path("."):
        script = Path(args.out).expanduser().parent / script.name
    if script.exists():
        raise CliError(f"{script} already exists; choose another name or remove it first.")
    if script.resolve().parent != Path(args.out).expanduser().resolve().parent:
        raise CliError("--trl-script must go in the same folder as --out (the script finds the data beside itself).")
    return script


def _write_trl_script(args, script: Path, dataset: Path) -> None:
    from desktop_app.core.model_export import hub_id_for, spec_for_model_id
    from desktop_app.core.model_sources import resolve_spec
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.trl_script import write_script

    source = resolve_spec(args.model)
    base = hub_id_for(source.model_id) or spec_for_model_id(source.model_id)
    # the note at the script's end says how to bring the adapter back: onto the model the ratings came from
    write_script(script, args.format, dataset, base, args.model or spec_for_model_id(source.model_id),
                 FineTuneSettings().to_dict())
    print(f"wrote {script}: run it with `python {script.name}` or `accelerate launch {script.name}` "
          f"in {script.parent.resolve()}", file=sys.stderr)


def _conversations_words(ids: list[int]) -> str:
    """ "conversation 9", not "conversations 9..9" (usertest27)."""
    return f"conversation {ids[0]}" if ids[0] == ids[-1] else f"conversations {ids[0]}..{ids[-1]}"


def cmd_import(args) -> int:
    from desktop_app.core.conversation_import import check_conversation, conversation_data, read_file_text
    from desktop_app.core.exchange_import import import_examples, parse_jsonl

    # read once: FILE may be a pipe (`import <(…)`, /dev/stdin), which a second read finds empty
    text = read_file_text(args.file)
    conversation = conversation_data(text)
    if conversation is not None:
        return _import_conversation(args, check_conversation(conversation, str(args.file)))
    examples = parse_jsonl(text, args.file)
    tokenizer, why = _import_tokenizer(args, examples)
    with _open(args) as store:
        done = import_examples(store, examples, source=Path(args.file).name, tokenizer=tokenizer)
    ids = done.conversation_ids
    if args.json:  # a script reads the new conversations' ids (adapters import had --json; this had none)
        print(json.dumps({"conversation_ids": ids, "examples": len(ids), "lines": len(examples),
                          "already_here": done.already_here}))
        _warn_token_placing(done, why)
        return 0
    said = f"imported {counted(len(ids), 'example')} into {_conversations_words(ids)}" if ids else "imported nothing"
    if ids and len(examples) > len(ids) + done.already_here:  # 3 kto lines read as 2 examples puzzled (docs48)
        said += (f" (from {counted(len(examples), 'line')}: sibling answers, and a better answer with the answer it "
                 "corrects, make one example)")
    if done.already_here:
        said += (f"; {counted(done.already_here, 'example')} already here (the same messages and ratings), "
                 "skipped")
    print(said)
    _warn_token_placing(done, why)
    return 0


def _import_conversation(args, parsed: dict) -> int:
    """A conversation the window exported (Conversation as JSON), ``parsed`` (checked whole): one new
    conversation, its branches, thumbs, better answers, token ratings and endings; its answers scored
    afresh by the model in use when shown."""
    from desktop_app.core.conversation_import import import_conversation

    tokenizer, why = _placing_tokenizer(args, [r for m in parsed["messages"] for r in m["token_ratings"]])
    with _open(args) as store:
        done = import_conversation(store, parsed, source=Path(args.file).name, tokenizer=tokenizer)
    if args.json:
        print(json.dumps({"conversation_ids": [done.conversation_id], "already_here": bool(done.already_here),
                          "messages": done.messages, "ratings": done.ratings, "better_answers": done.better_answers,
                          "token_ratings": done.token_ratings}))
        _warn_token_placing(done, why)
        return 0
    if done.already_here:
        print(f"imported nothing: conversation {done.conversation_id} already holds this conversation "
              "(the same messages and ratings)")
        return 0
    tokens = f", {counted(done.token_ratings, 'token rating')}" if done.token_ratings else ""
    print(f"imported conversation {done.conversation_id}: {counted(done.messages, 'message')}, "
          f"{counted(done.ratings, 'rating')}, {counted(done.better_answers, 'better answer')}{tokens}")
    _warn_token_placing(done, why)
    return 0


def _import_tokenizer(args, examples: list[dict]) -> tuple[object | None, str]:
    """The tokenizer to place the TRL rows' token ratings with (``_placing_tokenizer``)."""
    from desktop_app.core.exchange_import import TOKEN_KEYS

    return _placing_tokenizer(args, [r for ex in examples for key in TOKEN_KEYS for r in ex.get(key, ())])


def _placing_tokenizer(args, rated: list) -> tuple[object | None, str]:
    """The tokenizer of the model the imported ratings will train (--model, else the default one),
    read only when the file's token ratings (``rated``) carry character offsets to place them by; else
    None and why (said with the ratings placed by their index)."""
    from desktop_app.core.errors import ModelError
    from desktop_app.core.models import open_tokenizer

    if not any(r.span for r in rated):
        return None, "the file gives no character offsets (written before they were exported)"
    try:
        return open_tokenizer(args.model, args.paths), "they carry no character offsets this model's tokens could find"
    except ModelError as exc:
        return None, f"no tokenizer to find their characters with ({exc}; --model names one)"


def _warn_token_placing(done, why: str) -> None:
    """Say which token ratings may sit on another token than the exporter's (stderr)."""
    if done.tokens_by_index:
        print(f"warning: {counted(done.tokens_by_index, 'token rating')} placed by the exporter's token index "
              f"alone, as {why}: right only where the exporter's model split the text into tokens as this "
              "one does", file=sys.stderr)
    if done.tokens_merged:
        print(f"warning: {counted(done.tokens_merged, 'token rating')} fell on a token another rating of the "
              "same answer had (this model reads their characters as one token): the later one kept",
              file=sys.stderr)


def register(subparsers, common) -> None:
    _register_exchange(subparsers, common)


def _register_exchange(subparsers, common) -> None:
    """export, import: the ratings out as TRL training data, and TRL data or a conversation back in."""
    p = subparsers.add_parser(
        "export", parents=[common],
        help="your ratings as TRL training data (JSON Lines); the model itself: adapters export",
        description="Write your ratings as TRL training data (JSON Lines). To take the fine-tuned model itself "
                    "elsewhere (a GGUF file for llama.cpp, LM Studio or Ollama, a merged transformers folder, or "
                    "the adapter alone), use: gpt2-desk adapters export ID --format gguf --out FILE.gguf "
                    "(`gpt2-desk adapters list` gives the ID).")
    p.add_argument("--format", required=True, choices=["kto", "dpo", "sft"],
                   help="kto: thumbs; dpo: pairs (a corrected or a better-rated answer against the worse one); "
                        "sft: the liked and corrected answers")
    p.add_argument("--out", metavar="FILE", help=f"write here instead of standard output ({NEW_FILE_HELP})")
    p.add_argument("--text", action="store_true",
                   help="the ratings of text-mode continuations, in TRL's standard format (plain prompt and "
                        "completion strings, no chat turns) instead of the chat's conversational format")
    p.add_argument("--trl-script", metavar="SCRIPT.py",
                   help="also write a TRL training script beside --out (python or accelerate launch)")
    p.add_argument("--json", action="store_true",
                   help="with --out: print one JSON object with what was written and what was left out, and why")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("import", parents=[common],
                              help="read TRL JSON Lines (kto, dpo, sft), or a conversation the window exported as JSON, as "
                                   "new conversations (one already here, with the same messages and ratings, is skipped)")
    p.add_argument("file", metavar="FILE", help="a .jsonl file in TRL's kto, dpo or sft field names, or a "
                                                "conversation's .json export (Conversation as JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object: the new conversations' ids "
                                                       "(conversation_ids) and what was already here")
    p.set_defaults(func=cmd_import)
