"""usertest 20: the fine-tune panel drew a falling curve labelled "loss" and wrote "loss 0.221" beside the
time left, with no word for what a loss is. The curve now says it above the chart, in plain words
(pytest-qt, offscreen, the real LossCurve)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def test_the_loss_curve_says_what_loss_is_above_the_chart(qtbot, qapp):
    from PySide6.QtWidgets import QLabel

    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    qtbot.addWidget(curve)
    curve.resize(300, 180)
    curve.show()
    qtbot.waitExposed(curve)
    curve.add(1, 1.6, 22)
    words = [label for label in curve.findChildren(QLabel) if label.isVisible() and "loss" in label.text().lower()]
    assert words, "nothing says what the loss is"
    (caption,) = words
    assert "your ratings" in caption.text()
    assert caption.geometry().bottom() < curve.plot.geometry().top(), "above the chart, not over it"
