"""While a fine-tune trains on the processor the Fine-tune panel, and the status bar's label on hover, say
the window may answer slowly meanwhile and that Cancel frees the processor (usertest 21: menus
opened in 3-5 s during a fine-tune on a busy CPU and nothing said why; bench/training_lag.py measures the
window's lag). pytest-qt on the real window, tiny GPT-2 on the CPU, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from desktop_app.core.progress_words import SLOW_WINDOW  # noqa: E402
from gui_windows import active, liked_answer_counted  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import TRAIN_MS, cancelled  # noqa: E402

RUN = FineTuneSettings(max_steps=30, min_steps=30, heldout_fraction=0.0, reask_count=1, reask_tokens=4)


def test_a_run_on_the_processor_says_the_window_may_be_slow_meanwhile(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    panel, label = window.finetune_panel, window.finetune_side.label
    panel.set_settings(RUN)
    window.show_finetune()
    assert not panel.slow_note.isVisible()  # nothing runs yet
    assert window.finetune.on_processor
    try:
        with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS):
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert panel.slow_note.isVisible() and panel.slow_note.text() == SLOW_WINDOW
        assert "answer slowly" in SLOW_WINDOW and "Cancel" in SLOW_WINDOW
        assert label.isVisible() and label.toolTip().endswith(SLOW_WINDOW)
    finally:
        cancelled(qtbot, window)
    assert not panel.slow_note.isVisible()  # the run's box went with the run
