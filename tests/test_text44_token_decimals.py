"""A token's probability reads the same wherever it is shown: the hover tooltip's first line, its
rows, the inspector's figure and its chart, and the status bar all take the inspector's rule (as many
decimals, one to three, as tell the alternatives apart: token_words.percent_texts), over the same
list (the written token counted when it is not among the kept alternatives). Before, the tooltip's
and the inspector's first figure always had two decimals ("26.49%" above a row "26.487%")."""

from __future__ import annotations

import math
import re

import pytest

pytest.importorskip("PySide6")


def _record(top, chosen):
    from desktop_app.core.records import Alternative, TokenRecord

    alts = tuple(Alternative(i, text, p) for i, (text, p) in enumerate(top))
    text, prob = chosen
    token_id = next((i for i, (t, _p) in enumerate(top) if t == text), 99)
    return TokenRecord(id=token_id, text=text, logprob=math.log(prob), rank=1, entropy=0.9, top=alts)


CLOSE = [(" a", 0.26491), (" the", 0.26487), (" its", 0.2)]  # three decimals tell the first two apart
OUTSIDE = [(" the", 0.4), (" a", 0.3), (" its", 0.00125)]  # the written token ("x", 0.00124) not kept


def _first_figure(html: str) -> str:
    return re.search(r"probability ([0-9.]+%)", html).group(1)


def _rows(html: str) -> dict[str, str]:
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    cells = [re.sub(r"<[^>]+>", " ", r).replace("&nbsp;", " ").replace("&#9656;", "").split() for r in rows]
    return {c[0]: c[1] for c in cells}


@pytest.mark.parametrize("top, chosen", [(CLOSE, (" the", 0.26487)), (OUTSIDE, ("x", 0.00124))])
def test_the_tooltip_the_inspector_and_the_status_bar_give_one_figure(qtbot, top, chosen):
    from desktop_app.gui.inspector import InspectorPanel
    from desktop_app.core.token_words import token_label, token_status_words, tooltip_html

    record = _record(top, chosen)
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show_token(1, 0, record, can_branch=True)
    painted = {label: percent.removeprefix("tie ") for (label, _p, _c), percent in
               zip(panel.chart.rows(), panel.chart.percents())}
    figure = panel.stat_values["probability"].text()
    assert figure == painted[token_label(record.text)]  # the inspector's figure is its chart's
    tip = tooltip_html(record)
    assert _first_figure(tip) == figure
    for label, shown in _rows(tip).items():
        assert shown == painted[label], label
    assert f"p={figure}" in token_status_words(0, record)


def test_close_alternatives_get_three_decimals_in_the_first_line_too():
    from desktop_app.core.token_words import tooltip_html

    assert _first_figure(tooltip_html(_record(CLOSE, (" the", 0.26487)))) == "26.487%"
