"""Colour measures for the heatmap, shared by the terminal and the window.

Colours come from a colour-blind-safe sequential palette (viridis, sampled), so
"likely" and "surprising" differ in lightness, not only in hue.
"""

from __future__ import annotations

from desktop_app.core.records import TokenRecord

# viridis at 9 stops, dark (low value) -> light (high value)
VIRIDIS = [
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43),
]
# The dark theme's: viridis with its four darkest stops lifted (same hue and saturation, lighter),
# so luminance still climbs purple < blue < teal < green < yellow. Viridis's own purple (68,1,84)
# had a contrast of 1.06 against a dark answer card and 1.17 against the Text editor: the least
# likely tokens, the ones to notice, looked uncoloured (dark87). The lowest stop now has 1.66
# against the card (WCAG 3:1 is for a lone graphic; a filled token chip beside its neighbours is
# seen at 1.5, and more would leave no room below the teal without flattening the scale); the
# text on every stop still reads (``text_color_on`` keeps it above 4.5).
VIRIDIS_DARK = [
    (128, 2, 158), (109, 60, 181), (78, 94, 173), (54, 115, 158), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43),
]
# "Why this token?": pink (pushed toward the alternative) .. white .. orange (toward this token).
# Not the blue it had: an earlier token in that dark blue with white letters, beside the selected
# token, read as selected text (as the compare view's had, usertest 11); nor the compare view's
# purple and red, nor a viridis hue (later answers keep the heatmap's colours beside it). The ends
# differ along blue-yellow, which colour-blind eyes keep: ColorBrewer PiYG's pink, PuOr's orange.
ATTRIBUTION_PALETTE = [(197, 27, 125), (222, 119, 174), (241, 182, 218), (247, 247, 247),
                       (254, 224, 182), (241, 163, 64), (179, 88, 6)]
# The dark theme's: the same ends, but a token that barely pushed a dark neutral near the window's cards
# and the pale tints beside it darkened. With the light palette every earlier word of a dark chat card
# turned a near-white block with black letters, the glare polish36 took out of the change palette
# (usertest49); the text on each colour is still chosen by contrast (``text_color_on``).
ATTRIBUTION_PALETTE_DARK = [(197, 27, 125), (222, 119, 174), (112, 54, 88), (52, 55, 62),
                            (112, 80, 42), (241, 163, 64), (179, 88, 6)]
# each bucket holds the ranks after the one before ("rank 11–100", not "top 100": usertest 29 read
# "top 100 18.2%" beside "top 10 72.7%" as the share in the top 100, which was 90.9%)
RANK_BUCKETS = ((10, "rank 1–10"), (100, "rank 11–100"), (1000, "rank 101–1000"), (None, "beyond 1000"))

MEASURES = {
    "probability": "Probability of the chosen token",
    "rank": "Rank buckets (GLTR: rank 1–10 / 11–100 / 101–1000 / beyond)",
    # usertest69: "of the distribution" named nothing a student had met; the colour is the model's doubt before it
    "entropy": "Entropy: how unsure the model was before the token (bits)",
    "surprisal": "Surprisal of the chosen token (bits)",
}
# Entropy is shown in bits, like the surprisal beside it (usertest: "0.10 nats" next to "0.02 bits" mixed
# units); 12 bits (8.3 nats) is the scale's end, about the 8 nats it had, a round figure in bits.
MAX_ENTROPY_BITS = 12.0
MAX_SURPRISAL_BITS = 16.0
# the words at the low end, the middle and the high end of each gradient measure's key: the window's legend,
# a PNG's key and an HTML page's key say the same (rank's key names its buckets instead)
KEY_LABELS = {"probability": ("0%", "50%", "100%"),
              "entropy": (f"{MAX_ENTROPY_BITS:g}+ bits", f"{MAX_ENTROPY_BITS / 2:g}", "0 bits (sure)"),
              "surprisal": (f"{MAX_SURPRISAL_BITS:g}+ bits", f"{MAX_SURPRISAL_BITS / 2:g}", "0 bits")}


def rank_bucket(rank: int) -> int:
    for index, (limit, _label) in enumerate(RANK_BUCKETS):
        if limit is None or rank <= limit:
            return index
    return len(RANK_BUCKETS) - 1


