"""An exception in a slot (a button's click, a timer) would otherwise only reach stderr, and the
person sees a button do nothing. While the window runs, sys.excepthook logs the traceback and
shows one short line in the error banner and the status bar."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

LOG_NAME = "gpt2-desk.log"  # core.logs.configure_logging writes it in the data folder's logs


def short_words(exc: BaseException, log_file=None) -> str:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if len(what) > 160:
        what = what[:159] + "\u2026"
    where = f" ({log_file})" if log_file else ""
    return (f"Something went wrong and that action did not finish: {what}. Your conversations and "
            f"ratings are saved; the details are in the log{where}.")


class SlotErrors:
    """Installs itself as sys.excepthook for ``window`` (``uninstall`` puts the old one back)."""

    def __init__(self, window):
        self.window = window
        self.previous = sys.excepthook
        self.shown: list[str] = []  # what was shown, newest last
        sys.excepthook = self.hook

    def hook(self, kind, exc, tb) -> None:
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            self.previous(kind, exc, tb)
            return
        log.error("an exception reached the event loop", exc_info=(kind, exc, tb))
        try:
            paths = getattr(self.window, "paths", None)
            words = short_words(exc, paths.log_dir / LOG_NAME if paths is not None else None)
            self.shown.append(words)
            self.window.show_error(words)
        except Exception:  # the window may be half gone: the log has it all the same
            log.exception("could not show the error")

    def uninstall(self) -> None:
        if sys.excepthook == self.hook:
            sys.excepthook = self.previous
