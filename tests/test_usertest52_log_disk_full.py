"""usertest52: with the disk full, every log line printed "--- Logging error ---" and a traceback to the
terminal. The log file's handler now drops a line it cannot write, quietly. A real file handler whose
stream fails as a full disk's does."""

from __future__ import annotations

import logging

from desktop_app.core import logs


class FullDisk:
    def write(self, _text):
        raise OSError(28, "No space left on device")

    def flush(self):
        pass


def test_a_log_line_that_cannot_be_written_prints_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(logs, "_configured", None)
    log_file = logs.configure_logging(tmp_path)
    handler = next(h for h in logging.getLogger("desktop_app").handlers if isinstance(h, logs.LogFile))
    try:
        logging.getLogger("desktop_app.test").info("before the disk filled")
        handler.flush()
        assert "before the disk filled" in log_file.read_text()
        handler.stream = FullDisk()
        logging.getLogger("desktop_app.test").warning("after the disk filled")
        assert "Logging error" not in capsys.readouterr().err
    finally:
        logging.getLogger("desktop_app").removeHandler(handler)
        handler.stream = None
        handler.close()
