"""Session 66: in the light theme the heatmap's likeliest colour, a light yellow-green, stood 1.34:1
from the person's own blue bubble (rows92 measured it and left it), so a scored prompt's likeliest
words read as uncoloured. No bubble colour can fix it, so such chips get an edge in a darker shade of
their own colour. Core arithmetic, and pytest-qt on a real user card: the painted edge is there on
the light bubble, not on an answer card (1.56:1 on white) nor on the dark bubble (1.51:1)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import contrast_ratio, sequential_color  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402

LIKELY = TokenRecord(id=7, text="Hello there", logprob=math.log(0.999), rank=1, entropy=0.01)


def _rgb(name: str) -> tuple[int, int, int]:
    return tuple(int(name[i:i + 2], 16) for i in (1, 3, 5))


def test_the_light_scales_top_is_faint_on_the_light_bubble_and_its_edge_is_not():
    from desktop_app.gui.chip_edges import LEAST_CONTRAST, edge_colour, needs_edge
    from desktop_app.gui.theme import DARK, LIGHT

    top, bubble = sequential_color(1.0), _rgb(LIGHT["user_bubble"])
    assert round(contrast_ratio(top, bubble), 2) == 1.34 and needs_edge(top, bubble)
    edge = edge_colour(top)
    assert contrast_ratio((edge.red(), edge.green(), edge.blue()), bubble) >= 2 * LEAST_CONTRAST - 1
    assert not needs_edge(top, _rgb(LIGHT["card"])), "white answer cards hold 1.56:1"
    dark_bubble = _rgb(DARK["user_bubble"])
    assert not any(needs_edge(sequential_color(i / 100, dark=True), dark_bubble) for i in range(101))


def _card(qtbot, role: str):
    from desktop_app.gui.message_card import MessageCard

    card = MessageCard(role, {"id": 1, "role": role, "text": "Hello there"})
    qtbot.addWidget(card)
    card.resize(420, 160)
    card.view.set_measure("probability")
    if role == "user":
        card.show_prompt([LIKELY])
    else:
        card.view.set_records([LIKELY])
    card.show()
    qtbot.waitExposed(card)
    return card


def _edge_pixels(card) -> int:
    """How many pixels along the token's left side are the edge's colour."""
    from desktop_app.gui.chip_edges import edge_colour

    image = card.view.viewport().grab().toImage()
    rect = card.view.token_rects(0)[0].toRect()
    edge = edge_colour(tuple(card.view.chip_colours[0]))
    return sum(1 for y in range(rect.top() + 1, rect.bottom())
               if abs(image.pixelColor(rect.left(), y).red() - edge.red()) <= 2
               and abs(image.pixelColor(rect.left(), y).green() - edge.green()) <= 2)


@pytest.mark.parametrize("dark", [False, True])
def test_a_scored_prompts_likeliest_token_has_an_edge_on_the_light_bubble_only(qtbot, qapp, dark):
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=dark)
    try:
        user, answer = _card(qtbot, "user"), _card(qtbot, "assistant")
        assert 0 in user.view.chip_colours and 0 in answer.view.chip_colours, "both coloured"
        height = user.view.token_rects(0)[0].toRect().height()
        if dark:
            assert _edge_pixels(user) == 0, "the dark bubble holds 1.51:1: no edge"
        else:
            assert _edge_pixels(user) >= height - 3, "an edge down the token's side"
        assert _edge_pixels(answer) == 0, "an answer card's white holds: no edge"
        user.close()
        answer.close()
    finally:
        apply_theme(qapp, dark=False)
