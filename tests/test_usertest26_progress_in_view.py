"""usertest26: a fine-tune started with the Fine-tune panel scrolled to its top (a 1024x600 screen)
showed its progress under the panel's bottom edge: the phase words, Cancel, the bar and the time left
were out of view until the person scrolled. Starting a run now scrolls them in (pytest-qt, offscreen,
the tiny model, a real run that is cancelled)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import ask  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _in_view(panel, widget) -> bool:
    top = widget.mapTo(panel.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + widget.height() <= panel.viewport().height()


def started_run(make_window, qtbot):
    """(the window, its fine-tune panel) with a run started from the panel's top at 870x400."""
    from desktop_app.core.train_settings import FineTuneSettings

    window = make_window(max_new_tokens=8)
    # it opened 870x510 on a 1024x600 screen, with five ratings and a five-line ready text above the
    # button; one rating here has a shorter text, so the window is shorter by as much
    window.resize(870, 400)
    mid = ask(qtbot, window, "Hello")["message_id"]
    window.chat.store.rate_message(mid, 1)
    window.writer.recount()
    window.writer.wait()
    window.finetune_side.show()
    panel = window.finetune_panel
    panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1,
                                        reask_tokens=8))
    QApplication.processEvents()
    panel.verticalScrollBar().setValue(0)  # the person starts from the panel's top
    assert panel.start()
    return window, panel


def test_starting_a_run_scrolls_its_progress_into_view(make_window, qtbot):
    window, panel = started_run(make_window, qtbot)
    qtbot.waitUntil(lambda: _in_view(panel, panel.progress_box), timeout=5000)
    assert _in_view(panel, panel.cancel_button) and _in_view(panel, panel.bar)
    with qtbot.waitSignal(window.finetune.finished, timeout=WAIT_MS):
        window.finetune.cancel()
