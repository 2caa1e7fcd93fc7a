"""An exported heatmap PNG carries the key of its colours below the tokens (the measure's
name and its scale, or the attribution's blue and orange), so the picture reads on its own."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor, QImage  # noqa: E402

from desktop_app.core.palette import ATTRIBUTION_PALETTE, VIRIDIS, VIRIDIS_DARK, sequential_color  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.gui import export, heatmap_legend  # noqa: E402
from desktop_app.gui.text_export import MARGIN, heatmap_image  # noqa: E402
from desktop_app.gui.token_view import PLAIN, Overlay, TokenView  # noqa: E402

WORDS = " The capital of France is Paris , and the capital of Germany is Berlin .".split(" ")[1:]
PROBS = (0.9, 0.5, 0.97, 0.2, 0.8, 0.6, 0.05, 0.4, 0.7, 0.3, 0.95, 0.1, 0.85, 0.65, 0.25)
RANKS = (1, 3, 1, 40, 2, 9, 700, 12, 1, 150, 1, 2000, 1, 5, 60)


def records() -> list[TokenRecord]:
    return [TokenRecord(id=i, text=" " + word, logprob=math.log(p), rank=rank, entropy=2.0)
            for i, (word, p, rank) in enumerate(zip(WORDS, PROBS, RANKS))]


def colours_below(image: QImage, top: int) -> set[tuple[int, int, int]]:
    return {QColor(image.pixel(x, y)).getRgb()[:3] for y in range(top, image.height()) for x in range(image.width())}


def near(colours, rgb, tolerance: int = 3) -> bool:
    return any(max(abs(a - b) for a, b in zip(c, rgb)) <= tolerance for c in colours)


def test_the_text_heatmap_png_has_the_key_of_its_measure_below_the_tokens(qapp):
    plain = heatmap_image(records(), "Once", width=500, measure=PLAIN)
    image = heatmap_image(records(), "Once", width=500, measure="probability")
    key = heatmap_legend.key_for("probability")
    assert key.title == "Colours: Probability of the chosen token" and [s[0] for s in key.stops] == ["0%", "100%"]
    assert image.height() == plain.height() + heatmap_legend.key_height(key, TokenView().font(), 500 - 2 * MARGIN)
    below = colours_below(image, plain.height() - MARGIN)  # the key's rows only: no token is there
    assert near(below, VIRIDIS[0]) and near(below, VIRIDIS[-1]) and near(below, sequential_color(0.5))
    assert (0, 0, 0) in below or near(below, (0, 0, 0), 40)  # its words, in black on white
    assert colours_below(plain, plain.height() - MARGIN) == {(255, 255, 255)}  # no colours: no key


def test_the_rank_key_shows_one_swatch_per_bucket(qapp):
    plain = heatmap_image(records(), width=500, measure=PLAIN)
    image = heatmap_image(records(), width=500, measure="rank")
    below = colours_below(image, plain.height() - MARGIN)
    assert all(sequential_color(t) in below for t in (0.0, 1 / 3, 2 / 3, 1.0))


@pytest.fixture
def dark_theme(qapp):
    from gui_windows import app_theme

    with app_theme(qapp, True):
        yield


def test_an_exported_answer_keys_its_measure_and_an_attribution_over_it(dark_theme, tmp_path):
    view = TokenView(measure="surprisal")
    view.set_records(records())
    view.show()  # styled as in the window: a transparent background, light text
    bare = QImage(str(export.heatmap_png(view, tmp_path / "bare.png", width=400)))
    assert QColor(bare.pixel(1, 1)).getRgb()[:3] == (255, 255, 255)  # dark on white, whatever the theme
    doc = view.document().clone()
    doc.setTextWidth(400)
    text_bottom = 16 + math.ceil(doc.size().height())
    assert bare.height() > text_bottom + 16 + heatmap_legend.GAP  # the key below the tokens
    below = colours_below(bare, text_bottom)
    # the tokens and their key in the dark theme's scale (dark87): the key shows the colours painted
    assert near(below, VIRIDIS_DARK[0]) and near(below, VIRIDIS_DARK[-1]) and not near(below, ATTRIBUTION_PALETTE[0])
    assert not near(below, VIRIDIS[0])
    view.set_overlay(Overlay(colours={0: ATTRIBUTION_PALETTE[-1], 3: ATTRIBUTION_PALETTE[0]}))  # "why this token" shown over it
    explained = QImage(str(export.heatmap_png(view, tmp_path / "explained.png", width=400)))
    below = colours_below(explained, text_bottom)
    assert near(below, ATTRIBUTION_PALETTE[0]) and near(below, ATTRIBUTION_PALETTE[-1]) and not near(below, VIRIDIS[-1])
    view.set_overlay(None)
    view.set_measure(PLAIN)
    plain = QImage(str(export.heatmap_png(view, tmp_path / "plain.png", width=400)))
    assert plain.height() == text_bottom + 16  # plain text: nothing to explain, no key
