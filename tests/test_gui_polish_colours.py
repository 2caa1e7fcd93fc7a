"""What a new user hit (issue 15), on real widgets (pytest-qt, offscreen, the tiny random GPT-2):
colours and drawing: the GLTR legend and inspector swatch, heatmap text contrast (WCAG AA), combo
box arrows, line spacing."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


from desktop_app.core.palette import color_for, rank_bucket  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from helpers import token_record  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def record(rank: int, prob: float = 0.9, text: str = " cat") -> TokenRecord:
    return token_record(5, text, prob, rank=rank)


def test_rank_legend_puts_each_label_beside_its_colour(qapp):
    from desktop_app.gui.legend import LegendBar

    legend = LegendBar()
    legend.set_measure("rank")
    stops = legend.bar.stops
    # drawn left to right: the leftmost stop sits beside the low label, the rightmost beside the high one
    assert stops[0][1] == color_for(record(5000), "rank"), "beyond 1000 is drawn at the left"
    assert stops[-1][1] == color_for(record(1), "rank"), "top 10 is drawn at the right"
    assert legend.low.text() == stops[0][0] == "beyond 1000"
    assert legend.high.text() == stops[-1][0] == "rank 1–10"
    for label, rgb in stops:  # every labelled bucket has the colour a token of that bucket gets
        rank = {"rank 1–10": 5, "rank 11–100": 50, "rank 101–1000": 500, "beyond 1000": 5000}[label]
        assert rgb == color_for(record(rank), "rank"), label
    assert rank_bucket(25) == 1


def test_inspector_swatch_follows_the_colour_mode(qapp):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    r = record(25, prob=0.9)  # likely (bright by probability) but rank 25 (teal by rank)
    panel.set_measure("rank")
    panel.show_token(1, 0, r, can_branch=False)
    bg = "#%02x%02x%02x" % color_for(r, "rank")
    assert f"background:{bg}" in panel.token_label.styleSheet()
    panel.set_measure("probability")
    bg = "#%02x%02x%02x" % color_for(r, "probability")
    assert f"background:{bg}" in panel.token_label.styleSheet(), "the shown token is recoloured"


def test_text_on_every_heatmap_colour_reaches_wcag_aa(qapp):
    import re

    from desktop_app.cli.model_cmds import ansi_token
    from desktop_app.core.palette import attribution_color, change_color, contrast_ratio, sequential_color, text_color_on
    from desktop_app.gui.token_view import TokenView

    backgrounds = [sequential_color(i / 1000) for i in range(1001)]
    backgrounds += [attribution_color((i - 500) / 250) for i in range(1001)]
    backgrounds += [change_color((i - 500) / 250) for i in range(1001)]  # the compare view's
    worst = min(contrast_ratio(text_color_on(bg), bg) for bg in backgrounds)
    assert worst >= 4.5, f"worst contrast over the palettes {worst:.2f}:1"
    assert contrast_ratio((255, 255, 255), (41, 170, 130)) < 3  # mid teal, where white text was drawn before
    # the window draws each token with that colour
    view = TokenView()
    mid = record(1, prob=0.45)
    fmt = view.char_format(0, mid)
    bg, fg = fmt.background().color().getRgb()[:3], fmt.foreground().color().getRgb()[:3]
    assert contrast_ratio(fg, bg) >= 4.5
    # and so does the terminal (24-bit escape codes)
    codes = re.findall(r"\x1b\[(?:48|38);2;(\d+);(\d+);(\d+)m", ansi_token(mid))
    bg, fg = [tuple(int(x) for x in c) for c in codes]
    assert contrast_ratio(fg, bg) >= 4.5


def test_line_spacing_is_the_same_streamed_and_rebuilt(qtbot):
    from desktop_app.gui.token_view import TokenView

    view = TokenView()
    qtbot.addWidget(view)
    view.resize(300, 100)
    view.show()
    lines = [record(1, text=t) for t in (" one", "\n", " two", "\n", " three", "\n", " four")]
    view.append_records(lines)  # as an answer streams in
    streamed = view.document().size().height()
    view.set_measure("rank")  # switching the colour mode rebuilds the text
    view.set_measure("probability")
    assert view.document().size().height() == streamed


@pytest.mark.parametrize("dark", [False, True])
def test_combo_boxes_draw_a_drop_down_arrow_from_a_real_file(dark):
    import re
    from pathlib import Path

    from desktop_app.gui.theme import style_sheet

    sheet = style_sheet(dark)
    arrow = re.search(r"QComboBox::down-arrow \{ image: url\(([^)]+)\)", sheet)
    assert arrow, "a styled drop-down needs its own arrow or the box looks like a text field"
    path = Path(arrow.group(1))
    assert path.is_file() and ("dark" in path.name) == dark
