"""A title made from a long first prompt or text is cut after a whole word: "The old lighthouse
keeper climbed the stairs ev…" (the Text tab's picker, the window's title, the conversations)."""

from __future__ import annotations

import pytest

from desktop_app.core.documents import title_for
from desktop_app.core.session import TITLE_CHARS, short_title

LIGHTHOUSE = ("The old lighthouse keeper climbed the stairs every evening to light the lamp. "
              "One night the lamp would not light.")


@pytest.mark.parametrize("text", [LIGHTHOUSE, "Why is the sky blue? Answer in two sentences, please, and briefly.",
                                  "a " * 40, "word, " * 20])
def test_a_long_title_ends_after_a_whole_word(text):
    title = short_title(text)
    line = " ".join(text.split())
    kept = title.removesuffix("\u2026")
    assert title.endswith("\u2026") and len(title) <= TITLE_CHARS
    assert line.startswith(kept) and line[len(kept)] in " ,;:", f"cut mid-word: {title!r}"


def test_the_lighthouse_text_title():
    assert title_for(LIGHTHOUSE) == "The old lighthouse keeper climbed the stairs\u2026"


def test_a_short_title_and_one_long_word_are_kept_as_they_must_be():
    assert short_title("  Hello,\n world  ") == "Hello, world"
    long_word = "x" * 80
    assert short_title(long_word) == "x" * (TITLE_CHARS - 1) + "\u2026"
