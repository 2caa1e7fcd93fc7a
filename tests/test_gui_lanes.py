"""The window's task lanes (gui/tasks.py): model work runs one task at a time in order,
waiting work can be cancelled before it starts, and the chat state follows; and a message
saved by the command line is the same row as one saved by the window (core/session.py)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import adapters  # noqa: E402
from desktop_app.core import session as session_module  # noqa: E402
from desktop_app.gui.chat import ChatState  # noqa: E402
from desktop_app.gui.tasks import Lane, Task, TaskError, TaskState  # noqa: E402
from tiny_model import random_lora  # noqa: E402
from test_gui import WAIT_MS, SlowGeneration, ask, make_window  # noqa: E402,F401


def test_a_lane_runs_in_order_and_drops_what_is_cancelled_while_waiting(qtbot):
    lane = Lane("test")
    gate, ran, results, cancelled = threading.Event(), [], [], []

    def work(name, block=False):
        def fn(_report, cancel):
            ran.append((name, threading.current_thread().name))
            if block:
                gate.wait(WAIT_MS / 1000)
            if name == "broken":
                raise RuntimeError("no luck")
            return name
        return fn

    first = lane.submit(Task(work("first", block=True), "first", on_success=results.append))
    second = lane.submit(Task(work("second"), "second", on_success=results.append,
                              on_cancelled=lambda t: cancelled.append(t.name)))
    third = lane.submit(Task(work("broken"), "broken", on_failure=results.append))
    qtbot.waitUntil(lambda: first.state is TaskState.RUNNING, timeout=WAIT_MS)
    lane.cancel(second)  # waiting: dropped at once, never runs
    assert second.state is TaskState.CANCELLED and cancelled == ["second"]
    assert lane.tasks == [first, third]
    gate.set()
    qtbot.waitUntil(lambda: not lane.tasks, timeout=WAIT_MS)
    assert [name for name, _thread in ran] == ["first", "broken"]
    assert {thread for _name, thread in ran} == {"lane-test"}
    assert results[0] == "first" and isinstance(results[1], TaskError) and "no luck" in results[1].message
    assert third.state is TaskState.DONE
    lane.shutdown()


def test_a_task_that_outlives_its_deleted_lane_ends_quietly(qtbot):
    """A file read still running when its window (and lane) is deleted: its end finds nobody,
    and says nothing (a Qt error would fail the test)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    owner, hold, heard = QObject(), threading.Event(), []
    lane = Lane("files", owner)
    task = lane.submit(Task(lambda _r, _c: hold.wait(30), "read", on_success=heard.append))
    qtbot.waitUntil(lambda: task.state is TaskState.RUNNING, timeout=5000)
    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    hold.set()
    qtbot.waitUntil(task.handled.is_set, timeout=5000)
    assert heard == []
    lane.shutdown()  # its thread outlives the deleted lane: it would run on into the next tests
    assert not lane.alive


def test_waiting_scoring_and_compare_are_cancelled_before_they_start(make_window, qtbot, monkeypatch,
                                                                      tiny_model_dir):
    window = make_window()
    first = ask(qtbot, window, "Hello there")["message_id"]
    store, chat = window.chat.store, window.chat
    model_id = chat.loaded.model_id
    adapter_id = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths, base_model=model_id,
                                       run_id=None, parent_id=None, settings={}, metrics={})
    adapters.activate(store, adapter_id, model_id)
    with qtbot.waitSignal(chat.adapter_changed, timeout=WAIT_MS):
        chat.sync_adapter()
    store.rate_message(first, 1)
    assert chat.state is ChatState.IDLE
    monkeypatch.setattr(session_module, "Generation", SlowGeneration)
    window.popover.max_new.setValue(100)
    window.prompt.setPlainText("Tell me a long story")
    with qtbot.waitSignal(chat.tokens, timeout=WAIT_MS):
        window.send()
    lane = window.tasks.model
    assert chat.state is ChatState.ANSWERING and lane.running.kind == "answer"
    # while the answer streams, the prompts are to be coloured and the first answer compared
    window.legend.score_prompts.setChecked(True)
    dialog = window.open_compare(first)
    waiting = [t for t in lane.tasks if t.state is TaskState.WAITING]
    assert sorted({t.kind for t in waiting}) == ["compare", "score"]
    # then the person changes their mind: colouring off, the compare window closed
    window.legend.score_prompts.setChecked(False)
    dialog.close()
    assert all(t.state is TaskState.CANCELLED for t in waiting)
    assert [t.kind for t in lane.tasks] == ["answer"] and chat.state is ChatState.ANSWERING
    assert window.stop_button.isEnabled()
    with qtbot.waitSignal(chat.answer_finished, timeout=WAIT_MS) as done:
        window.stop()
    assert done.args[0]["finish_reason"] == "cancelled"
    qtbot.waitUntil(lambda: not lane.tasks and not window.tasks.store.tasks, timeout=WAIT_MS)
    assert chat.state is ChatState.IDLE
    assert not window.stop_button.isEnabled() and window.regenerate_button.isEnabled()
    # neither ever ran: nothing was scored for the compare view, no prompt was coloured
    assert store.token_records(first, adapter_id=adapter_id, kind="rescored") == []
    assert chat.score_cache == {}


