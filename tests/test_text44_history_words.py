"""The adapter history's rows say in words what each adapter did (to the answers the person rated,
to ordinary text); the figures behind the words ("margin", "perplexity") are in the row's tooltip,
explained, beside its folder."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

JARGON = re.compile(r"margin|held-out|heldout|nats|ppl|perplexity|gate", re.IGNORECASE)
ROWS = [
    {"id": 1, "created": "2026-12-03T20:17:00", "path": "adapters/one", "metrics": {
        "imported": True, "gate_advice": "discard", "margin_before": 0.9612, "margin_after": 0.9634,
        "probe_ppl_before": 25.0, "probe_ppl_after": 25.1}},
    {"id": 2, "created": "2026-12-03T20:30:00", "run_id": 4, "parent_id": 1, "active": True, "path": "adapters/two",
     "metrics": {"margin_before": 0.5, "margin_after": 0.7, "gate_margin_on": "heldout",
                 "probe_ppl_before": 25.0, "probe_ppl_after": 26.0}},
    {"id": 3, "created": "2026-12-03T20:40:00", "run_id": 5, "path": "adapters/three", "metrics": {
        "margin_before": 0.7, "margin_after": 0.4, "probe_ppl_before": 25.0, "probe_ppl_after": 30.0,
        "facts_changed": [{"question": "q"}], "facts_unsure": [], "use_anyway": True}},
]


def test_each_row_says_it_in_words_and_keeps_the_figures_in_its_tooltip(qtbot):
    from PySide6.QtCore import Qt

    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_adapters(ROWS)
    items = {history.list.item(i).data(Qt.ItemDataRole.UserRole): history.list.item(i)
             for i in range(history.list.count())}
    for item in items.values():
        assert not JARGON.search(item.text()), item.text()
    one, two, three = (items[i].text() for i in (1, 2, 3))
    assert "barely changed by your ratings" in one and "ordinary text as fluent as before" in one
    assert "the check advised against it" in one
    assert "closer to the answers you liked" in two and "a little less fluent" in two and "built on adapter 1" in two
    assert "further from the answers you liked" in three and "ordinary text less fluent" in three
    assert "changed 1 answer you never rated" in three and "used though the check" in three
    assert items[3].toolTip().startswith("Further from the answers you liked \u00b7 ordinary text less fluent \u00b7 "
                                         "changed 1 answer to a question you never rated")
    tip = items[2].toolTip()
    assert "Preference margin on the ratings kept out of training" in tip and "0.500 \u2192 0.700" in tip
    assert "Perplexity of a fixed general text" in tip and "25.00 \u2192 26.00 (+4.0%)" in tip
    assert tip.endswith("Files: adapters/two")
