"""The heatmap as an HTML page (core/heatmap_html.py): well-formed, escaped, coloured as the window colours,
every token's figures and alternatives in it."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import pytest

from desktop_app.core.heatmap_html import TOKEN_CLASS, heatmap_html, token_figures, write_heatmap_html
from desktop_app.core.palette import MEASURES, color_for, css_colours
from desktop_app.core.records import Alternative, TokenRecord

VOID = {"meta", "br", "link", "img", "input", "hr"}


def record(token_id: int, text: str, prob: float, rank: int = 1, entropy: float = 1.0, top=()) -> TokenRecord:
    return TokenRecord(token_id, text, math.log(prob), rank, entropy, tuple(top))


RECORDS = [
    record(1, " Hello", 0.62, 1, 1.2, [Alternative(1, " Hello", 0.62), Alternative(7, " Hi", 0.21)]),
    record(2, " <script>alert(1)</script>", 0.001, 4_321, 6.5,
           [Alternative(9, " world", 0.4), Alternative(10, " & co", 0.3)]),
    record(3, "\n", 0.2, 12, 3.0, [Alternative(4, ".", 0.5), Alternative(3, "\n", 0.2)]),
    record(4, "  two  spaces", 0.05, 150, 9.0, [Alternative(5, " one", 0.5)]),
]


class PageParser(HTMLParser):
    """Tags opened and closed in order (a misnested or unclosed one is a fault), the token spans' styles and
    texts, and the scripts' contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.faults, self.spans, self.scripts = [], [], [], {}
        self.in_span, self.script_id = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        self.open.append(tag)
        if tag == "span" and TOKEN_CLASS in (attrs.get("class") or "").split():
            self.in_span = {"style": attrs.get("style"), "text": "", "tabindex": attrs.get("tabindex")}
            self.spans.append(self.in_span)
        if tag == "script":
            self.script_id = attrs.get("id", "inline")
            self.scripts[self.script_id] = ""

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.faults.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()
        if tag == "span":
            self.in_span = None
        if tag == "script":
            self.script_id = None

    def handle_data(self, data):
        if self.in_span is not None:
            self.in_span["text"] += data
        if self.script_id is not None:
            self.scripts[self.script_id] += data


def parsed(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def page(measure: str = "probability", **names) -> str:
    return heatmap_html(RECORDS, measure, **({"title": "My <essay>", "model": "gpt2", "adapter": "adapter 3"} | names))


def test_the_page_is_well_formed_with_one_focusable_span_per_record():
    tree = parsed(page())
    assert tree.faults == [] and tree.open == []
    assert len(tree.spans) == len(RECORDS)
    # keyboard focus shows the box too: the text is one Tab stop, its first token, the arrow keys reach the rest
    assert [span["tabindex"] for span in tree.spans] == ["0"] + ["-1"] * (len(RECORDS) - 1)
    assert page().startswith("<!DOCTYPE html>")


def test_token_text_is_escaped_and_kept_exactly():
    text = page()
    tree = parsed(text)
    assert [span["text"] for span in tree.spans] == [r.text for r in RECORDS]  # spaces and the newline kept
    assert "<script>alert" not in text  # the token shows as text, never runs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<title>My &lt;essay&gt;</title>" in text
    assert set(tree.scripts) == {"figures", "inline"}  # no script but the page's own two
    assert "white-space:pre-wrap" in text


@pytest.mark.parametrize("measure", list(MEASURES))
def test_each_token_has_the_windows_light_and_dark_colours(measure):
    tree = parsed(page(measure))
    for span, rec in zip(tree.spans, RECORDS):
        light, light_text = css_colours(color_for(rec, measure))
        dark, dark_text = css_colours(color_for(rec, measure, dark=True))
        assert span["style"] == f"--b:{light};--c:{light_text};--B:{dark};--C:{dark_text}"
    assert "prefers-color-scheme:dark" in page(measure)
    assert MEASURES[measure] in page(measure)  # the key names the measure


def test_the_figures_carry_every_alternative_with_its_percent():
    tree = parsed(page())
    figures = json.loads(tree.scripts["figures"])
    assert len(figures) == len(RECORDS)
    assert figures[0][:4] == ["\u2423Hello", "62.0%", f"{math.log(0.62):.3f}", 1]
    assert figures[1][6] == [["\u2423world", "40.0%", 0, 0], ["\u2423&\u2423co", "30.0%", 0, 0]]
    assert figures[1][3] == 4_321 and figures[1][4] == f"{RECORDS[1].entropy_bits:.2f}"
    assert [row[3] for row in figures[2][6]] == [0, 1]  # the written token marked among its alternatives
    assert figures[2][7] == "\u21b5 = a new line"
    assert token_figures(RECORDS[3])[6][0][:2] == ["\u2423one", "50.0%"]


def test_script_text_in_figures_cannot_end_the_script():
    text = page()
    figures_block = text.split('id="figures">', 1)[1].split("</script>", 1)[0]
    assert "<" not in figures_block and ">" not in figures_block
    assert json.loads(figures_block)[1][0] == "\u2423<script>alert(1)</script>"  # the label, whole, once parsed


def test_the_page_says_who_scored_it_and_needs_no_network():
    text = page()
    assert "4 tokens scored by gpt2 with adapter 3" in text
    assert "the base model (no adapter)" in page(adapter=None)
    assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", text)


def test_the_text_before_the_first_record_is_shown_uncoloured():
    text = page(prefix="Once")
    assert '<div class="text">Once<span class="t"' in text


def test_an_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="unknown measure"):
        page("loudness")


def test_a_thousand_tokens_make_well_under_a_megabyte(tmp_path):
    alternatives = [Alternative(100 + k, f" word{k}", 0.1 / (k + 1)) for k in range(10)]
    records = [record(i, f" token{i % 97}", 0.01 + (i % 90) / 100, 1 + i % 2000, 2.5, alternatives) for i in range(1000)]
    path = write_heatmap_html(tmp_path / "long.html", records, "probability", title="long", model="gpt2")
    size = path.stat().st_size
    assert size < 400_000, size
    assert len(parsed(path.read_text(encoding="utf-8")).spans) == 1000


def test_a_model_folder_is_named_without_its_path():
    text = page(model="folder:/home/ann/models/my-gpt2", adapter=None)
    assert "scored by my-gpt2, the base model" in text and "/home/ann" not in text
