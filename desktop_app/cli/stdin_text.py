""""-" for a text or a file on the command line: read it from standard input, as `cat`, `sort` and most Unix
tools do. `echo "Why is the sky blue?" | gpt2-desk ask -` had answered the question "-", saved it and exit 0;
`gpt2-desk analyse -` said "There is no file -." (clitrial70)."""

from __future__ import annotations

import sys

from desktop_app.cli.common import CliError

STDIN_ARGUMENT = "-"
STDIN_NAME = "standard input"
STDIN_HELP = "- reads it from standard input"
# the commands whose text argument "-" reads from standard input: command -> (the argument's attribute, its name)
TEXT_ARGUMENTS = {"ask": ("prompt", "question"), "generate": ("prompt", "prompt"), "score": ("text", "text"),
                  "correct": ("text", "better answer")}


def _text_argument(args) -> tuple[str | None, str]:
    """(attribute, name) of the command's text argument; (None, "") for a command without one."""
    return TEXT_ARGUMENTS.get(getattr(args, "command", None) or "", (None, ""))


def read_stdin_arguments(args) -> None:
    """Replace a text argument given as "-" by what standard input holds (main, before the command runs)."""
    attribute, what = _text_argument(args)
    if attribute is None or getattr(args, attribute, None) != STDIN_ARGUMENT:
        return
    text = stdin_bytes(what).decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text.strip():
        raise CliError(f"Standard input was empty: pipe the {what} in (`echo \"...\" | gpt2-desk {args.command} "
                       "-`), or give it in quotes instead of -.")
    setattr(args, attribute, text)


def stdin_bytes(what: str) -> bytes:
    """All of standard input; at a terminal, first how to end it (else the command seems to hang)."""
    if sys.stdin is None:
        raise CliError(f"There is no standard input to read the {what} from: give it in quotes instead of -.")
    if sys.stdin.isatty():
        print(f"reading the {what} from the terminal: end it with Ctrl+D on a line of its own", file=sys.stderr)
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode()


def unquoted_words_hint(args, extra: list[str]) -> str:
    """For `gpt2-desk ask What is two plus two`: argparse said only "unrecognized arguments: is two plus two",
    which a new user reads as a wrong option; the fix is quotes around the question (clitrial70)."""
    attribute, what = _text_argument(args)
    first = getattr(args, attribute, None) if attribute else None
    if first is None or any(word.startswith("-") for word in extra):
        return ""
    return f"; the {what} is one argument: put it in quotes, \"{' '.join([first, *extra])}\""
