"""Command-line front end over desktop_app.core.

Each command group lives in its own module exposing ``register(subparsers, common)``;
``main`` wires them together. With no command, the desktop window starts.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from desktop_app import __version__
from desktop_app.cli import explain_cmds, finetune_cmds, model_cmds, store_cmds, text_cmds
from desktop_app.cli.common import CliError, add_common_options, finish_common_options

log = logging.getLogger(__name__)



def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common)
    parser = argparse.ArgumentParser(
        prog="gpt2-desk",
        description="Run GPT-2 locally, see every token's probability, rate answers, fine-tune on your ratings.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--screenshot", metavar="OUT.png", help="start the window offscreen, save a PNG of it, exit")
    parser.add_argument("--prompt", dest="screenshot_prompt", help="with --screenshot: send this prompt first")
    parser.add_argument("--rate", dest="screenshot_rate", choices=["up", "down"], help="with --screenshot: rate the answer")
    parser.add_argument("--dark", action="store_true", help="with --screenshot: use the dark palette")
    parser.add_argument("--size", dest="screenshot_size", default="1280x800", metavar="WxH",
                        help="with --screenshot: the window size (default 1280x800)")
    parser.add_argument("--view", dest="screenshot_view", choices=["finetune", "compare", "explain", "text"],
                        help="with --screenshot: rate a few answers, run a short fine-tune, then save the "
                             "fine-tune panel (the window) or the compare view; 'explain': explain the "
                             "inspected token of the answer to --prompt, with its attribution over the "
                             "conversation; 'text': analyse a sample text (or --prompt) in Text mode")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (model_cmds, store_cmds, finetune_cmds, explain_cmds, text_cmds):
        module.register(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        finish_common_options(args)
        if args.command is None:
            from desktop_app.cli.gui_launch import launch_gui

            return launch_gui(args)
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"gpt2-desk: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        print("gpt2-desk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a person gets one line; the traceback goes to the log
        from desktop_app.core.errors import UserFacingError

        if isinstance(exc, UserFacingError):
            print(f"gpt2-desk: {exc}", file=sys.stderr)
            return 2
        log.exception("unexpected error")
        print(f"gpt2-desk: unexpected error: {exc} (details in the log file)", file=sys.stderr)
        return 1
