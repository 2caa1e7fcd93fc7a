"""The loss curve is no Tab stop (usertest 14, finding 6): during a run, Tab from the Fine-tune
panel's Cancel stopped on the chart (a pyqtgraph view: Qt makes it a stop) with no ring and
nothing to do with a key, so the keyboard seemed lost for a step. It is a picture: Tab goes past it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui import focus_order  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_tab_through_the_fine_tune_panel_never_stops_on_the_loss_curve(make_window, qtbot):
    window = make_window()
    panel = window.finetune_panel
    window.side_tabs.setCurrentWidget(panel)
    panel.curve.show()  # as during a run: the chart under the progress line
    qtbot.waitUntil(panel.curve.isVisible)
    window.side_tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
    stops = []
    for _ in range(len(focus_order.ring(window))):
        assert focus_order.step(window, forward=True)
        stops.append(window.focusWidget())
    assert any(panel.isAncestorOf(w) for w in stops)  # the walk went through the panel
    assert not any(w is panel.curve or panel.curve.isAncestorOf(w) for w in stops)
    assert panel.curve.plot.focusPolicy() == Qt.FocusPolicy.NoFocus  # nor does a click give it the focus