def confidence(record: TokenRecord, measure: str) -> float:
    """Map a record to [0, 1], where 1 means 'the model found this easy' for every measure."""
    if measure == "probability":
        return record.prob
    if measure == "rank":
        return 1.0 - rank_bucket(record.rank) / (len(RANK_BUCKETS) - 1)
    if measure == "entropy":
        return 1.0 - min(record.entropy_bits / MAX_ENTROPY_BITS, 1.0)
    if measure == "surprisal":
        return 1.0 - min(record.surprisal_bits / MAX_SURPRISAL_BITS, 1.0)
    raise ValueError(f"unknown measure {measure!r}; choose from {', '.join(MEASURES)}")


def _interpolate(stops, t: float) -> tuple[int, int, int]:
    # written out (no generator): a long text's heatmap colours every one of its tokens
    t = (0.0 if t < 0.0 else 1.0 if t > 1.0 else t) * (len(stops) - 1)
    low = int(t)  # t >= 0: int() is floor
    high = low + 1 if low + 1 < len(stops) else low
    frac = t - low
    (r0, g0, b0), (r1, g1, b1) = stops[low], stops[high]
    return round(r0 + (r1 - r0) * frac), round(g0 + (g1 - g0) * frac), round(b0 + (b1 - b0) * frac)


def sequential_palette(dark: bool = False) -> list[tuple[int, int, int]]:
    """The heatmap's stops for a light or dark window."""
    return VIRIDIS_DARK if dark else VIRIDIS


def sequential_color(value: float, dark: bool = False) -> tuple[int, int, int]:
    return _interpolate(sequential_palette(dark), value)


def color_for(record: TokenRecord, measure: str = "probability", dark: bool = False) -> tuple[int, int, int]:
    return sequential_color(confidence(record, measure), dark)


def attribution_palette(dark: bool = False) -> list[tuple[int, int, int]]:
    """The attribution palette for a light or dark window."""
    return ATTRIBUTION_PALETTE_DARK if dark else ATTRIBUTION_PALETTE


def attribution_color(push: float, scale: float = 2.0, dark: bool = False) -> tuple[int, int, int]:
    """How much a token pushed toward the explained token -> pink (toward the alternative) ..
    neutral (white; dark grey in a dark window) .. orange (toward this token), full at +-``scale``."""
    return _interpolate(attribution_palette(dark), 0.5 + max(-1.0, min(1.0, push / scale)) / 2)


# The change palette (the compare view, the Text tab's "Fine-tune's change", its PNG key): purple
# (less likely under the adapter) .. white .. green (more likely). ColorBrewer's PRGn, colour-blind
# safe. Not red for "more likely": red read as bad or wrong, when a rise is what a liked answer
# should show (usertest, session 44). Not a dark blue: a token in its darkest blue with white
# letters read as selected text (usertest 11).
CHANGE_PALETTE = [(118, 42, 131), (153, 112, 171), (231, 212, 232), (247, 247, 247),
                  (217, 240, 211), (90, 174, 97), (27, 120, 55)]
# The dark theme's: the same ends, but a token that barely changed a dark neutral near the window's
# cards, and the pale tints beside it darkened, not near-white with black letters (glaring on a dark
# window: polish36); the text on each colour is still chosen by contrast (``text_color_on``).
CHANGE_PALETTE_DARK = [(118, 42, 131), (153, 112, 171), (92, 70, 104), (52, 55, 62),
                       (58, 96, 66), (90, 174, 97), (27, 120, 55)]
CHANGE_LESS_NAME, CHANGE_MORE_NAME = "purple", "green"  # the two ends, as the words name them


def change_palette(dark: bool = False) -> list[tuple[int, int, int]]:
    """The change palette for a light or dark window."""
    return CHANGE_PALETTE_DARK if dark else CHANGE_PALETTE


def change_color(delta: float, scale: float = 2.0, dark: bool = False) -> tuple[int, int, int]:
    """A change of log-probability -> purple (down) .. neutral (white; dark grey in a dark window)
    .. green (up), full at +-``scale``."""
    return _interpolate(change_palette(dark), 0.5 + max(-1.0, min(1.0, delta / scale)) / 2)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio, 1 .. 21 (body text wants at least 4.5)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more with the background (by WCAG luminance, so
    every background gets at least 4.58:1; a fixed brightness cut-off gave ~3:1 on mid teal)."""
    black, white = (0, 0, 0), (255, 255, 255)
    return black if contrast_ratio(black, rgb) >= contrast_ratio(white, rgb) else white


def css_colours(rgb: tuple[int, int, int]) -> tuple[str, str]:
    """(background, text colour that reads on it) as CSS hex colours, for rich text and style sheets."""
    return _hex(rgb), _hex(text_color_on(rgb))


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def visible_whitespace(text: str) -> str:
    return text.replace(" ", "␣").replace("\n", "↵\n").replace("\t", "→")
