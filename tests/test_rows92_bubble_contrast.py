"""rows92: with "score prompts" on, the person's own messages are coloured by the heatmap on their bubble. In the
dark theme the scale's least likely colour, its purple (128, 2, 158), stood 1.38:1 from the bubble (#2c3555) and
read as uncoloured, where the answer cards keep 1.5 (dark87). The dark bubble is a shade darker (#272f4e): every
colour of the scale now stands at least 1.51:1 from it, measured with core.palette.contrast_ratio; the bubble still
reads as the person's (blue, apart from the answer cards) and its text as text. Core checks, and pytest-qt on a
real user card, its token's painted background against its painted bubble."""

from __future__ import annotations

import math
from collections import Counter

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import VIRIDIS_DARK, contrast_ratio, sequential_color  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402

BEFORE_BUBBLE = (0x2C, 0x35, 0x55)  # the dark bubble the user test measured
BEFORE, AFTER = 1.38, 1.51  # the scale's purple against the bubble, before and after (two decimals)
LEAST_CONTRAST = 1.5  # a filled chip among its neighbours (test_dark87_heatmap_scale's LEAST_CONTRAST)


def _rgb(name: str) -> tuple[int, int, int]:
    return tuple(int(name[i:i + 2], 16) for i in (1, 3, 5))


def test_every_heatmap_colour_stands_out_from_the_dark_bubble():
    from desktop_app.gui.theme import DARK

    bubble = _rgb(DARK["user_bubble"])
    assert round(contrast_ratio(VIRIDIS_DARK[0], BEFORE_BUBBLE), 2) == BEFORE  # what the user test measured
    least = min(contrast_ratio(sequential_color(i / 1000, dark=True), bubble) for i in range(1001))
    assert round(least, 2) == AFTER and least >= LEAST_CONTRAST
    assert round(contrast_ratio(VIRIDIS_DARK[0], bubble), 2) == AFTER, "the purple is the least"


def test_the_dark_bubble_is_still_the_persons_and_its_text_reads():
    from desktop_app.gui.theme import DARK

    bubble = _rgb(DARK["user_bubble"])
    red, green, blue = bubble
    assert blue > green > red, "a blue bubble"
    assert bubble != _rgb(DARK["card"]) and blue - _rgb(DARK["card"])[2] >= 20, "apart from the answer cards"
    assert contrast_ratio(_rgb(DARK["text"]), bubble) >= 10, "its text"
    assert contrast_ratio(_rgb(DARK["user_border"]), bubble) > contrast_ratio(_rgb(DARK["user_border"]),
                                                                                BEFORE_BUBBLE), "its edge"


def _most_common(image, rect) -> tuple[int, int, int]:
    seen = Counter()
    for y in range(rect.top(), rect.bottom()):
        for x in range(rect.left(), rect.right()):
            colour = image.pixelColor(x, y)
            seen[(colour.red(), colour.green(), colour.blue())] += 1
    return seen.most_common(1)[0][0]


def test_a_scored_prompts_least_likely_token_stands_out_on_the_painted_bubble(qtbot, qapp):
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QTextCursor

    from desktop_app.gui.message_card import MessageCard
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=True)
    try:
        card = MessageCard("user", {"id": 1, "role": "user", "text": "Hello there"})
        qtbot.addWidget(card)
        card.resize(420, 160)
        card.view.set_measure("probability")
        unlikely = TokenRecord(id=7, text="Hello there", logprob=math.log(1e-7), rank=40000, entropy=6.0)
        card.show_prompt([unlikely])
        card.show()
        qtbot.waitExposed(card)
        image = card.grab().toImage()
        bubble = _most_common(image, QRect(2, card.height() - 8, card.width() - 4, 4))  # its bottom padding
        start = QTextCursor(card.view.document())
        start.setPosition(1)  # inside the token: its line's height, where its background is painted
        word = card.view.cursorRect(start).translated(card.view.viewport().mapTo(card, QPoint(0, 0)))
        token = _most_common(image, QRect(word.left(), word.top(), 40, word.height()))
        assert bubble == _rgb("#272f4e") and token == VIRIDIS_DARK[0], (bubble, token)
        assert contrast_ratio(token, bubble) >= LEAST_CONTRAST
        card.close()
    finally:
        apply_theme(qapp, dark=False)
