"""The inspector's precision line says the weights that wrote an answer ("written with"), and the
weights loaded now where they differ (fast108: the bare label read as the precision in use)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.precision import cpu_has_native_bf16, made_with  # noqa: E402
from gui_windows import ask  # noqa: E402
from test_gui import WAIT_MS, answer_cards, make_window  # noqa: E402,F401


def test_the_line_names_the_writer_and_a_different_loaded_precision():
    assert made_with("bfloat16") == "written with Fast (bfloat16)"
    assert made_with("float32", "float32") == "written with Exact (float32)"
    assert made_with("bfloat16", "float32") == "written with Fast (bfloat16);\nloaded now: Exact (float32)"
    assert made_with("float32", written=False) == "read with Exact (float32)"
    assert made_with(None, "float32") == "written with not recorded"  # nothing to set beside it


def click_first_token(qtbot, window):
    card = answer_cards(window)[-1]
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=card.view.span_rect(0).center())
    return window.inspector.stat_values["precision"].text()


def test_an_exact_answer_after_a_reload_at_fast_says_both(make_window, qtbot):
    if not cpu_has_native_bf16():
        pytest.skip("Fast loads Exact on a CPU without native bfloat16")
    window = make_window()
    ask(qtbot, window)
    assert click_first_token(qtbot, window) == "written with Exact (float32)"
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        assert window.reload_with_precision("fast") is not False
    assert window.chat.loaded.precision == "bfloat16"
    assert click_first_token(qtbot, window) == "written with Exact (float32);\nloaded now: Fast (bfloat16)"
