"""usertest49: "Why this token?" shown over a dark chat. Its colours had a near-white middle, so
every earlier word that barely pushed became a glaring white block with black letters on the
dark cards; the dark theme now has its own palette (the same ends, a dark neutral middle)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.palette import (ATTRIBUTION_PALETTE, ATTRIBUTION_PALETTE_DARK,  # noqa: E402
                                      attribution_color, contrast_ratio, text_color_on)
from gui_windows import answered_window  # noqa: E402

WAIT_MS = 60_000


def _rgb(name: str) -> tuple[int, int, int]:
    return tuple(int(name[i:i + 2], 16) for i in (1, 3, 5))


def test_dark_attribution_neutral_sits_on_the_card_and_every_colour_keeps_its_letters_readable():
    from desktop_app.gui.theme import DARK

    card = _rgb(DARK["card"])
    neutral = attribution_color(0.0, 1.0, dark=True)
    assert contrast_ratio(neutral, card) < 1.5, f"{neutral} glares on the dark card {card}"
    assert contrast_ratio(attribution_color(0.0, 1.0), (255, 255, 255)) < 1.5  # the light theme's stays white
    assert ATTRIBUTION_PALETTE_DARK[0] == ATTRIBUTION_PALETTE[0] and ATTRIBUTION_PALETTE_DARK[-1] == ATTRIBUTION_PALETTE[-1]
    for step in range(-20, 21):
        background = attribution_color(step / 20, 1.0, dark=True)
        assert contrast_ratio(text_color_on(background), background) >= 4.5, background


@pytest.fixture
def dark_window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.theme import apply_theme

    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        apply_theme(qapp, dark=True)
        try:
            yield window
        finally:
            apply_theme(qapp, dark=False)


def test_why_this_token_over_a_dark_chat_paints_no_white_blocks(dark_window, qtbot):
    from desktop_app.gui.theme import DARK

    window = dark_window
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(4)
    window.show_token(card, 4)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    view.toggle.setChecked(True)
    a = view.result.attribution
    scale = max(abs(s) for s in a.scores)
    painted = card.view.overlay.colours
    assert painted and all(painted[i] == attribution_color(a.scores[a.prompt_len + i], scale, dark=True)
                           for i in painted)
    white = (255, 255, 255)
    for colour in painted.values():  # the lightest dark-theme colour is the orange tint, far from white
        assert contrast_ratio(colour, white) >= 2.0, f"{colour} is a near-white block on a dark card"
    assert window.legend.bar.gradient == ATTRIBUTION_PALETTE_DARK  # the key shows the colours painted
    assert contrast_ratio(_rgb(DARK["card"]), white) > 10  # the card really is dark
    view.toggle.setChecked(False)
