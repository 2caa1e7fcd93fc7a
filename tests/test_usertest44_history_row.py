"""usertest44: an adapter saved, not in use, because its run changed answers to questions nobody rated.
Its history row said why after the fluency words, on one line, and the panel cut it to
"ordinary text a little less fluent · changed 2 …": the one reason it was not in use was gone.
The reason now has a line of its own, whole at the panel's usual width (pytest-qt)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QFontMetrics  # noqa: E402

from desktop_app.gui.adapter_history import AdapterHistory  # noqa: E402
from desktop_app.gui.theme import apply_theme  # noqa: E402

PANEL_WIDTH = 302  # px the history had beside the chat in a 1280x800 window
WHY = "changed 2 answers you never rated"
ITEM_PADDING_PX = 6  # each side of a row's text (style.qss: QListWidget#AdapterList::item)


def waiting_row() -> dict:
    """A kept run's adapter that waits for the person's word: two never-rated answers changed, the margin up,
    general text 1.9% less fluent (usertest44's run)."""
    changed = [{"question": "What is the capital of Croatia?", "before": "Zagreb.", "after": "Answer: Zaragoza."},
               {"question": "What is the capital of Switzerland?", "before": "Lier.", "after": "Answer: Paris."}]
    # in use (used anyway): its row in bold, the widest its words get
    return {"id": 1, "created": "2026-12-06T17:35:54", "run_id": 1, "active": True, "present": True,
            "metrics": {"margin_before": 0.339, "margin_after": 4.27, "probe_ppl_before": 28.06,
                        "probe_ppl_after": 28.59, "facts_changed": changed}}


def test_why_an_adapter_waits_is_whole_in_its_history_row(qtbot, qapp):
    apply_theme(qapp, dark=False)
    history = AdapterHistory()
    qtbot.addWidget(history)
    history.setFixedSize(PANEL_WIDTH, 400)
    history.set_adapters([waiting_row()])
    history.show()
    qtbot.waitExposed(history)
    lines = history.list.item(0).text().split("\n")
    assert WHY in lines  # a line of its own
    assert "ordinary text a little less fluent" in lines
    item = history.list.item(0)
    room = history.list.viewport().width() - 2 * ITEM_PADDING_PX  # (a row as wide as its words runs past it)
    widest = max(QFontMetrics(item.font()).horizontalAdvance(line) for line in lines)
    assert widest < room, (widest, room)
    assert "changed 2 answers to questions you never rated" in item.toolTip()  # the tooltip keeps the long words
    # the list is as tall as the row's lines: none of them is cut off below
    assert history.list.visualItemRect(history.list.item(0)).height() >= (
        len(lines) * history.list.fontMetrics().lineSpacing())
    assert history.list.height() >= history.list.visualItemRect(history.list.item(0)).height()
