"""probe: how likely a word or phrase was at one token of a stored answer (the inspector's "How likely was…")."""

from __future__ import annotations

import argparse

from desktop_app.cli.common import WINDOW_TOKEN_WORDS, open_store, print_json, record_id, token_words
from desktop_app.cli.explain_cmds import load_for_answer_token, set_aside_line

PROBE_UNITS = {"prob": "probability, 0 to 1 (the phrase's: the product of its tokens')",
               "tokens.prob": "probability, 0 to 1, each token after those before it",
               "first_token_rank": "1 = the likeliest token of the whole vocabulary",
               "times_as_likely_as_written": "the phrase's probability over the written token's"}


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("probe", parents=[common],
                              help="how likely a word or phrase was at a token of an answer, against the written one")
    p.add_argument("message_id", type=record_id, metavar="MESSAGE_ID", help="the answer's id (see `history ID`)")
    p.add_argument("text", metavar="TEXT", help="the word or phrase (a space is put first where the written token "
                                                "starts with one and TEXT does not)")
    p.add_argument("--token", type=record_id, required=True, metavar="I",
                   help=f"the token's index in the answer (0-based: {WINDOW_TOKEN_WORDS})")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-adapter", action="store_true", help="use the base model, not the active adapter")
    p.set_defaults(func=cmd_probe)


def cmd_probe(args) -> int:
    from desktop_app.core import session
    from desktop_app.core.adapters import adapter_name
    from desktop_app.core.word_probe import probe_lines, shown

    store = open_store(args)
    try:
        loaded, _written_by, set_aside = load_for_answer_token(store, args, "probe")
        probe = session.probe_word(store, loaded, args.message_id, args.token, args.text)
    finally:
        store.close()
    if args.json:
        print_json({"units": PROBE_UNITS, **probe.to_json()})
        return 0
    print(f"At {token_words(args.token)} of message {args.message_id}, written {shown(probe.written.text)} "
          f"({loaded.model_id}, {adapter_name(probe.adapter_id)}):")
    if set_aside is not None:  # explain's note for the same case: which weights read it, and why
        print(f"  {set_aside_line(set_aside)}")
    for line in probe_lines(probe):
        print(f"  {line}")
    return 0