def test_the_command_line_and_the_window_store_the_same_row(make_window, qtbot, tiny_model_dir, capsys):
    from desktop_app.cli import main

    window = make_window()
    s = window.chat.settings
    gui_id = ask(qtbot, window, "Hello there")["message_id"]
    argv = ["generate", "Hello there", "--save", "--json", "--no-adapter", "--model", str(tiny_model_dir),
            "--device", "cpu", "--max-new-tokens", str(s.max_new_tokens), "--seed", str(s.seed),
            "--temperature", str(s.temperature), "--top-k", str(s.top_k), "--top-p", str(s.top_p),
            "--alternatives", str(s.alternatives)]
    assert main(argv) == 0
    import json

    cli_id = json.loads(capsys.readouterr().out)["message_id"]
    store = window.chat.store
    gui, cli = store.get_message(gui_id), store.get_message(cli_id)
    assert gui["text"] == cli["text"] and gui["model_id"] == cli["model_id"]
    drop = {"tokens_per_s"}
    assert {k: v for k, v in gui["settings"].items() if k not in drop} == \
        {k: v for k, v in cli["settings"].items() if k not in drop}
    assert [r.id for r in store.token_records(gui_id)] == [r.id for r in store.token_records(cli_id)]
    titles = {c["id"]: c["title"] for c in store.list_conversations()}
    assert titles[gui["conversation_id"]] == titles[cli["conversation_id"]] == "Hello there"


def test_work_that_outlives_its_closing_window_tells_nobody(make_window, qtbot):
    """The window closes while each lane has work: the model lane's answer-like task runs and one
    waits behind it, the training lane's run (a re-scoring after its result was told) is going,
    and the store lane has a write running and one queued. The writes still happen and the
    waiting model task never starts, but no callback runs once the lanes shut down (each reads
    the store, closed right after the window, as the window's own do), and nothing raises."""
    window = make_window()
    store, tasks = window.chat.store, window.tasks
    heard, ran = [], []

    def tell(name):
        def callback(*_args):
            heard.append(name)
            store.list_conversations()  # the closed store raises here
        return callback

    def task(lane, name, fn):
        return lane.submit(Task(fn, name, on_start=tell(f"{name} started"), on_progress=tell(f"{name} progress"),
                                on_success=tell(f"{name} ended"), on_failure=tell(f"{name} failed")))

    def until_cancelled(name):
        def fn(report, cancel):
            ran.append(name)
            cancel.wait(WAIT_MS / 1000)  # the window's closing asks it to stop
            report(name)
            return name
        return fn

    def write(name, after: threading.Event):
        def fn(_report, _cancel):
            after.wait(WAIT_MS / 1000)
            ran.append(name)
        return fn

    rescoring = task(tasks.training, "rescoring", until_cancelled("rescoring"))
    answer = task(tasks.model, "answer", until_cancelled("answer"))
    waiting = task(tasks.model, "waiting", lambda _r, _c: ran.append("waiting"))
    writes = [task(tasks.store, name, write(name, rescoring.cancel))  # they go on once the closing began
              for name in ("write", "queued write")]
    qtbot.waitUntil(lambda: rescoring.state is answer.state is TaskState.RUNNING, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(heard) == 3, timeout=WAIT_MS)  # the three that started said so
    heard.clear()

    window.close()
    store.close()
    qtbot.waitUntil(lambda: all(t.handled.is_set() for t in (rescoring, answer, *writes)), timeout=WAIT_MS)
    late = tasks.store.submit(Task(lambda _r, _c: ran.append("late"), "late", on_cancelled=tell("late")))

    assert sorted(ran) == ["answer", "queued write", "rescoring", "write"]
    assert waiting.state is TaskState.CANCELLED and late.state is TaskState.CANCELLED
    assert heard == []
    assert not tasks.model.tasks and not tasks.training.tasks and not tasks.store.tasks
