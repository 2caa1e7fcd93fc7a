"""Ctrl+H pressed while the model still loads, with a kept run's card (its re-asked questions) above the history:
once the model has loaded the history's list has the keyboard and stays in view, not pushed below the panel's
foot by the card. The real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, ctrl_h  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from tiny_model import random_lora  # noqa: E402


def _kept_run_stored(window, tiny_model_dir) -> None:
    """A kept run of the model and its adapter, as a start finds them (a real run's figures, 13 re-asked questions)."""
    from desktop_app.core import adapters

    store, model_id = window.chat.store, window.chat.loaded.model_id
    metrics = json.loads((Path(__file__).parent / "fixtures" / "usertest28_run_metrics.json").read_text())
    run_id = store.create_run({}, model_id)
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths, base_model=model_id,
                                run_id=run_id, parent_id=None, settings={}, metrics=metrics)
    store.update_run(run_id, status="kept", reason="closer to the answers you liked", metrics=metrics, adapter_id=aid)
    store.set_active_adapter(aid, model_id)


def _inside_view(panel, widget) -> bool:
    top_left = widget.mapTo(panel.viewport(), QPoint(0, 0))
    return panel.viewport().rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1280, 800), (1024, 600)])
def test_ctrl_h_during_the_load_leaves_the_focused_list_in_view(make_window, qtbot, tiny_model_dir, size):
    first = make_window()
    _kept_run_stored(first, tiny_model_dir)
    first.chat.shutdown()
    first.close()  # closed before the next start: that start's card comes with its load, not as another's write
    window = make_window(wait=False)  # the next start, on the same store
    window.resize(*size)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        assert window.chat.loaded is None, "pressed during the load"
        ctrl_h(qtbot, window)
        assert window.finetune_panel.history.list.hasFocus(), "the last session's adapters listed: Ctrl+H's list"
    history, panel = window.finetune_panel.history, window.finetune_panel
    qtbot.waitUntil(lambda: history.list.hasFocus())
    for _ in range(10):  # the card lays out its wrapped lines as the tab shows
        QApplication.processEvents()
    assert not panel.result_box.isHidden(), "the run's card is above the history"
    assert history.list.hasFocus()
    assert _inside_view(panel, history.list), "the list the keyboard is on is in view"
