"""usertest 20: the token inspector listed "log-probability -0.015", "entropy 0.10 nats", "surprisal 0.02
bits" and "rank 1" with nothing, not even on hover, to say what they were. Each figure's name and value
now say it in plain words on hover (pytest-qt, offscreen, the real InspectorPanel)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

MEANS = {"probability": "how sure", "log-probability": "logarithm", "rank": "first choice",
         "entropy": "spread", "surprisal": "surprising", "precision": "weights"}


def test_every_figure_in_the_inspector_says_what_it_means_on_hover(qtbot, qapp):
    from PySide6.QtWidgets import QLabel

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    record = TokenRecord(7, " Shakespeare", math.log(0.9848), 1, 0.1, (Alternative(7, " Shakespeare", 0.9848),))
    panel.show_token(1, 0, record, can_branch=True)
    panel.show()
    qtbot.waitExposed(panel)
    names = {label.text(): label for label in panel.stats_box.findChildren(QLabel) if label.text() in MEANS}
    assert set(names) == set(MEANS)
    for name, words in MEANS.items():
        for label in (names[name], panel.stat_values[name]):
            assert words in label.toolTip().lower(), f"{name}: {label.toolTip()!r}"
