"""leftovers77, the window's part: the adapter history's row tooltip opened under the pointer, over "Use selected"
and "Use base model"; "you rated this" labelled an answer the person wrote on the fine-tune card's pairs (the Compare view's words are
tested in test_gui_compare_better). Real widgets (pytest-qt, offscreen), the tiny GPT-2 where a window is needed."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, QRect  # noqa: E402
from PySide6.QtGui import QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from desktop_app.gui.adapter_history import AdapterHistory  # noqa: E402
from desktop_app.gui.taught_view import TaughtView, _tag  # noqa: E402
from desktop_app.gui.theme import apply_theme  # noqa: E402
from desktop_app.gui.tips import shown_tip  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_usertest44_history_row import PANEL_WIDTH, waiting_row  # noqa: E402


def _rows() -> list[dict]:
    """Three kept runs, the newest in use: each row's tooltip is several lines of figures."""
    return [{**waiting_row(), "id": i, "run_id": i, "active": i == 3, "path": f"adapters/{i}"} for i in (1, 2, 3)]


def _global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def test_a_history_row_s_tooltip_opens_above_the_row_not_over_its_buttons(qtbot, qapp):
    apply_theme(qapp, dark=False)
    history = AdapterHistory()
    qtbot.addWidget(history)
    history.setFixedSize(PANEL_WIDTH, 420)
    history.set_adapters(_rows())
    history.move(40, 160)  # room above it on the screen for the tooltip
    history.show()
    qtbot.waitExposed(history)
    viewport = history.list.viewport()
    last = history.list.item(history.list.count() - 1)
    row = history.list.visualItemRect(last)
    pointer = QPoint(row.center().x(), row.bottom() - 3)  # resting on the row's last line, just above the buttons
    try:
        QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pointer, viewport.mapToGlobal(pointer)))
        tip = shown_tip()
        assert tip is not None and QToolTip.text() == last.toolTip()
        shown = tip.geometry()
        for button in (history.use_button, history.base_button):
            assert button.isVisible() and not shown.intersects(_global_rect(button)), (shown, button.text())
        assert shown.bottom() < viewport.mapToGlobal(row.topLeft()).y()  # above the row it tells of
    finally:
        QToolTip.hideText()
        qtbot.waitUntil(lambda: not QToolTip.isVisible())  # no tooltip (nor its timer) outlives the test


def test_a_pair_whose_answer_the_person_wrote_says_they_wrote_it():
    wrote = {"question": "Capital of Peru?", "seen": True, "right": "Lima.", "right_written": True}
    liked = {"question": "Capital of Chile?", "seen": True, "right": "Santiago.", "right_written": False}
    assert _tag(wrote) == "you wrote an answer for this"
    assert _tag({**wrote, "seen": False, "held": True}) == (
        "you wrote an answer for this; kept out of training to test the result")
    assert _tag(liked) == "you rated this"
    assert _tag({"question": "Q?", "seen": True, "right": "A."}) == "you rated this"  # a run from before: as it was


def test_the_card_says_you_wrote_an_answer_above_your_answer(qtbot):
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs([{"question": "Capital of Peru?", "seen": True, "right": "Lima.", "right_written": True,
                     "before": "El Capital Peru", "after": "Lima."}])
    (question,) = [label.text() for label in view.question_labels()]
    assert question == "\u201cCapital of Peru?\u201d \u00b7 you wrote an answer for this"
    assert "you rated" not in question
