"""What a new user hit (issue 15), on real widgets (pytest-qt, offscreen, the tiny random GPT-2): the
fine-tune panel: while it measures, its result card, closing during a run, the wheel over its chart,
notifications, counting after a load."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import answer_modal  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def _measuring(panel, message="Measuring the model before training", phase="evaluating", elapsed=0.0):
    from desktop_app.core.training import TrainProgress

    panel.progress_box.show()
    panel.cancel_button.show()
    panel.on_progress(TrainProgress(phase, message=message, elapsed_s=elapsed))
    for _ in range(3):
        QApplication.processEvents()


def fits_in(widget, scroll) -> bool:
    """The widget lies wholly inside the scroll area's viewport (horizontally)."""
    from PySide6.QtCore import QPoint

    left = widget.mapTo(scroll.viewport(), QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= scroll.viewport().width()


def inside(widget, container) -> bool:
    from PySide6.QtCore import QRect

    rect = QRect(widget.mapTo(container, widget.rect().topLeft()), widget.size())
    return container.rect().contains(rect)


def wheel(widget, dy=-120):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(), QPoint(0, dy),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


@pytest.mark.parametrize("message,phase", [("Measuring the model before training", "evaluating"),
                                           ("Computing reference log-probabilities", "training")])
def test_finetune_panel_is_not_clipped_while_it_measures(make_window, message, phase, tmp_path):
    window = make_window()
    window.show_finetune()
    panel = window.finetune_panel
    # an adapter, so the history's buttons show (with none they are hidden: usertest 13)
    window.chat.store.add_adapter(str(tmp_path / "adapter"), base_model=window.chat.loaded.model_id)
    panel.refresh_adapters()
    window.splitter.setSizes([200, 2000, window.side_tabs.minimumWidth()])  # the narrowest dock
    _measuring(panel, message, phase)
    inner = panel.widget()
    assert inner.minimumSizeHint().width() <= panel.viewport().width(), "the panel is wider than its dock"
    for w in (panel.cancel_button, panel.phase_label, panel.intro, panel.history.delete_button,
              panel.history.rollback_button, *panel.tiles.values()):
        assert fits_in(w, panel), w.objectName() or w.text() if hasattr(w, "text") else w
    assert panel.cancel_button.width() >= panel.cancel_button.sizeHint().width(), "Cancel shows whole"


def test_elapsed_time_counts_up_between_reports(make_window, monkeypatch):
    from desktop_app.gui import finetune_progress

    window = make_window()
    panel = window.finetune_panel
    now = [1000.0]
    monkeypatch.setattr(finetune_progress.time, "monotonic", lambda: now[0])
    _measuring(panel, elapsed=0.4)
    assert panel.eta_label.text() == "0 s so far"
    now[0] += 18
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text() == "18 s so far"
    now[0] += 7
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text() == "25 s so far"
    _measuring(panel, message="Computing reference log-probabilities", phase="training", elapsed=26.0)
    assert panel.eta_label.text() == "26 s so far", "the training phase's slow first part counts too"


def test_result_card_follows_use_base_model(make_window, tmp_path):
    from desktop_app.core.training import RunResult

    window = make_window()
    panel, store = window.finetune_panel, window.chat.store
    model_id = window.chat.loaded.model_id
    aid = store.add_adapter(tmp_path / "a1", base_model=model_id)
    store.set_active_adapter(aid, model_id)
    panel.refresh_adapters()
    panel.on_finished(RunResult(run_id=None, kept=True, adapter_id=aid, reason="", status="kept"))
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use"
    store.set_active_adapter(None, model_id)  # what "Use base model" does, then the panel refreshes
    panel.refresh_adapters()
    assert "base model" in panel.history.using.text()
    title = panel.result_title.text()
    assert "now in use" not in title and "base model is in use" in title and str(aid) in title


def test_another_models_report_is_not_shown_as_a_deleted_adapter(make_window, qtbot, tiny_model_dir, tmp_path):
    import shutil

    window = make_window()
    panel, store = window.finetune_panel, window.chat.store
    model_id = window.chat.loaded.model_id
    aid = store.add_adapter(tmp_path / "a1", base_model=model_id)
    store.set_active_adapter(aid, model_id)
    run_id = store.create_run({}, model_id)
    store.update_run(run_id, status="kept", adapter_id=aid)
    panel.refresh_adapters()
    panel.show_last_run()
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use"
    other = tmp_path / "other-model"
    shutil.copytree(tiny_model_dir, other)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(other))
    qtbot.waitUntil(lambda: panel.result_box.isHidden(), timeout=WAIT_MS)
    assert "deleted" not in panel.result_title.text() or panel.result_box.isHidden()
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(tiny_model_dir))
    qtbot.waitUntil(lambda: not panel.result_box.isHidden(), timeout=WAIT_MS)
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use", "its own model shows it again"


def _window_in_a_long_finetune(make_window, qtbot):
    """A window whose fine-tune (one thumb, 400 updates) has made its first update."""
    from desktop_app.core.train_settings import FineTuneSettings

    window = make_window(max_new_tokens=12)
    mid = ask(qtbot, window, "Hello")["message_id"]
    window.chat.store.rate_message(mid, 1)
    window.writer.recount()
    window.writer.wait()
    QApplication.processEvents()
    window.finetune_panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0,
                                                        reask_count=1, reask_tokens=8))
    with qtbot.waitSignal(window.finetune.progress, timeout=WAIT_MS,
                          check_params_cb=lambda p: p.phase == "training" and p.step >= 1):
        assert window.finetune_panel.start()
    return window


