"""An exported heatmap's colour key fits the picture's width: exported from a Text tab at its width
(452 px beside the branches in a 1088 px window), Fine-tune's change's key had cut its "2.7× more likely,
or more" at the picture's edge. The gradient narrows first, then its pieces go on another row; a wide
picture keeps the one row it had."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor, QFontMetrics  # noqa: E402

from desktop_app.core.palette import CHANGE_PALETTE  # noqa: E402
from desktop_app.gui import heatmap_legend  # noqa: E402
from desktop_app.gui.heatmap_legend import BAR_H, GAP, Key, key_for, key_height  # noqa: E402
from desktop_app.gui.text_change_words import export_caption  # noqa: E402
from desktop_app.gui.text_export import MARGIN, heatmap_image  # noqa: E402

CHANGE_KEY = Key(export_caption("your adapter (adapter 1)", 1.0),
                 [("2.7\u00d7 less likely", CHANGE_PALETTE[0]), ("2.7\u00d7 more likely, or more", CHANGE_PALETTE[-1])],
                 gradient=CHANGE_PALETTE)
TEXT = "The harbour was quiet that morning. Fishing boats rocked against the old stone pier."


def _image(width: int, key: Key):
    return heatmap_image([], TEXT, width=width, colorizer=lambda _i, _r: None, key=key)


def _inked_columns(image, top: int) -> set[int]:
    """The columns below ``top`` holding anything but the white background."""
    white = QColor("white").rgb()
    return {x for y in range(top, image.height()) for x in range(image.width()) if image.pixel(x, y) != white}


def _key_top(image, key: Key, width: int, font) -> int:
    return image.height() - MARGIN - key_height(key, font, width - 2 * MARGIN)


@pytest.mark.parametrize("width", [452, 300, 200])
def test_the_change_key_stays_inside_a_narrow_picture(qapp, width):
    from desktop_app.gui.token_view import TokenView

    font = TokenView().font()
    image = _image(width, CHANGE_KEY)
    inked = _inked_columns(image, _key_top(image, CHANGE_KEY, width, font))
    assert inked and max(inked) < width - MARGIN + 2  # nothing in the right margin, let alone cut at the edge
    rows = _rows(CHANGE_KEY, font, width - 2 * MARGIN)
    assert all(x + w <= width - 2 * MARGIN for x, _row, w, _draw in rows)


def _rows(key, font, width):
    return heatmap_legend._placed(key, QFontMetrics(font), width)


def test_a_wide_picture_keeps_the_key_on_one_row_at_its_full_width(qapp):
    from desktop_app.gui.token_view import TokenView

    font = TokenView().font()
    metrics = QFontMetrics(font)
    placed = _rows(CHANGE_KEY, font, 900 - 2 * MARGIN)
    assert [row for _x, row, _w, _d in placed] == [0, 0, 0] and placed[1][2] == heatmap_legend.BAR_W
    title = metrics.boundingRect(0, 0, 900 - 2 * MARGIN, 10_000, 0x1000, CHANGE_KEY.title).height()  # word wrap
    assert key_height(CHANGE_KEY, font, 900 - 2 * MARGIN) == GAP + title + 6 + max(BAR_H, metrics.height())


def test_at_452_px_the_gradient_narrows_and_its_words_keep_one_row(qapp):
    from desktop_app.gui.token_view import TokenView

    placed = _rows(CHANGE_KEY, TokenView().font(), 452 - 2 * MARGIN)
    assert [row for _x, row, _w, _d in placed] == [0, 0, 0]
    assert heatmap_legend.MIN_BAR_W <= placed[1][2] < heatmap_legend.BAR_W


def test_the_rank_swatches_wrap_in_a_narrow_picture(qapp):
    from desktop_app.gui.token_view import TokenView

    key = key_for("rank")
    font = TokenView().font()
    placed = _rows(key, font, 200 - 2 * MARGIN)
    assert max(row for _x, row, _w, _d in placed) >= 1
    image = _image(200, key)
    inked = _inked_columns(image, _key_top(image, key, 200, font))
    assert max(inked) < 200 - MARGIN + 2
