"""The compare view's "Rose most / Fell most" chips show any token's text, a per cent sign
included (the chip's colours were put in with "%" formatting over the whole line, so a token
such as "50%" stopped the words with an error), in the colours the heatmap gives its change."""

from __future__ import annotations

from desktop_app.core.palette import change_color, css_colours, text_color_on
from desktop_app.core.records import TokenRecord
from desktop_app.gui.compare_words import movers_words

TEXTS = [" 50%", " of", " 100% d", " s"]


def _records(logprobs):
    return [TokenRecord(id=i, text=t, logprob=lp, rank=1, entropy=0.5) for i, (t, lp) in enumerate(zip(TEXTS, logprobs))]


def test_a_chip_shows_a_token_with_a_per_cent_sign_as_it_is():
    values = [1.5, 0.0, -2.0, 0.3]
    words = movers_words(_records([-2.0] * 4), _records([-0.5, -2.0, -4.0, -1.7]), values, 2.0,
                         lambda i: TEXTS[i].strip(), str)
    assert "&nbsp;50%&nbsp;</span>&nbsp;13.5%" in words and "&nbsp;100%&nbsp;d&nbsp;</span>&nbsp;13.5%" in words
    bg, fg = css_colours(change_color(1.5, 2.0))
    assert f"background:{bg}; color:{fg};" in words


def test_css_colours_are_the_background_and_the_text_colour_that_reads_on_it():
    rgb = (18, 52, 86)
    assert css_colours(rgb) == ("#123456", "#%02x%02x%02x" % text_color_on(rgb)) == ("#123456", "#ffffff")
