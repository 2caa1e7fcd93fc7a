"""A call queued for the next turn of the event loop (``QTimer.singleShot(0, ...)``) goes with the widget it is
for: the transcript's scrolls, queued as lambdas just before their window was deleted (closing it while an answer
streams), ran on the deleted widget ("Internal C++ object already deleted"), as the panel fitter's fit had
(test_textrow69_fit_timer)."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")


def _deleted_then_idle(qapp, widget) -> None:
    from PySide6.QtCore import QEvent
    from shiboken6 import isValid

    widget.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not isValid(widget)
    qapp.processEvents()  # what was queued before the widget went


@pytest.mark.parametrize("queue", ["scroll_to_bottom", "show_end_of"])
def test_a_transcript_scroll_queued_before_deletion_never_runs_after(qtbot, qapp, monkeypatch, queue):
    from PySide6.QtWidgets import QWidget

    from desktop_app.gui.transcript import TranscriptView

    raised: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _trace: raised.append(error))
    view = TranscriptView()
    getattr(view, queue)(*([QWidget(view.widget())] if queue == "show_end_of" else []))
    _deleted_then_idle(qapp, view)
    assert raised == []


def test_explain_views_scroll_queued_as_it_asks_never_runs_after_deletion(qtbot, qapp, monkeypatch):
    """Why this token? asked, then its card deleted (the conversation switched) before the next turn: its
    scroll into view was queued as a bound method without a receiver (leftovers70)."""
    from desktop_app.gui.explain_view import ExplainView

    raised: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _trace: raised.append(error))
    view = ExplainView()
    view.message_id, view.index = 1, 0
    view.ask()
    _deleted_then_idle(qapp, view)
    assert raised == []


def test_export_dialogs_growth_queued_as_it_runs_never_runs_after_deletion(qtbot, qapp, monkeypatch):
    """An export started, then its dialog gone before the next turn: the dialog's growth to its rows was
    queued as a bound method without a receiver (leftovers70)."""
    from desktop_app.gui.adapter_export import ExportDialog

    raised: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _trace: raised.append(error))
    dialog = ExportDialog(None, None, 1, None)
    dialog._set_running(True)
    _deleted_then_idle(qapp, dialog)
    assert raised == []
