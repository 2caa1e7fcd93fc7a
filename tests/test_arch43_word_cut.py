"""One rule cuts a title and a line of the fine-tune card short (core/word_cut.py): both keep whole
words and end with one "…", and each gives what it gave before the rule was shared (the two rules
written out here as they were, so a change to the shared one shows here)."""

from __future__ import annotations

import random

import pytest

from desktop_app.core.session import TITLE_CHARS, short_title
from desktop_app.core.word_cut import ELLIPSIS
from desktop_app.gui.finetune_words import clip_at_word

LIGHTHOUSE = ("The old lighthouse keeper climbed the stairs every evening to light the lamp. "
              "One night the lamp would not light.")
TEXTS = [LIGHTHOUSE, "Why is the sky blue? Answer in two sentences, please, and briefly.", "a " * 40,
         "word, " * 20, "  Hello,\n world  ", "x" * 80, "short", "", "a " + "y" * 70,
         "In the world of art there was no one who painted the sea as she did, every morning, every year."]


def _title_before(text: str) -> str:  # session.short_title before the shared rule
    line = " ".join(text.split())
    if len(line) <= TITLE_CHARS:
        return line
    cut = line[:TITLE_CHARS - 1]
    if line[TITLE_CHARS - 1] != " " and " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "\u2026"


def _clip_before(text: str | None, limit: int) -> str:  # finetune_words.clip_at_word before it
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "\u2026"


def _random_texts(count: int = 400) -> list[str]:
    rng = random.Random(43)
    words = ["a", "of", "the", "sea,", "lamp;", "keeper:", "lighthouse", "evening", "x" * 30, "stairs."]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) + rng.choice(["", " ", "\n"])
            for _ in range(count)]


@pytest.mark.parametrize("text", [t for t in TEXTS if len(" ".join(t.split())) > TITLE_CHARS and " " in t.strip()
                                  and len(max(t.split(), key=len)) < TITLE_CHARS // 2])
def test_a_title_and_a_card_line_both_end_after_a_whole_word_with_one_ellipsis(text):
    line = " ".join(text.split())
    for cut in (short_title(text), clip_at_word(text, TITLE_CHARS)):
        kept = cut.removesuffix(ELLIPSIS)
        assert cut.endswith(ELLIPSIS) and not kept.endswith(ELLIPSIS) and len(cut) <= TITLE_CHARS
        assert line.startswith(kept) and line[len(kept)] in " ,;:", f"cut mid-word: {cut!r}"
        assert kept == kept.rstrip(" ,;:"), "no space or comma before the ellipsis"


def test_a_short_text_is_one_line_and_uncut_by_both():
    assert short_title("  Hello,\n world  ") == clip_at_word("  Hello,\n world  ", TITLE_CHARS) == "Hello, world"
    assert clip_at_word(None, 10) == ""


def test_each_cut_gives_what_it_gave_before_the_rule_was_shared():
    texts = TEXTS + _random_texts()
    assert [short_title(t) for t in texts] == [_title_before(t) for t in texts]
    for limit in (12, 24, TITLE_CHARS, 90, 160):
        assert [clip_at_word(t, limit) for t in texts] == [_clip_before(t, limit) for t in texts]


def test_where_the_two_cuts_differ():
    # a word ending just where the ellipsis goes: the title's rule keeps it, the card's line has always dropped it
    from desktop_app.core.word_cut import clip_at_word as titles_rule

    text = "abcdef ghi jkl"
    assert titles_rule(text, 11) == "abcdef ghi\u2026" and clip_at_word(text, 11) == "abcdef\u2026"
    # a long word past the middle: a title goes back to the word before, the card's line cuts it
    long_tail = "a " + "y" * 70
    assert short_title(long_tail) == "a\u2026"
    assert clip_at_word(long_tail, TITLE_CHARS) == "a " + "y" * (TITLE_CHARS - 3) + ELLIPSIS
