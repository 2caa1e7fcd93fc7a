"""dark87 (a user test on the dark theme): the heatmap's lowest colour, viridis's purple (68,1,84), had a
contrast of 1.06 against a dark answer card and 1.17 against the Text editor, so the least likely tokens,
the ones to notice, looked uncoloured, and so did the first histogram bars, the 0 % end of the key and the
layer grid's low cells. The dark theme has a heatmap scale of its own, lifted at its low end; the layer
grid's lines are near black. Core checks, and pytest-qt on the real window (tiny model) and LensGrid."""

from __future__ import annotations

import pytest

from desktop_app.core.palette import (VIRIDIS, VIRIDIS_DARK, contrast_ratio, relative_luminance, sequential_color,
                                      sequential_palette, text_color_on)

STEPS = 1000
# 1.5: a filled chip among its neighbours is seen at that (viridis's purple had 1.06); WCAG's 3:1 for a lone
# graphic would leave no room below the teal for a purple and a blue that read in order
LEAST_CONTRAST = 1.5


def _rgb(name: str) -> tuple[int, int, int]:
    return tuple(int(name[i:i + 2], 16) for i in (1, 3, 5))


def _dark_scale() -> list[tuple[int, int, int]]:
    return [sequential_color(i / STEPS, dark=True) for i in range(STEPS + 1)]


def test_every_colour_of_the_dark_scale_stands_out_from_the_dark_cards_and_its_text_reads():
    pytest.importorskip("PySide6")
    from desktop_app.gui.theme import DARK

    backgrounds = {role: _rgb(DARK[role]) for role in ("card", "base", "window", "panel")}  # base: the editor
    assert contrast_ratio(VIRIDIS[0], backgrounds["card"]) < 1.1  # what the user saw
    for colour in _dark_scale():
        for role, background in backgrounds.items():
            assert contrast_ratio(colour, background) >= LEAST_CONTRAST, (colour, role)
        assert contrast_ratio(text_color_on(colour), colour) >= 4.5, colour


def test_the_dark_scale_keeps_viridis_order_and_the_light_one_is_unchanged():
    # in steps of 1/40 (a 1/1000 step's rounding to whole channels wobbles by under 0.001 either way)
    luminances = [relative_luminance(sequential_color(i / 40, dark=True)) for i in range(41)]
    assert all(a < b for a, b in zip(luminances, luminances[1:])), "darkest (least likely) first"
    red, green, blue = VIRIDIS_DARK[0]
    assert blue > red > green, "its low end is still a purple"
    assert VIRIDIS_DARK[-1] == VIRIDIS[-1] and sequential_palette(True) == VIRIDIS_DARK
    assert sequential_palette(False) == VIRIDIS and sequential_color(0.0) == VIRIDIS[0]


@pytest.fixture
def dark_window(qtbot, qapp, tiny_model_dir):
    pytest.importorskip("PySide6")
    from gui_windows import answered_window

    from desktop_app.gui.theme import apply_theme

    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        apply_theme(qapp, dark=True)  # after the answer: its colours follow the switch
        try:
            yield window
        finally:
            apply_theme(qapp, dark=False)


def _painted(view, index: int) -> tuple[int, int, int]:
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)
    return cursor.charFormat().background().color().getRgb()[:3]


def test_a_dark_windows_least_likely_token_is_painted_with_the_dark_scale(dark_window):
    from desktop_app.core.palette import color_for
    from desktop_app.gui.heatmap_legend import key_for
    from desktop_app.gui.token_view import legend_stops

    window = dark_window
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    records = card.view.records
    least = min(range(len(records)), key=lambda i: records[i].prob)
    dark_colour = color_for(records[least], "probability", dark=True)
    assert dark_colour != color_for(records[least], "probability")
    assert _painted(card.view, least) == dark_colour
    assert legend_stops("probability")[0][1] == VIRIDIS_DARK[0]  # the key's 0 % end, in the window and a PNG
    assert key_for("probability").gradient == VIRIDIS_DARK
    window.show_token(card, least)
    assert VIRIDIS_DARK[0] != VIRIDIS[0] and "#%02x%02x%02x" % dark_colour in window.inspector.token_label.styleSheet()


def test_the_dark_layer_grid_paints_its_low_cells_and_its_lines_apart_from_the_panel(qtbot, qapp):
    pytest.importorskip("PySide6")
    from PySide6.QtGui import QImage

    from desktop_app.core.lens import LogitLens
    from desktop_app.gui.explain_grid import LensGrid
    from desktop_app.gui.theme import DARK, apply_theme

    lens = LogitLens(layer_names=["embeddings", "layer 1", "layer 2"], token_ids=[1, 2],
                     token_texts=[" a", " b"], probs=[[1e-6, 0.5], [1e-6, 0.5], [0.4, 0.5]],
                     ranks=[[90, 1], [90, 1], [2, 1]], layer_top=[(2, " b", 0.5)] * 3, first_top1=None)
    apply_theme(qapp, dark=True)
    try:
        grid = LensGrid()
        qtbot.addWidget(grid)
        grid.resize(200, 10)
        grid.set_lens(lens)
        image = QImage(grid.size(), QImage.Format.Format_RGB32)
        image.fill(_qcolor(DARK["panel"]))
        grid.render(image)
    finally:
        apply_theme(qapp, dark=False)
    cells = grid.cells_rect()
    w, h = grid._cell_w(), grid.row_h()
    # near the cell's left edge: its middle carries the chosen token's rank ("#90", text98)
    low_cell = image.pixelColor(int(cells.left() + 3), int(cells.top() + h / 2)).getRgb()[:3]
    assert low_cell == VIRIDIS_DARK[0]
    line = image.pixelColor(int(cells.left() + w), int(cells.top() + h / 2)).getRgb()[:3]  # between two cells
    assert line == _rgb(DARK["grid_line"])
    for colour in _dark_scale():
        assert contrast_ratio(line, colour) >= 2.0, colour
    assert contrast_ratio(line, _rgb(DARK["panel"])) > 1.2  # not the panel's grey it was


def _qcolor(name: str):
    from PySide6.QtGui import QColor

    return QColor(name)
