"""Times the window shows from the store (pytest-qt, real widgets): the store writes UTC, and the adapter
history's row said "12-04 16:33", the stored UTC month first: hours off a person's clock outside UTC, and
the 12th of April in most of the world (usertest 24). Rows and the conversation list's tooltips now say
"Dec 4 11:33" in the local time zone."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.local_time import local_stamp  # noqa: E402


@pytest.fixture
def new_york(monkeypatch):
    """The process's time zone is New York's (UTC-5 in December) for the test."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_adapter_row_says_its_local_time_with_the_months_name(qtbot, new_york):
    from PySide6.QtCore import Qt

    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_adapters([{"id": 1, "created": "2026-12-04T16:33:10.123456+00:00", "run_id": 1,
                           "path": "adapters/one", "metrics": {}}])
    item = history.list.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == 1
    when = item.text().splitlines()[1]  # under "Adapter 1": when, from which run
    assert when.startswith("Dec 4 11:33"), item.text()
    assert "12-04" not in item.text() and "16:33" not in item.text()


def test_the_words_of_a_stamp(new_york):
    this_year = datetime(2026, 6, 1).astimezone()
    assert local_stamp("2026-12-04T16:33:10+00:00", now=this_year) == "Dec 4 11:33"
    assert local_stamp("2026-01-01T02:00:00", now=this_year) == "Dec 31 2025 21:00"  # no zone: the store's UTC
    assert local_stamp(None) == "" and local_stamp("soon") == "soon"


def test_a_conversations_tooltip_says_its_local_time(qtbot, new_york):
    from desktop_app.gui.conversation_panel import ITEM_TIP, ConversationPanel

    conversations = ConversationPanel()
    qtbot.addWidget(conversations)
    conversations.set_conversations([{"id": 1, "title": "Hello", "message_count": 2,
                                      "updated": "2026-12-04T16:33:10+00:00"}], None)
    tip = conversations.list.item(0).data(ITEM_TIP)
    assert tip.endswith(f"updated {local_stamp('2026-12-04T16:33:10+00:00')}") and "11:33" in tip
