"""In the window: "Fine-tune's change" turned on over a text whose analysis was stopped before it read a
token (the summary's Cancel while it waited behind other model work, as with a long text) has no analysis
of this text to serve as the adapter's pass: the analysis on record is of the text before the edit. The
change then reads the text anew under the adapter as well as under the base model (two passes, the summary
told so), and that reading becomes the text's analysis: the summary, the heatmap and the exports say one
scoring's figures. pytest-qt on the real window, tiny GPT-2 with a random adapter, a real store; the model
lane is held by a real task on it, not patched."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.documents import summarize  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from desktop_app.gui.text_change_words import REREAD  # noqa: E402
from desktop_app.gui.text_summary import figures_text  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402
from test_textchange42_gui_one_pass import GROWN, SHORT, _analysed  # noqa: E402


def _analysis_stopped_while_waiting(qtbot, window, text: str) -> None:
    """``text`` typed and its analysis cancelled while it waits behind other work on the model lane."""
    view, lane = window.text_view, window.chat.lane
    running, release = threading.Event(), threading.Event()

    def hold(_report, _cancel):
        running.set()
        release.wait(WAIT_MS / 1000)

    lane.submit(Task(hold, "other model work", "other"))
    qtbot.waitUntil(running.is_set, timeout=WAIT_MS)
    try:
        view.editor.setPlainText(text)
        with qtbot.waitSignal(window.text.analysis_stopped, timeout=WAIT_MS):
            view.flush_edit()  # (queued behind the held work)
            view.summary_panel.cancel_button.click()  # what the summary's Cancel does
    finally:
        release.set()
    qtbot.waitUntil(lambda: not lane.find("other"), timeout=WAIT_MS)


def test_the_change_over_a_stopped_analysis_reads_the_text_anew_and_becomes_its_analysis(window, qtbot,
                                                                                         tiny_model_dir):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode, controller = window.text_view, window.text_view.change_mode, window.text
    old = _analysed(qtbot, window, SHORT)
    _analysis_stopped_while_waiting(qtbot, window, GROWN)
    assert controller.scored is old and view.editor.toPlainText() == GROWN  # the analysis on record: the old text's
    passes, notes = [], []
    mode.panel.bar.valueChanged.connect(lambda _v: mode.last_progress and (
        passes.append(mode.last_progress.parts), notes.append(view.summary_panel.note)))
    mode.toggle.click()
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete, timeout=WAIT_MS)
    change = mode.change
    assert 2 in passes, "both passes ran: the adapter's too"
    assert REREAD in notes, "the summary was told its figures would be that reading's"
    assert view.summary_panel.note == ""
    assert change.adapter is not old and controller.scored is change.adapter  # adopted as the text's analysis
    assert view.heatmap.records == change.adapter.records
    assert view.summary_panel.summary is controller.summary
    assert view.summary_panel.figures.text() == figures_text(summarize(change.adapter.records))
    assert view.analysis_tools.shown[0] is change.adapter
    # the next analysis goes on from it, and serves as the adapter's pass again: no second reading anew
    assert controller.previous is change.adapter
