"""The inspector's layer grid goes ahead of background work on the model lane (user test 7:
"Reading the layers..." for 15-60 s behind a Text continuation, a Text analysis or queued
prompt scorings): urgent tasks pass waiting work that can wait, run between the tokens of a
continuation being written (which comes out the same), and stop a restartable scoring, which
runs again after them."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import documents  # noqa: E402
from desktop_app.core.generation import Generation  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.gui.tasks import Lane, Task, TaskState  # noqa: E402
from gui_windows import opened_window  # noqa: E402

WAIT_MS = 60_000


# ---------------------------------------------------------------- the lane itself

def _hold(release: threading.Event, ran: list, name: str):
    def fn(_report, _cancel):
        ran.append(name)
        release.wait(WAIT_MS / 1000)
        return name
    return fn


def _note(ran: list, name: str):
    def fn(_report, _cancel):
        ran.append(name)
        return name
    return fn


def test_an_urgent_task_passes_waiting_work_that_can_wait_but_not_a_model_change(qtbot):
    lane = Lane("test", handshake=True)
    release, ran = threading.Event(), []
    first = lane.submit(Task(_hold(release, ran, "running"), "running"))
    lane.submit(Task(_note(ran, "score 1"), "score 1", can_wait=True))
    lane.submit(Task(_note(ran, "switch"), "switch"))  # cannot wait: what follows is about the model it leaves
    lane.submit(Task(_note(ran, "score 2"), "score 2", can_wait=True))
    lane.submit(Task(_note(ran, "score 3"), "score 3", can_wait=True))
    lane.submit(Task(_note(ran, "layers"), "layers", urgent=True))
    lane.submit(Task(_note(ran, "layers again"), "layers again", urgent=True))
    qtbot.waitUntil(lambda: first.state is TaskState.RUNNING, timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: not lane.tasks, timeout=WAIT_MS)
    assert ran == ["running", "score 1", "switch", "layers", "layers again", "score 2", "score 3"]
    lane.shutdown()


def test_a_restartable_task_is_stopped_for_an_urgent_one_and_runs_again_after_it(qtbot):
    lane = Lane("test", handshake=True)
    ran, results, runs = [], [], []

    def analysis(_report, cancel):
        runs.append(1)
        ran.append("analysis")
        if len(runs) == 1:  # the first run waits until it is stopped
            cancel.wait(WAIT_MS / 1000)
            return "partial"
        return "whole"

    task = lane.submit(Task(analysis, "analysis", on_success=results.append, can_wait=True, restartable=True))
    qtbot.waitUntil(lambda: task.state is TaskState.RUNNING, timeout=WAIT_MS)
    lane.submit(Task(_note(ran, "layers"), "layers", on_success=results.append, urgent=True))
    qtbot.waitUntil(lambda: not lane.tasks, timeout=WAIT_MS)
    assert ran == ["analysis", "layers", "analysis"]
    assert results == ["layers", "whole"]  # what the stopped run returned is never heard
    lane.shutdown()


def test_a_cancelled_restartable_task_is_not_run_again(qtbot):
    lane = Lane("test", handshake=True)
    ran, cancelled_for_good = [], threading.Event()

    def analysis(_report, cancel):
        ran.append("analysis")
        cancel.wait(WAIT_MS / 1000)
        cancelled_for_good.wait(WAIT_MS / 1000)  # the person's cancel comes while it still runs
        return "partial"

    task = lane.submit(Task(analysis, "analysis", can_wait=True, restartable=True))
    qtbot.waitUntil(lambda: task.state is TaskState.RUNNING, timeout=WAIT_MS)
    lane.submit(Task(_note(ran, "layers"), "layers", urgent=True))
    lane.cancel(task)
    cancelled_for_good.set()
    qtbot.waitUntil(lambda: not lane.tasks, timeout=WAIT_MS)
    assert ran == ["analysis", "layers"]
    lane.shutdown()


# ---------------------------------------------------------------- in the window

@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.main_window import open_settings

    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")  # the tiny model has no chat template
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=12, seed=7) as win:
        if win.text.document_id is None:  # the Text tab opens its text when first shown: a continuation needs one
            win.text.open_document()
            qtbot.waitUntil(lambda: win.text.document_id is not None, timeout=WAIT_MS)
        win.prompt.setPlainText("Hello, how are you?")
        with qtbot.waitSignal(win.chat.answer_finished, timeout=WAIT_MS):
            win.send()
        yield win
        win.chat.shutdown()


class TokenGate:
    """Each new token of a generation waits for a permit (until ``open``): a continuation that
    is still being written, however fast the tiny model is."""

    def __init__(self, monkeypatch):
        self.permits, self.opened = threading.Semaphore(0), threading.Event()
        original = Generation._steps

        def gated(generation, needed):
            steps = original(generation, needed)
            step = steps.step

            def held(chosen):
                if not self.opened.is_set():
                    self.permits.acquire(timeout=WAIT_MS / 1000)
                return step(chosen)

            steps.step = held
            return steps

        monkeypatch.setattr(Generation, "_steps", gated)

    def open(self) -> None:
        self.opened.set()
        self.permits.release(1000)


def test_the_layer_grid_is_read_between_the_tokens_of_a_continuation_being_written(window, qtbot, monkeypatch):
    gate = TokenGate(monkeypatch)
    window.popover.max_new.setValue(30)
    streamed = []
    window.text.tokens.connect(streamed.extend)
    assert window.text.continue_text("The lighthouse keeper climbed the stairs and")
    prefix, settings = window.text.plan.prefix, replace(window.chat.settings)
    qtbot.waitUntil(lambda: bool(streamed), timeout=WAIT_MS)  # written up to its first token, held there
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(2)
    window.show_token(card, 2)
    view = window.inspector.explain
    assert view.button.isVisible()  # the chat is idle: its tokens can be explained
    view.ask()
    gate.permits.release()  # one more token: the grid is read in the break after it
    qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
    (running,) = [t for t in window.chat.lane.tasks if t.state is TaskState.RUNNING]
    assert running.kind == "continue" and view.grid.lens is view.partial.lens
    assert abs(view.partial.lens.probs[-1][0] - card.records[2].prob) < 1e-5
    # the attribution (minutes) waits its turn, and says behind what
    assert "Text continuation" in view.progress_text.text()

    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as blocker:
        gate.open()
    written, _reason = blocker.args
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # the attribution ran after it
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    # the same continuation as one written with no break: the grid's pass left it as it was
    again = documents.continue_text(window.chat.loaded, prefix, settings)
    assert written == again.text and len(written) > 0
