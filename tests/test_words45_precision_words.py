"""The status bar's "Fast (bfloat16)" says what it means in its tooltip (words45: a new user met the
word bfloat16 and nothing explained it)."""

from PySide6.QtWidgets import QLabel, QStatusBar

from desktop_app.core.precision import meaning
from desktop_app.gui.window_status import WindowStatus


def test_each_precision_has_plain_words_and_fast_names_speed_16_bits_and_rounding():
    fast = meaning("bfloat16")
    assert "faster" in fast and "16-bit" in fast and "rounding" in fast
    assert meaning("float16") == fast
    assert "32-bit" in meaning("float32") and "8-bit" in meaning("int8")
    assert meaning(None) == "" and meaning("float64") == ""


def test_the_status_bar_tooltip_explains_the_precision_of_the_model_loaded(qtbot, tiny_model):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = WindowStatus(bar, QLabel())
    status.model_loaded(tiny_model, "base")
    tip = status.model_label.toolTip()
    words = meaning(tiny_model.precision)
    assert tip.startswith(tiny_model.describe()) and words and words in tip
