"""usertest35: "Why this token?" and a fine-tune share the processor. While an explanation runs beside a run, the
Fine-tune panel's progress says the run goes slower until it ends, and the status bar's label says "slowed by
“Why this token?”" (its longest form); both go when the explanation ends. pytest-qt on the real window, tiny
GPT-2 on the CPU, a real fine-tune on the training lane and a real explanation asked on the model lane."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.progress_words import EXPLAIN_SLOWS_STATUS  # noqa: E402
from gui_windows import active, liked_answer_counted  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_explain import _hold_lane  # noqa: E402
from test_gui_usertest9_fixes import LONG_RUN, TRAIN_MS, cancelled  # noqa: E402


def _explanation_asked(qtbot, window):
    """A real "Why this token?" asked for the answer's second token; the model lane held, so it stays under way."""
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    window.show_token(card, 1)
    view = window.inspector.explain
    release = _hold_lane(window)
    with qtbot.waitSignal(view.busy_changed, timeout=5000, check_params_cb=lambda busy: busy):
        view.ask()
    return view, release


def test_a_run_says_a_running_explanation_slows_it(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    panel, label = window.finetune_panel, window.finetune_side.label
    panel.set_settings(LONG_RUN)
    view, release = _explanation_asked(qtbot, window)
    assert not panel.explain_note.isVisibleTo(panel), "no run yet: nothing to say"
    window.show_finetune()
    try:
        with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS):
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert panel.explain_note.isVisible()
        assert "Why this token?" in panel.explain_note.text() and "processor" in panel.explain_note.text()
        qtbot.waitUntil(lambda: EXPLAIN_SLOWS_STATUS in label.toolTip(), timeout=TRAIN_MS)  # its next report
        assert label.text().endswith(EXPLAIN_SLOWS_STATUS), "the status bar's longest form says it"
        with qtbot.waitSignal(view.busy_changed, timeout=5000, check_params_cb=lambda busy: not busy):
            view.cancel()
        assert not panel.explain_note.isVisible(), "the explanation ended: the note goes"
        assert EXPLAIN_SLOWS_STATUS not in label.toolTip() and EXPLAIN_SLOWS_STATUS not in label.text()
    finally:
        release.set()
        cancelled(qtbot, window)
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=TRAIN_MS)
    assert not panel.explain_note.isVisible()
