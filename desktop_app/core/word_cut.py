"""Cutting a text short for a title or a line of a card: one line, at most so many characters, cut
after a whole word with "…" ("… the stairs ev…" and "the world of art was no" read as typos: user tests
10 and geom42). The one rule behind a conversation's and a text's title (``session.short_title``) and
the fine-tune card's answers (``gui.finetune_words.clip_at_word``); no Qt."""

from __future__ import annotations

ELLIPSIS = "\u2026"
# dropped before the ellipsis: "Hello,…" reads as a cut list, "reading (…" as a cut bracket (polish36)
TRAILING = " ,;:("


def one_line(text: str | None, limit: int) -> str:
    """``text`` with its runs of white space made one space, cut at ``limit`` characters ("…" the last) where
    it is longer: the command line's rows and the model card's list, where a column's width, not a word, sets
    the cut."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit - 1] + ELLIPSIS


def clip_at_word(text: str | None, limit: int, *, least: int = 0, keep_word_at_limit: bool = True) -> str:
    """``text`` with its runs of white space made one space; if longer than ``limit``, its words up to
    the last that ends before the ``limit``-th character, then "…" (``limit`` in all).

    ``least``: the kept words must be longer than this, else the text is cut mid-word at ``limit`` - 1
    characters (0: any whole word; a single overlong word is always cut where it must be).
    ``keep_word_at_limit``: a word that ends exactly where the ellipsis goes is kept (titles); the
    fine-tune card has always dropped it for the word before (False), which its clip keeps."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    space = line.rfind(" ", 0, limit if keep_word_at_limit else limit - 1)
    kept = line[:space] if space > least else line[:limit - 1]
    return kept.rstrip(TRAILING) + ELLIPSIS


def tail_at_word(text: str, limit: int) -> str:
    """The end of ``text``, at most ``limit`` characters, from a whole word, with "…" before it where the
    text was longer: a Text continuation's question on the fine-tune card had read "“s every evening to light
    the lamp…" (the end of "stairs": usertest34). A tail without a space is cut where it must be."""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    if not text[-limit - 1].isspace():
        space = next((i for i, c in enumerate(tail) if c.isspace()), -1)
        tail = tail[space + 1:] if space >= 0 else tail
    return ELLIPSIS + tail.lstrip()