def test_closing_during_a_finetune_asks_then_stops_cleanly(make_window, qtbot):
    window = _window_in_a_long_finetune(make_window, qtbot)
    store, paths = window.chat.store, window.paths
    seen: list = []
    answer_modal("Keep running", seen)
    window.close()
    assert [text for text, _ in seen] == ["A fine-tune is running: stop it and quit?"]
    assert " of 400 training steps" in seen[0][1], "it says how far the run got (usertest26)"
    assert window.isVisible() and window.finetune.running, "'Keep running' keeps the window and the run"
    answer_modal("Stop and quit", seen)
    window.close()
    assert len(seen) == 2 and not window.isVisible()
    assert not window.tasks.training._thread.is_alive(), "the run ended before the window went"
    run = store.list_runs()[0]
    assert run["status"] == "cancelled"
    assert store.active_adapter(window.chat.loaded.model_id) is None
    assert not (paths.adapters_dir / ".training.lock").exists(), "no empty lock file stays behind"
    again = make_window()
    again_panel = again.finetune_panel
    # the next start reports no 'Cancelled' the person never asked for; it says the run stopped as they
    # closed the app, and that the ratings wait for the next run (usertest26: it said nothing at all)
    assert "Cancelled" not in again_panel.result_title.text() + again_panel.result_body.text()
    assert "stopped when you closed the app" in again_panel.result_body.text()
    assert not again_panel.compare_button.isVisibleTo(again_panel)


def test_the_training_lock_is_exclusive_and_leaves_no_file(tmp_path):
    from desktop_app.core.adapters import AdapterError, training_lock
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve(tmp_path / "d").ensure()
    lock = paths.adapters_dir / ".training.lock"
    with training_lock(paths):
        assert lock.exists()
        with pytest.raises(AdapterError, match="already running"):
            with training_lock(paths):
                pass
    assert not lock.exists()
    with training_lock(paths):  # and it can be taken again
        pass
    assert not lock.exists()


def test_wheel_over_the_loss_chart_scrolls_the_panel(make_window):
    window = make_window()
    window.resize(800, 600)
    window.show_finetune()
    panel = window.finetune_panel
    panel.curve.show()
    for step in range(1, 6):
        panel.curve.add(step, 2.0 / step, 5)
    for _ in range(3):
        QApplication.processEvents()
    bar = panel.verticalScrollBar()
    assert bar.maximum() > 0, "the panel is taller than its dock here"
    plot = panel.curve.plot
    bar.setValue(0)
    before = bar.value()
    wheel(plot.viewport())
    assert bar.value() > before, "the chart ate the wheel"


def test_a_finished_run_notifies_only_when_the_window_is_not_in_front(make_window, qtbot):
    from desktop_app.core.training import RunResult

    window = make_window()
    notifier = window.notifier
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    window.finetune.finished.emit(RunResult(run_id=1, kept=True, adapter_id=3, reason="", status="kept"))
    assert notifier.last is None, "nothing while the person looks at the window"
    from PySide6.QtWidgets import QWidget

    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=2000)
    window.finetune.finished.emit(RunResult(run_id=1, kept=True, adapter_id=3, reason="", status="kept"))
    how, title, text = notifier.last
    assert title == "Fine-tune kept" and text == "Adapter 3 is now in use."
    window.finetune.finished.emit(RunResult(run_id=2, kept=False, adapter_id=None, reason="", status="cancelled"))
    assert notifier.last[1:] == ("Fine-tune cancelled", "Your model is unchanged."), \
        "said once (it read 'Fine-tune finished: Fine-tune cancelled: ...')"
    from PySide6.QtWidgets import QSystemTrayIcon

    assert how == ("tray" if QSystemTrayIcon.isSystemTrayAvailable() else "alert"), "no tray: guarded"


def test_the_finetune_panel_counts_after_the_load_instead_of_saying_nothing_to_learn(make_window, qtbot):
    window = make_window(wait=False)
    assert "Nothing to learn" not in window.finetune_panel.ready_label.text(), "the ratings are not counted yet"
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: "Nothing to learn" in window.finetune_panel.ready_label.text(), timeout=WAIT_MS)


def test_a_window_no_one_can_answer_stops_its_finetune_without_asking(make_window, qtbot):
    """--screenshot timed out mid-run and hung: closing asked "stop it and quit?" of no one.
    With ask_before_quit off the run is cancelled and the window closes at once."""
    window = _window_in_a_long_finetune(make_window, qtbot)
    from PySide6.QtCore import QTimer

    seen: list = []

    def refuse_a_question():  # once, so a question asked anyway fails the test, not hangs it
        box = QApplication.activeModalWidget()
        if box is not None:
            seen.append(box.objectName())
            box.reject()

    QTimer.singleShot(500, refuse_a_question)
    window.ask_before_quit = False
    window.close()
    assert seen == [] and not window.isVisible()
    assert not window.tasks.training._thread.is_alive(), "the run ended before the window went"
    assert window.chat.store.list_runs()[0]["status"] == "cancelled"
