"""leftovers61: the window's size and place outlive a killed app. They are written as they change (kill -9 cannot
be caught), and SIGTERM quits as Quit does (the state saved, exit status 0). pytest-qt, offscreen, the real window
on the tiny model; and `gpt2-desk` itself in a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QByteArray, QSettings  # noqa: E402

from test_gui import make_window  # noqa: E402,F401

CHILD_WAIT_S = 180  # a deadline for a busy machine, not a measure


def _on_disk(data_dir: Path) -> QSettings:
    """The settings as another process would read them now (a fresh reader of the file)."""
    return QSettings(str(data_dir / "gui-settings.ini"), QSettings.Format.IniFormat)


def test_a_resized_window_is_on_disk_before_any_quit(make_window, qtbot, isolated_data_dir):
    window = make_window(wait=False)
    window.resize(700, 500)
    qtbot.waitUntil(lambda: _size_on_disk(isolated_data_dir) == (700, 500))
    window.resize(760, 540)
    qtbot.waitUntil(lambda: _size_on_disk(isolated_data_dir) == (760, 540))
    assert not window.quitting, "written while the window runs, not by its quit"


def _size_on_disk(data_dir: Path):
    from PySide6.QtWidgets import QMainWindow

    saved = _on_disk(data_dir).value("geometry")
    if not isinstance(saved, QByteArray) or saved.isEmpty():
        return None
    probe = QMainWindow()  # what the next start's restoreGeometry makes of it
    probe.restoreGeometry(saved)
    size = probe.size()
    probe.deleteLater()
    return size.width(), size.height()


def _wait_for(what, deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if what():
            return True
        time.sleep(0.2)
    return False


def test_sigterm_quits_the_app_as_quit_does(tiny_model_dir, isolated_data_dir, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-m", "desktop_app", "--data-dir", str(isolated_data_dir),
                              "--model", str(tiny_model_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        shown = _wait_for(lambda: child.poll() is not None or _on_disk(isolated_data_dir).contains("geometry"),
                          CHILD_WAIT_S)
        assert shown and child.poll() is None, "the window wrote its geometry once shown, before any quit"
        assert not _on_disk(isolated_data_dir).contains("prompt_draft"), "(only the quit writes this key)"
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=CHILD_WAIT_S)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out.decode(errors="replace")[-2000:]
    assert _on_disk(isolated_data_dir).contains("prompt_draft"), "the quit path ran: it saved the window's state"
