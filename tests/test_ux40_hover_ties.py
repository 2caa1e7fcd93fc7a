"""Usertest 14, finding 10: hovering " with" showed "rank 1 ... probability 26.49%" above a list
with " but 26.5%" first and "▸ with 26.5%" second: two tokens of the same probability (16-bit
weights tie often), in the order the top-k happened to give, at a precision that made two rows
look like duplicates, the written token (rank 1: a tie counts in its favour) below the other.
Now the written token comes first among equal ones, the percentages take as many decimals as tell
two different ones apart, and equal ones say "tie"; the inspector's chart agrees. The tiny model's
window, a real answer whose record is given those figures."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QHelpEvent, QTextDocument  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from desktop_app.core.records import Alternative  # noqa: E402
from test_gui import answer_cards, ask, make_window  # noqa: E402,F401

# the written token (" with") second in the top-k's order, tied with " but"; two more differ only
# in the second decimal of their percentage
TIED = 0.26490000486373901


def _tied_record(record):
    top = [Alternative(901, " but", TIED), Alternative(record.id, " with", TIED), Alternative(903, " and", 0.0671),
           Alternative(904, " which", 0.0668), Alternative(905, " not", 0.041)]
    return replace(record, text=" with", logprob=math.log(TIED), rank=1, top=tuple(top))


def _tooltip_rows(view, index) -> list[str]:
    """The hover list's rows as read: marker, token, percentage, note."""
    point = view.span_rect(index).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    tip = QToolTip.text()
    QToolTip.hideText()
    rows = []
    for row in tip.split("<tr>")[1:]:
        doc = QTextDocument()
        doc.setHtml(row.replace("</td>", " </td>").replace("&#9656;", "\u25b8"))
        rows.append(re.sub(r"[\s\u00a0]+", " ", doc.toPlainText()).strip())
    return rows


def test_tied_alternatives_list_the_written_token_first_and_say_tie(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    view = card.view
    records = list(card.records)
    records[1] = _tied_record(records[1])
    view.set_records(records)
    rows = _tooltip_rows(view, 1)
    assert rows[0].startswith("\u25b8") and "with" in rows[0], rows  # rank 1 is listed first
    assert "but" in rows[1] and not rows[1].startswith("\u25b8"), rows
    assert rows[0].endswith("tie") and rows[1].endswith("tie"), rows
    assert not any(row.endswith("tie") for row in rows[2:]), rows
    percents = [re.search(r"\d+\.\d+%", row).group() for row in rows]
    assert percents[2] != percents[3], f"two different probabilities read as one: {rows}"
    assert len(set(percents[2:])) == 3

    # the inspector's chart: the same order, and "tie" by the equal ones
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(1).center())
    chart = window.inspector.chart
    assert [a.text for a in chart.alternatives[:2]] == [" with", " but"]
    shown = chart.percents()
    assert shown[0].startswith("tie") and shown[1].startswith("tie") and shown[2] != shown[3], shown
    window.inspector.pick(1)
    assert window.inspector.selected_alternative().text == " but"  # the row picked is the row continued from
