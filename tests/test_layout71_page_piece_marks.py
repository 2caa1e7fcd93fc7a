"""layout71: the HTML page draws a piece's mark ("·", a token that is the first bytes of a character a later token
finishes) in half its width, as the window's heatmap does (gui/token_view.PIECE_SPACING): an emoji family's pieces
had drawn a row of full-width dots before its glyph. The page is written to a file and read back; no Qt."""

from __future__ import annotations

import re

from helpers import token_record

from desktop_app.core.heatmap_html import write_heatmap_html

FAMILY = "\U0001F469\u200d\U0001F469\u200d\U0001F467"
# the bundled SmolLM2 tokenizer's tokens of "A family 👩‍👩‍👧 here", as its records decode them (as test_glyph70_graphemes)
FAMILY_TOKENS = ["A", " family", " ", "", "\U0001F469", "", "\u200d", "", "", "\U0001F469", "", "\u200d", "", "",
                 "\U0001F467", " here"]


def _rule(page: str, selector: str) -> dict[str, str]:
    """The declarations of ``selector``'s rule in the page's style."""
    found = re.search(re.escape(selector) + r"\{([^}]*)\}", page)
    assert found, f"no rule for {selector}"
    return dict(part.split(":", 1) for part in found.group(1).split(";") if part)


def _ch(length: str) -> float:
    assert length.endswith("ch"), length
    return float(length[:-2])


def test_the_page_draws_each_piece_mark_in_half_its_width_centred(tmp_path):
    records = [token_record(i, text, 0.2 + 0.04 * i) for i, text in enumerate(FAMILY_TOKENS)]
    path = write_heatmap_html(tmp_path / "family.html", records, title="A family", model="tiny")
    page = path.read_text(encoding="utf-8")
    mark = _rule(page, ".t.e::before")
    assert mark["content"] == '"\\b7"'
    vertical, side = mark["margin"].split()  # "0 -.25ch": the same on the left and the right
    left = right = _ch(side)
    assert vertical == "0"
    # the mark's advance, 1ch in the page's monospace text, less both margins: half of it, the dot in its middle
    assert 1 + left + right == 0.5
    pieces = re.findall(r'<span class="t e"[^>]*>([^<]*)</span>', page)
    # the family's tokens but its last, which draws the whole cluster: each its own empty cell (a copy stays the text)
    assert len(pieces) == 11 and set(pieces) == {""}
    assert FAMILY in page
