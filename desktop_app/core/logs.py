"""One rotating log file in the user's log dir; modules use logging.getLogger(__name__).
Library chatter (progress bars, warnings) is quieted for both front ends."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_configured: Path | None = None


class LogFile(logging.handlers.RotatingFileHandler):
    """The log file, which says nothing at the terminal when it cannot be written: a full disk made every
    log line print "--- Logging error ---" and a traceback there, which a window's user never sees and a
    terminal's user cannot act on (usertest52); the app's own messages say what failed."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    global _configured
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "gpt2-desk.log"
    if _configured == log_file:
        return log_file
    root = logging.getLogger("desktop_app")
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
    handler = LogFile(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    _configured = log_file
    return log_file


def quiet_libraries() -> None:
    """Library progress bars and warnings are not for the person (at the terminal or in the
    window); ours are. Both front ends call this once at start."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="transformers")
