"""A fine-tune cancelled before the training lane began it (pytest-qt, offscreen, the tiny random
GPT-2, the real SQLite store). On a busy machine a Cancel pressed right after Fine-tune lands while the
run still waits for its lane: the lane drops it, and the run was left "running" for ever (the panel
stuck on "cancelling…", seen as two CI timeouts)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.tasks import Task  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import rated_window  # noqa: E402


def test_a_run_cancelled_while_it_waits_for_its_lane_ends_and_stores_nothing(make_window, qtbot):
    window = rated_window(qtbot, make_window)
    controller = window.finetune
    release = threading.Event()
    blocker = Task(lambda _report, _cancel: release.wait(30), "blocker")
    controller.tasks.training.submit(blocker)  # the lane is busy: the fine-tune waits behind it
    try:
        assert controller.start()
        assert controller.running
        with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as ended:
            window.finetune_panel.ask_before_cancel = False
            window.finetune_panel.cancel()
    finally:
        release.set()
    result = ended.args[0]
    assert result.status == "cancelled" and not result.kept and result.run_id is None
    assert not controller.running and not window.finetune_panel.cancel_button.isVisible()
    assert window.chat.store.list_runs() == []  # it never began: no run row
    assert controller.start()  # and the next one can start
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        window.finetune_panel.cancel()
