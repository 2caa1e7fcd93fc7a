"""textrow69: the panel fitter's queued fit belongs to the window. A fit queued by a resize or a panel toggle
just before the window was deleted had run after it, on the deleted splitter ("Internal C++ object
(PanelSplitter) already deleted"), which bench/window_build.py had avoided by handling its events first."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from window_focus_chain import fresh_window  # noqa: E402


def test_a_fit_queued_before_the_window_is_deleted_never_runs_after(qtbot, qapp, monkeypatch):
    from PySide6.QtCore import QEvent
    from shiboken6 import isValid

    from desktop_app.gui.theme import apply_theme

    raised: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _trace: raised.append(error))
    apply_theme(qapp, dark=False)
    window = fresh_window()
    store, fitter = window.chat.store, window.panel_fitter
    qtbot.waitExposed(window)
    window.resize(1000, 700)  # queues a fit for the new width
    fitter.chose("side_tabs")  # and a toggle's
    window.close()
    window.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    store.close()
    assert not isValid(fitter), "the fitter goes with its window"
    qapp.processEvents()  # what was queued before the window went
    assert raised == []
