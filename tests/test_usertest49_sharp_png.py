"""usertest49: on a 200 % screen the Text tab's "Heatmap as PNG…" saved 654 x 130 pixels for a
heatmap drawn on screen with 1,308 pixels across: small, soft letters beside the window. The
export now takes the screen's pixel ratio, the same picture with that many pixels to each."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor  # noqa: E402

from desktop_app.core.records import TokenRecord  # noqa: E402

WORDS = "The quick brown fox jumps over the lazy dog . Paris is the capital of France".split()


def _records() -> list[TokenRecord]:
    return [TokenRecord(id=i, text=" " + word, logprob=math.log(0.05 + 0.9 * (i % 5) / 4), rank=1 + i % 7,
                        entropy=2.0) for i, word in enumerate(WORDS)]


def _inked(image) -> int:
    """Pixels that are not the white ground: the tokens' colours, their letters, the key."""
    white = QColor("white").rgb()
    return sum(image.pixel(x, y) != white for y in range(image.height()) for x in range(image.width()))


def test_a_heatmap_at_pixel_ratio_two_has_twice_the_pixels_each_way_and_the_same_picture(qapp):
    from desktop_app.gui.text_export import heatmap_image

    once = heatmap_image(_records(), width=500)
    twice = heatmap_image(_records(), width=500, pixel_ratio=2.0)
    assert (twice.width(), twice.height()) == (2 * once.width(), 2 * once.height())
    assert twice.devicePixelRatio() == 2.0  # a viewer that honours it shows it at the size of the first
    ratio = _inked(twice) / _inked(once)
    assert 3.4 < ratio < 4.6, f"the picture drawn at 2 covers {ratio:.2f} times the pixels, not about 4"


def test_a_saved_heatmap_png_has_the_pixels_of_its_ratio_and_says_so(qapp, tmp_path):
    from PySide6.QtGui import QImage

    from desktop_app.core.session_scoring import ScoredText
    from desktop_app.gui.text_export import write_heatmap_png

    records = _records()
    scored = ScoredText(ids=[0] + [r.id for r in records], unscored_prefix="", records=records)
    path, size = write_heatmap_png(tmp_path / "sharp.png", scored, width=500, pixel_ratio=2.0)
    saved = QImage(str(path))
    assert size == (saved.width(), saved.height()) and saved.width() == 1000
