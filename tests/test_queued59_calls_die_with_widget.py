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
