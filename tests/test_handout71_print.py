"""A printed heatmap page (usertest71: a teacher's handout showed colours with no numbers, the figures only on
hover): under ``@media print`` each token's probability is written small after it, from the span's ``data-p``;
the screen view is as it was."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

from desktop_app.core.conversation_html import conversation_html
from desktop_app.core.heatmap_html import STYLE, TOKEN_CLASS, heatmap_html
from desktop_app.core.records import Alternative, TokenRecord

WORDS = [(" capital", 0.02), (" of", 0.61), (" France", 0.09), (" is", 0.55), (" London", 0.004), (".", 0.41)]
RECORDS = [TokenRecord(i, text, math.log(p), 3, 2.0, (Alternative(i, text, p),)) for i, (text, p) in
           enumerate(WORDS)]


class SpanPercents(HTMLParser):
    def __init__(self):
        super().__init__()
        self.percents = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and TOKEN_CLASS in (attrs.get("class") or "").split():
            self.percents.append(attrs.get("data-p"))


def span_percents(page: str) -> list:
    parser = SpanPercents()
    parser.feed(page)
    return parser.percents


def print_rules() -> str:
    """The style inside ``@media print{…}`` (its braces counted)."""
    start = STYLE.index("@media print{") + len("@media print{")
    depth, at = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(STYLE[at], 0)
        at += 1
    return STYLE[start:at - 1]


def test_each_token_span_carries_its_probability_for_print():
    page = heatmap_html(RECORDS, title="The capital", model="gpt2", prefix="The")
    assert span_percents(page) == ["2.0%", "61.0%", "9.0%", "55.0%", "0.40%", "41.0%"]


def test_only_print_writes_the_figure_and_keeps_the_colours():
    printed = print_rules()
    assert re.search(r"\.t::after\{content:attr\(data-p\)", printed)
    assert "print-color-adjust:exact" in printed  # a browser drops backgrounds in print unless told
    assert "#tip{display:none}" in printed
    screen = STYLE.replace("@media print{" + printed + "}", "")
    assert "data-p" not in screen  # on screen the figures stay in the hover box


def test_a_conversation_page_prints_its_answers_figures_too():
    turns = [{"role": "user", "text": "Say it", "records": [], "author": "You", "rating": None, "better": None},
             {"role": "assistant", "text": "".join(t for t, _ in WORDS), "records": RECORDS, "author": "gpt2",
              "rating": None, "better": None}]
    assert span_percents(conversation_html("Lesson", turns)) == ["2.0%", "61.0%", "9.0%", "55.0%", "0.40%", "41.0%"]
