"""Renaming an adapter or switching to another keeps the adapter history where it was: its rows, its "In use" line
and its buttons do not move (they had moved 18-28 px as a longer name wrapped a line more). Real window, real store,
real adapter folders on the tiny model (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import opened_window  # noqa: E402
from test_gui_adapter_edits import _history_change, _two_adapters  # noqa: E402


def _places(window) -> dict[str, int]:
    for _ in range(4):
        QApplication.processEvents()
    history = window.finetune_panel.history
    parts = {"history": history, "using": history.using, "list": history.list, "buttons": history.buttons}
    return {name: w.mapTo(window, QPoint(0, 0)).y() for name, w in parts.items()} | {
        "list height": history.list.height(), "using height": history.using.height()}


@pytest.mark.parametrize("size", [(1280, 800), (800, 600)])
def test_rename_and_switch_keep_the_history_in_place(qtbot, qapp, tiny_model_dir, size):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.resize(*size)
        first, _second = _two_adapters(window, tiny_model_dir)
        history = window.finetune_panel.history
        window.side_tabs.setCurrentIndex(1)
        places = [None, _places(window)]
        while places[-1] != places[-2]:  # the panel laid out at the window's size
            places.append(_places(window))
        before = places[-1]
        history.ask_name = lambda aid, current: "Short answers in a friendly tone, for my lessons"
        history.select(first)
        _history_change(qtbot, window, history.rename_selected)
        assert _places(window) == before, "a rename moves nothing"
        _history_change(qtbot, window, lambda: history.activate_requested.emit(first))
        qtbot.waitUntil(lambda: "Short answers" in history.using.text())
        assert _places(window) == before, "a switch moves nothing"
