"""``texts``: the Text tab's texts from the terminal. `history` lists only conversations, and nothing else
reached a text written in the Text tab (usertest41): this lists them, prints one (its main text or a
continuation's branch, as the tab shows it) and writes it as the tab's "Export the text" does."""

from __future__ import annotations

import argparse
import json
import sys

from desktop_app.cli.common import NEW_FILE_HELP, CliError, new_database_note, record_id, refuse_existing
from desktop_app.cli.out_option import OUT
from desktop_app.core.count_words import counted


def register(subparsers, common) -> None:
    p = subparsers.add_parser("texts", parents=[common],
                              help="list the Text tab's texts, or print or export one (--branch: with a "
                                   "continuation, as the tab shows it)")
    p.add_argument("text_id", type=record_id, nargs="?", metavar="ID", help="print this text (`texts` lists them)")
    p.add_argument("--branch", type=record_id, metavar="BRANCH",
                   help="with ID: the text with this continuation, as the Text tab shows it when it is picked "
                        "(`texts ID` lists the text's continuations)")
    p.add_argument(OUT, dest="export", metavar="FILE", help="with ID: write the text to FILE (.txt or .md) as the "
                   f"Text tab's Export the text does, instead of printing it; {NEW_FILE_HELP}")
    # its name before --out (cli105): scripts still use it; the text is the same whatever the file's ending
    p.add_argument("--export", dest="export_named_so", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_texts)


def cmd_texts(args) -> int:
    from desktop_app.core.store import Store

    if args.export_named_so:
        args.export = args.export or args.export_named_so
    if args.text_id is None and (args.branch is not None or args.export):
        option = "--branch" if args.branch is not None else ("--export" if args.export_named_so else OUT)
        raise CliError(f"{option} needs a text's ID (`gpt2-desk texts` lists them).")
    with Store.open(args.db) as store:
        if args.text_id is None:
            return _print_list(args, store)
        text, document, continuations = _text_of(store, args.text_id, args.branch)
    if args.export:
        refuse_existing(args.export)  # as `history ID --export` and `adapters export`
        return _export(args, text)
    if args.json:
        print(json.dumps({"id": document["id"], "title": document["title"], "updated": document["updated"],
                          "branch": args.branch, "text": text,
                          "branches": [_branch_json(b) for b in continuations]}, ensure_ascii=False, indent=2))
        return 0
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    if not text:
        print(f"text {args.text_id} is empty", file=sys.stderr)
    _say_branches(args, continuations)
    return 0


def _text_of(store, document_id: int, branch_id: int | None) -> tuple[str, dict, list[dict]]:
    """The text shown for ``branch_id`` (None: the main text), the document and its continuations."""
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import get_document
    from desktop_app.core.store import StoreError

    try:
        document = get_document(store, document_id)
    except StoreError:
        raise CliError(f"There is no text {document_id}: `gpt2-desk texts` lists them.") from None
    continuations = tb.branches(store, document_id)
    by_id = {b["id"]: b for b in continuations}
    if branch_id is not None and branch_id not in by_id:
        raise CliError(f"Text {document_id} has no continuation {branch_id}: `gpt2-desk texts {document_id}` "
                       "lists its continuations.")
    return tb.path_text(document["text"], by_id, branch_id), document, continuations


def _print_list(args, store) -> int:
    from desktop_app.core.documents import list_documents

    documents = list_documents(store)
    if args.json:
        print(json.dumps(documents, ensure_ascii=False, indent=2))
        return 0
    if not documents:
        print("no texts yet: the window's Text tab keeps the texts written, pasted or opened there "
              "(`gpt2-desk analyse FILE` reads a file without keeping it)")
        new_database_note(args)
    for d in documents:
        print(f"{d['id']:>5}  {_when(d['updated'])}  {d['chars']:>7,} chars  {d['title']}")
    return 0


def _say_branches(args, continuations: list[dict]) -> None:
    """On stderr, after the text: its continuations, and how to print one (the text alone stays on stdout)."""
    if not continuations or args.branch is not None:
        return
    from desktop_app.core.text_branches import label

    print(f"\n{counted(len(continuations), 'continuation')}; `gpt2-desk texts {args.text_id} --branch BRANCH` "
          "prints the text with one:", file=sys.stderr)
    for b in continuations:
        print(f"  {b['id']:>5}  {b['kind']:<12}  {label(b)}", file=sys.stderr)


def _branch_json(branch: dict) -> dict:
    return {key: branch.get(key) for key in ("id", "parent_id", "start", "kind", "title", "thumbs")}


def _export(args, text: str) -> int:
    """The Text tab's Export the text: the same writer (core.text_export), a half file never left."""
    from desktop_app.core.text_export import write_text_atomically

    path = write_text_atomically(args.export, text)  # a failure: one sentence (a UserFacingError)
    print(f"wrote text {args.text_id}{_branch_words(args)} ({len(text):,} chars) to {path}", file=sys.stderr)
    return 0


def _branch_words(args) -> str:
    return f" with continuation {args.branch}" if args.branch is not None else ""


def _when(stamp: str) -> str:
    """A stored time (UTC, ISO) as `history` lists it: to the second."""
    return stamp[:19].replace("T", " ")
