"""Usertest 6, F11: a 40,000-character paste showed "Reading the text 100%" for ~50 s while
its one 7,000-token pass ran, with nothing moving and Cancel unheard. A long window now
reports layer by layer and hears a cancel at every layer (tiny model: 2 layers, a 128-token
window; the threshold for a "long" window lowered to fit it)."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core import scoring
from desktop_app.core.prompts import encode

LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(40))


def _ids(tiny_model, n):
    return encode(tiny_model.tokenizer, LONG)[:n]


def test_a_long_pass_reports_its_layers_and_ends_at_the_total(tiny_model, monkeypatch):
    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 16)
    ids = _ids(tiny_model, 100)  # one window (128 tokens)
    seen = []
    records = scoring.score_ids(tiny_model, ids[:1], ids[1:], progress=seen.append)
    assert len(records) == 99
    dones = [p.done for p in seen]
    passes = scoring.window_plan(len(ids), 1, tiny_model.context_window)  # the first window, in blocks
    assert len(seen) == (2 + 1) * len(passes)  # each pass: at each of the 2 layers, then its records
    assert dones == sorted(dones) and dones[-1] == 99 and all(d < 99 for d in dones[:-1])
    assert dones[1] > dones[0]  # the second layer counts for part of the window
    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 10_000)  # the figures do not depend on it
    assert scoring.score_ids(tiny_model, ids[:1], ids[1:]) == records


def test_a_cancel_is_heard_inside_a_long_pass(tiny_model, monkeypatch):
    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 16)
    ids = _ids(tiny_model, 300)  # several windows
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if len(seen) == 4:  # the second window's first layer has just started: its second one stops it
            cancel.set()

    records = scoring.score_ids(tiny_model, ids[:1], ids[1:], cancel=cancel, progress=progress)
    first = scoring.window_plan(300, 1, tiny_model.context_window)[0]
    assert len(records) == first.stop - first.start  # the first window stands, the second stopped inside


pytest.importorskip("PySide6")


def test_the_text_tab_bar_moves_through_a_long_pass_and_names_the_tokens(qtbot, qapp, tiny_model_dir, monkeypatch):
    from gui_windows import opened_window, text_opened

    from desktop_app.gui.text_summary import progress_format

    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 16)
    assert progress_format(scoring.ScoreProgress(3, 10, "reading")) == "Reading the text %p%"
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as window:
        window.set_mode("text")
        text_opened(qtbot, window)
        panel = window.text_view.summary_panel
        shown = []
        window.text.analyse_progress.connect(
            lambda p: shown.append((panel.progress.format(), panel.progress.value(), panel.progress.maximum())))
        with qtbot.waitSignal(window.text.analysed, timeout=30_000) as blocker:
            window.text_view.editor.setPlainText(LONG)
        total = len(blocker.args[0].records)
        windows = len(scoring.window_plan(total + 1, 1, window.chat.loaded.context_window))  # after the start token
        running = [s for s in shown if s[1] < s[2]]
        assert len(running) > windows  # it moved inside the passes, not only between them
        assert all(fmt == f"Analysing {total:,} tokens %p%" for fmt, _v, _m in running)
        values = [v for _f, v, _m in running]
        assert values == sorted(values) and not panel.progress_row.isVisible()


def test_cancel_inside_the_first_pass_says_not_analysed(qtbot, qapp, tiny_model_dir, monkeypatch):
    """Cancel now stops a pass at its next layer: stopped before any window ended, the summary
    says "Not analysed yet." (not "Too short to analyse", as an empty summary would)."""
    from gui_windows import opened_window, text_opened

    monkeypatch.setattr(scoring, "LAYER_PROGRESS_MIN", 16)
    entered, release, real = threading.Event(), threading.Event(), scoring._score_window

    def held(*args, **kwargs):  # the first pass waits until Cancel was pressed
        entered.set()
        release.wait(90)
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_window", held)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as window:
        window.set_mode("text")
        text_opened(qtbot, window)
        view = window.text_view
        # a loaded machine: the wait for "analysing…" below is inside this one
        try:
            with qtbot.waitSignal(window.text.analysis_stopped, timeout=120_000) as blocker:
                view.editor.setPlainText(LONG)
                qtbot.waitUntil(entered.is_set, timeout=90_000)  # running: not a cancel of a waiting one
                assert view.status.text() == "analysing\u2026"
                view.summary_panel.cancel_button.click()
                release.set()
        finally:  # a failed wait must not leave the held pass blocking the window's close
            release.set()
        partial, _summary = blocker.args
        assert partial.records == [] and len(partial.ids) > 100
        assert view.summary_panel.figures.text() == "Not analysed yet."
        assert view.status.text() == f"stopped: 0 of {len(partial.ids):,} tokens analysed"


def test_cancel_of_an_analysis_still_waiting_says_stopped(qtbot, qapp, tiny_model_dir):
    """CI, session 40: on a loaded machine the Cancel came before the lane's thread took the
    analysis; it was dropped unheard and the tab said "analysing…" for ever."""
    from gui_windows import opened_window, text_opened

    from desktop_app.gui.tasks import Task

    busy, free = threading.Event(), threading.Event()

    def occupy(_report, _cancel):
        busy.set()
        free.wait(90)

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as window:
        window.set_mode("text")
        text_opened(qtbot, window)
        view = window.text_view
        window.chat.lane.submit(Task(occupy, "occupy", "test"))
        try:
            qtbot.waitUntil(busy.is_set, timeout=60_000)
            with qtbot.waitSignal(window.text.analysis_stopped, timeout=60_000) as blocker:
                view.editor.setPlainText(LONG)
                qtbot.waitUntil(lambda: view.status.text() == "analysing\u2026", timeout=60_000)
                assert window.text.lane.find("analyse")[0].state.value == "waiting"
                view.summary_panel.cancel_button.click()
        finally:
            free.set()
        partial, _summary = blocker.args
        assert partial.records == [] and partial.stopped
        assert view.summary_panel.figures.text() == "Not analysed yet."
        assert view.status.text() == "stopped before any token was analysed"
        # every task of the model lane ended and its end handled here (Lane.wait from this thread would only
        # time out: the model lane's handshake waits for this thread to handle each end)
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=60_000)
        qtbot.wait(100)
        assert view.status.text() == "stopped before any token was analysed"  # it stays stopped
