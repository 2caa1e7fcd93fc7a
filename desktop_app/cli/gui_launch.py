"""Start the desktop window (or say how, when there is no display)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop_app.cli.common import CliError


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")))


def launch_gui(args) -> int:
    if args.screenshot and not Path(args.screenshot).expanduser().parent.is_dir():
        # as every other file the command line writes: a mistyped folder was made, at the file system's root too
        # (cli63: `--screenshot /nonexist/x.png` said "saved")
        raise CliError(f"There is no folder {Path(args.screenshot).expanduser().parent} for --screenshot: create it "
                       "first, or pick another path.")
    if not args.screenshot and not has_display():
        print(
            "gpt2-desk: no display found, so the window cannot open.\n"
            "  - on a desktop, run it from a graphical session;\n"
            "  - on a server, run it under a virtual display: xvfb-run -a gpt2-desk\n"
            "  - or save a picture of the window: gpt2-desk --screenshot window.png [--prompt TEXT]\n"
            "  - or chat in this terminal: gpt2-desk chat",
            file=sys.stderr,
        )
        return 2
    if not args.screenshot:  # a screenshot is drawn offscreen, without the xcb plugin
        from desktop_app.cli.xcb_libs import check_xcb_libraries

        problem = check_xcb_libraries()
        if problem:
            print(problem, file=sys.stderr)
            return 2
    from desktop_app.gui.app import run_app

    return run_app(args)
