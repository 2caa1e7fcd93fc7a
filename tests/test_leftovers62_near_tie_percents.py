"""Leftovers 62, item 3: when two alternatives nearly tied, the inspector gave every row three decimals
("95.570%", "0.787%"), against docs/features.md's "two significant digits under 1%". The decimals that
tell two near-equal alternatives apart stay, on those two only; every other row reads as everywhere else.
The inspector's real widgets (pytest-qt) over a record of the tiny GPT-2, its alternatives set near-equal."""

from __future__ import annotations

import dataclasses
import math

import pytest

pytest.importorskip("PySide6")


def test_only_the_near_equal_alternatives_get_the_decimals_that_part_them(qtbot, tiny_model_dir, session_paths):
    from desktop_app.core.models import open_model
    from desktop_app.core.records import Alternative
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    _ids, records = score_text(open_model(str(tiny_model_dir), session_paths, device="cpu"), "The cat sat on the mat.")
    record = records[3]
    ids = [a.id for a in record.top[:4]]
    probs = (0.95570, 0.00787, 0.00786, 0.03)  # the two in the middle part only at the third decimal
    top = tuple(Alternative(i, f"t{i}", p) for i, p in zip(ids, probs))
    record = dataclasses.replace(record, id=ids[0], logprob=math.log(probs[0]), top=top)
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(None, 3, record, can_branch=False)
    shown = inspector.chart.percents()
    assert [s.split()[-1] for s in shown][:4] == ["95.6%", "3.0%", "0.787%", "0.786%"], shown
    assert inspector.stat_values["probability"].text() == "95.6%"
