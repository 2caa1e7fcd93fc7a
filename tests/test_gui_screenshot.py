"""--screenshot: the real main window, offscreen in-process (tiny model) and under Xvfb
(the real offline model, a real X server)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")


def _args(tmp_path, model, out, prompt=None, rate=None, dark=False):
    import argparse

    from desktop_app.cli.common import finish_common_options

    args = argparse.Namespace(data_dir=str(tmp_path / "data"), model=model, device="cpu", screenshot=str(out),
                              screenshot_prompt=prompt, screenshot_rate=rate, dark=dark, command=None)
    finish_common_options(args)
    return args


def _short_answers(data_dir: Path, tokens: int = 16) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    sampling = json.dumps({"max_new_tokens": tokens, "seed": 3}).replace('"', '\\"')
    (data_dir / "gui-settings.ini").write_text(f'[General]\nsampling="{sampling}"\n')


def test_screenshot_offscreen_with_prompt_and_rating(qapp, tmp_path, tiny_model_dir):
    from PySide6.QtGui import QImage

    from desktop_app.core.store import Store
    from desktop_app.gui.app import run_app

    out = tmp_path / "shot.png"
    _short_answers(tmp_path / "data")
    args = _args(tmp_path, str(tiny_model_dir), out, prompt="Hello there", rate="up")
    assert run_app(args) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    with Store.open(args.db) as store:
        conversation = store.list_conversations()[0]
        answer = [m for m in store.messages(conversation["id"]) if m["role"] == "assistant"][0]
        assert store.message_rating(answer["id"]) == 1
        assert store.token_records(answer["id"])


def test_queued_signals_arrive_after_an_in_process_run(qapp, qtbot, tmp_path):
    """run_app quits with its window open; closing it posted a second Quit that outlived the
    event loop, and the bare processEvents() pytest-qt runs after a test delivered it: every
    later QEventLoop (each qtbot.waitSignal) then returned at once and no queued signal from a
    worker thread arrived again (gui/app.py ``_exec``)."""
    from desktop_app.gui.app import run_app
    from desktop_app.gui.tasks import Lane, Task

    assert run_app(_args(tmp_path, str(tmp_path / "missing-model"), tmp_path / "e.png")) == 1
    qapp.processEvents()  # as pytest-qt does between tests
    lane, got = Lane("after-run"), []
    lane.submit(Task(lambda _report, _cancel: "arrived", "after a run", on_success=got.append))
    try:
        qtbot.waitUntil(lambda: got == ["arrived"], timeout=10_000)
    finally:
        lane.shutdown()


def test_screenshot_reports_a_model_error(qapp, tmp_path, capsys):
    from desktop_app.gui.app import run_app

    out = tmp_path / "err.png"
    assert run_app(_args(tmp_path, str(tmp_path / "missing-model"), out)) == 1
    assert "No such model folder" in capsys.readouterr().err
    assert out.exists()  # the window, error banner included, is still saved


def test_a_screenshot_whose_work_outlives_closing_ends_as_the_window_does(qapp, tmp_path, capsys, monkeypatch):
    """A lane still running after closing (an explanation on a busy machine when the time ran
    out) aborted the interpreter's exit in torch's threads; the run now ends like the window."""
    from desktop_app.gui import app as app_module
    from desktop_app.gui.tasks import TaskManager

    shutdown = TaskManager.shutdown
    monkeypatch.setattr(TaskManager, "shutdown", lambda self, **kw: shutdown(self, **kw) + ["model"])
    ended = []
    monkeypatch.setattr(app_module, "_exit_now", lambda lanes, code: ended.append((lanes, code)))
    out = tmp_path / "err.png"
    assert app_module.run_app(_args(tmp_path, str(tmp_path / "missing-model"), out)) == 1
    assert ended == [(["model"], 1)]
    assert "No such model folder" in capsys.readouterr().err and out.exists()  # said and saved first


@pytest.mark.slow
@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_real_window_under_xvfb(tmp_path, bundled_model_dir):
    """The real window on a real X server (platform xcb), answering with the real offline model."""
    out = tmp_path / "xvfb.png"
    data = tmp_path / "data"
    _short_answers(data, tokens=20)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    env.pop("DISPLAY", None)
    command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "desktop_app",
               "--data-dir", str(data), "--model", str(bundled_model_dir), "--device", "cpu",
               "--screenshot", str(out), "--prompt", "What is the capital of France?"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert image.width() == 1280 and image.height() == 800
    from desktop_app.core.store import Store

    with Store.open(data / "gpt2desk.sqlite3") as store:
        conversation = store.list_conversations()[0]
        answer = [m for m in store.messages(conversation["id"]) if m["role"] == "assistant"][0]
        assert answer["text"].strip()


def test_screenshot_of_the_finetune_panel(qapp, tmp_path, tiny_model_dir):
    """--view finetune: answers rated in the window, a short fine-tune from the panel, a PNG."""
    from PySide6.QtGui import QImage

    from desktop_app.core.store import Store
    from desktop_app.gui.app import run_app

    out = tmp_path / "finetune.png"
    args = _args(tmp_path, str(tiny_model_dir), out)
    args.screenshot_view = "finetune"
    assert run_app(args) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    with Store.open(args.db) as store:
        counts = store.rating_counts()
        assert counts["thumbs_up"] == 2 and counts["thumbs_down"] == 1 and counts["corrections"] == 1
        assert store.list_runs()[0]["status"] in ("kept", "discarded")


def test_screenshot_of_why_this_token_without_a_prompt(qapp, tmp_path, tiny_model_dir):
    """--view explain with no --prompt asked nothing and saved an empty chat; it asks its own
    question and explains a token of the answer."""
    from desktop_app.core.store import Store
    from desktop_app.gui.app import run_app
    from desktop_app.gui.screenshot import EXPLAIN_PROMPT

    _short_answers(tmp_path / "data", tokens=6)
    args = _args(tmp_path, str(tiny_model_dir), tmp_path / "explain.png")
    args.screenshot_view = "explain"
    assert run_app(args) == 0
    with Store.open(args.db) as store:
        conversation = store.list_conversations()[0]
        question = store.messages(conversation["id"])[0]
        assert question["text"] == EXPLAIN_PROMPT
