"""One name for the file a command writes: ``--out FILE``, its format read from the name's ending.

Commands had each named their files their own way (`history ID --export`, `analyse --export-html`,
`--export-tokens-csv`, `export --out`, cli105): a new user guessed wrong. Every command that writes a file
now takes ``--out``; the old names still work, hidden from ``--help``, so no one's script breaks. Where one
ending could mean two files (`analyse`'s two CSV files) the name says which (``.summary.csv``,
``.tokens.csv``), and a name that says none is refused with the endings that are taken."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli.common import CliError

OUT = "--out"


def add_hidden_alias(parser: argparse.ArgumentParser, old_name: str, dest: str) -> None:
    """``old_name`` still read into ``dest``, as scripts written before ``--out`` use it; not in --help."""
    parser.add_argument(old_name, dest=dest, metavar="FILE", help=argparse.SUPPRESS)


def kind_of(path: str, endings: dict[str, tuple], command: str, also: dict[str, str] | None = None) -> str:
    """The kind of file ``path``'s ending asks for; ``endings``: ending -> (kind, its words), longest ending
    first wins (".tokens.csv" before ".csv"); ``also``: ending -> kind, taken but not listed (".htm").
    A CliError naming every listed ending otherwise."""
    name = Path(path).name.lower()
    kinds = {ending: kind for ending, (kind, _words) in endings.items()} | (also or {})
    for ending in sorted(kinds, key=len, reverse=True):
        if name.endswith(ending):
            return kinds[ending]
    raise CliError(f"{OUT} {Path(path).name}: {command} writes {endings_words(endings)}; name the file with one "
                   "of those endings.")


def endings_words(endings: dict) -> str:
    """".json (the records), .html (the page) or .png (the picture)"."""
    said = [f"{ending} ({words})" for ending, (_kind, words) in endings.items()]
    return ", ".join(said[:-1]) + f" or {said[-1]}" if len(said) > 1 else said[0]


def fold_out_files(args: argparse.Namespace, endings: dict, command: str, also: dict[str, str] | None = None) -> None:
    """Each ``--out FILE`` of ``args.out`` (a list) into the option its ending names, as the old option would
    have set it; two files of one kind, or an old option and ``--out`` for one kind, are refused.
    ``args.named_by_out``: the options set this way, so a fault is said in the words the person typed; ``also``:
    as ``kind_of`` takes it."""
    args.named_by_out = set()
    for path in args.out or []:
        dest = kind_of(path, endings, command, also)
        if getattr(args, dest, None):
            raise CliError(f"{option_words(args, dest)} and {OUT} {Path(path).name} both ask for "
                           f"{_words_of(endings, dest)}: give one file of each kind.")
        setattr(args, dest, path)
        args.named_by_out.add(dest)


def option_words(args: argparse.Namespace, dest: str) -> str:
    """How the person named the file of ``dest``: "--out essay.png", or the old "--export-png"."""
    if dest in getattr(args, "named_by_out", ()):
        return f"{OUT} {Path(getattr(args, dest)).name}"
    return "--" + dest.replace("_", "-")


def _words_of(endings: dict, dest: str) -> str:
    return next(words for kind, words in endings.values() if kind == dest)
