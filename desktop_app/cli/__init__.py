"""Command-line front end over desktop_app.core.

Each command group lives in its own module exposing ``register(subparsers, common)``;
``main`` wires them together. With no command, the desktop window starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys

from desktop_app import __version__
from desktop_app.cli import (adapter_cmds, exchange_cmds, explain_cmds, finetune_cmds, model_cmds, probe_cmds,
                             recover_cmds, store_cmds, text_cmds, texts_cmds)
from desktop_app.cli.common import CliError, add_common_options, finish_common_options
from desktop_app.cli.help_examples import HelpFormatter, add_descriptions_and_examples
from desktop_app.cli.qt_options import split_qt_options
from desktop_app.cli.stdin_text import read_stdin_arguments, unquoted_words_hint
from desktop_app.core.models import check_named_model

log = logging.getLogger(__name__)


class UsageError(Exception):
    """argparse refused the command line; main reports it (as JSON too, under --json)."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, except that a usage error comes back to main instead of exiting,
    so a script that asked for --json still gets JSON. Sub-parsers are of this class too.
    The error is one line that names the help: the usage before it ran to 13 lines for a
    mistyped option, the error itself last (cli62)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (`{self.prog} --help` shows what it takes)")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common)
    parser = _Parser(
        prog="gpt2-desk",
        description="Run GPT-2 locally, see every token's probability, rate answers, fine-tune on your ratings.",
        epilog="With no command the window starts; it also takes Qt's own options, e.g. -platform xcb, -reverse.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--screenshot", metavar="OUT.png", help="start the window offscreen, save a PNG of it, exit")
    parser.add_argument("--prompt", dest="screenshot_prompt", metavar="TEXT",  # not "SCREENSHOT_PROMPT" (cli63)
                        help="with --screenshot: send this prompt first")
    parser.add_argument("--rate", dest="screenshot_rate", choices=["up", "down"], help="with --screenshot: rate the answer")
    parser.add_argument("--dark", action="store_true", help="the dark palette, whatever Settings or the system say (the window, or a --screenshot)")
    parser.add_argument("--size", dest="screenshot_size", default="1280x800", metavar="WxH",
                        help="with --screenshot: the window size (default 1280x800)")
    parser.add_argument("--view", dest="screenshot_view", choices=["finetune", "compare", "explain", "text"],
                        help="with --screenshot: rate a few answers, run a short fine-tune, then save the "
                             "fine-tune panel (the window) or the compare view; 'explain': explain the "
                             "inspected token of the answer to --prompt, with its attribution over the "
                             "conversation; 'text': analyse a sample text (or --prompt) in Text mode")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (model_cmds, store_cmds, exchange_cmds, finetune_cmds, adapter_cmds, explain_cmds, probe_cmds,
                   text_cmds, texts_cmds, recover_cmds):
        module.register(subparsers, common)
    parser.commands = subparsers.choices  # _parse: an unknown option is said by its command's parser
    add_descriptions_and_examples(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The program (``argv`` None: the console script) or one command line (tests)."""
    if argv is not None:
        return _run(list(argv))
    _tolerant_output()
    code = _run(sys.argv[1:])
    # the command is done and said: a Ctrl+C during the interpreter's exit (PyTorch's cleanups, a second or two)
    # printed a traceback "Exception ignored in atexit callback … KeyboardInterrupt" (cli62)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


def _tolerant_output() -> None:
    """A terminal whose encoding is not UTF-8 (LANG=en_US.ISO-8859-1, PYTHONIOENCODING=latin-1) gets the characters it
    cannot show as \\u escapes: a Japanese answer ended the command half printed, in "unexpected error: 'latin-1'
    codec can't encode character" (intl69). LANG=C reads UTF-8 already (Python's C locale coercion)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if hasattr(stream, "reconfigure") and encoding != "utf8":
            stream.reconfigure(errors="backslashreplace")


# The commands whose first slow step is loading --model: a path that holds no model is said before PyTorch
# starts. The others read only its tokenizer (import, rate, correct) or check their own arguments first
# (adapters import: the adapter folder), so they keep their own order.
_LOADS_A_MODEL = frozenset({"explain", "probe", "finetune", "generate", "chat", "score", "ask", "analyse", "continue"})


def _run(argv: list[str]) -> int:
    wants_json = _asks_for_json(argv)
    ours, qt_options = split_qt_options(argv)
    try:
        args = _parse(build_parser(), ours)
        if args.command is not None and qt_options:  # Qt's options are the window's: a command reads its words whole
            args = _parse(build_parser(), argv)
    except UsageError as exc:
        return _fail(str(exc), 2, wants_json, prefix="")
    args.qt_options = qt_options if args.command is None else []
    try:
        finish_common_options(args)
        read_stdin_arguments(args)
        if args.command is None:
            from desktop_app.cli.gui_launch import launch_gui

            return launch_gui(args)
        if args.command in _LOADS_A_MODEL:
            check_named_model(args.model)  # before the command imports PyTorch (seconds) to load it (cli63)
        return int(args.func(args) or 0)
    except CliError as exc:
        return _fail(str(exc), 2, wants_json)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt as exc:  # a command may say what Ctrl+C left undone
        return _fail(f"interrupted: {exc}" if str(exc) else "interrupted", 130, wants_json)
    except Exception as exc:  # a person gets one line; the traceback goes to the log
        from desktop_app.core.errors import UserFacingError

        if isinstance(exc, UserFacingError):
            return _fail(str(exc), 2, wants_json)
        if _database_busy(exc):  # after the store's 30 s wait for the lock
            return _fail(f"The database {args.db} is busy: another program (the window, another command) is "
                         "writing to it. Try again when it is done.", 2, wants_json)
        log.exception("unexpected error")
        return _fail(f"unexpected error: {exc} (details in the log file)", 1, wants_json)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parse_args``, except that an option the command does not take is said by that command's parser:
    `gpt2-desk chat --conversation 3` was "gpt2-desk: error: unrecognized arguments" with the top-level help's
    name, where `gpt2-desk chat --help` lists what chat takes (cli63)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = parser.commands.get(getattr(args, "command", None) or "", parser)
        command.error(f"unrecognized arguments: {' '.join(extra)}{unquoted_words_hint(args, extra)}")
    return args


def _database_busy(exc: Exception) -> bool:
    import sqlite3

    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def _asks_for_json(argv: list[str]) -> bool:
    options = argv[:argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _fail(message: str, code: int, wants_json: bool, prefix: str = "gpt2-desk: ") -> int:
    """One line on stderr; under --json also one JSON object on stdout, as a script reads it."""
    print(f"{prefix}{message}", file=sys.stderr)
    if wants_json:
        print(json.dumps({"error": message, "exit_code": code}, ensure_ascii=False), flush=True)
    return code
