"""A person back after two weeks (usertest50): an imported adapter's row says whole that its check advised
against it (the first line cut it to "imported; the check advised …" at the panel's 300 px), and the
conversation list's tooltip says how many of a conversation's answers were rated (it said "14 message(s)",
questions and answers alike, among sixty conversations two of which had the same title). pytest-qt on the
real widgets, a real store. Its "same weights as adapter 1" takes a line of its own too (after the date and
"imported" it was cut to "same weights as a…")."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

PANEL_PX = 300  # the adapter history's width in the window at 1366x768 and at 1024x600 (seen under Xvfb)
IMPORTED = {"id": 2, "created": "2026-12-07T03:31:31", "path": "adapters/two", "metrics": {
    "imported": True, "gate_advice": "discard", "same_as": 1, "margin_before": -0.721, "margin_after": -0.721,
    "probe_ppl_before": 27.98, "probe_ppl_after": 27.98}}
KEPT = {"id": 1, "created": "2026-12-07T03:14:11", "run_id": 1, "active": True, "path": "adapters/one",
        "metrics": {"margin_before": -0.106, "margin_after": 0.029, "probe_ppl_before": 28.06,
                    "probe_ppl_after": 27.98}}


def test_an_imported_adapters_advice_is_a_whole_line_of_its_row(qtbot):
    from PySide6.QtCore import Qt

    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.setFixedWidth(PANEL_PX)
    history.set_adapters([KEPT, IMPORTED])
    history.show()
    qtbot.waitExposed(history)
    item = next(history.list.item(i) for i in range(history.list.count())
                if history.list.item(i).data(Qt.ItemDataRole.UserRole) == 2)
    lines = item.text().split("\n")
    advice = [line for line in lines if "advised against it" in line]
    assert advice == ["the check advised against it"], lines
    room = history.list.viewport().width() - 12  # the row's padding, about
    metrics = history.list.fontMetrics()
    assert metrics.horizontalAdvance(advice[0]) <= room, "the advice is cut in the row"
    first = lines[1]  # the date and "imported": the advice no longer rides on it, where it was cut
    assert first.endswith("imported") and metrics.horizontalAdvance(first) <= room, first
    assert "the check advised against it" in item.toolTip(), "the tooltip says it too"
    # an export of adapter 1 imported back: that it is adapter 1's weights, whole (it was cut to "same weights as a…")
    assert "same weights as adapter 1" in lines, lines
    assert metrics.horizontalAdvance("same weights as adapter 1") <= room
    history.close()


def _conversation(store, title: str, answers: int) -> list[int]:
    cid = store.create_conversation(title)
    ids = []
    for n in range(answers):
        store.add_message(cid, "user", f"Question {n}?")
        ids.append(store.add_message(cid, "assistant", f"Answer {n}."))
    return ids


def test_the_conversation_tooltip_counts_answers_and_which_were_rated(store, qtbot):
    from desktop_app.gui.conversation_panel import ConversationPanel

    thumbs, token, corrected = _conversation(store, "What is the capital of France?", 3)
    store.rate_message(thumbs, 1)
    store.rate_token(token, 0, -1)
    store.set_correction(corrected, "Paris.")
    [unrated] = _conversation(store, "What is the capital of France?", 1)  # the same title, nothing rated
    partly = _conversation(store, "Tell me about tea.", 2)
    store.rate_message(partly[1], -1)
    _conversation(store, "Empty", 0)
    rows = {row["id"]: row for row in store.list_conversations()}
    panel = ConversationPanel()
    qtbot.addWidget(panel)
    panel.set_conversations(list(rows.values()), None)
    tips = [panel.list.item(i).toolTip() for i in range(panel.list.count())]
    assert "message(s)" not in " ".join(tips)
    empty, tea, unrated_france, rated_france = tips  # newest first
    assert "\n3 answers, all rated \u00b7 updated " in rated_france, rated_france
    assert "\n1 answer, none rated \u00b7 updated " in unrated_france, unrated_france
    assert "\n2 answers, 1 rated \u00b7 updated " in tea, tea
    assert "\nno answer yet \u00b7 updated " in empty, empty
    panel.close()
