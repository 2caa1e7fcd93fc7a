"""Where a continuation may end past its length: at a sentence's end. A writer reads a continuation cut at Max new
tokens mid-sentence as broken; run on a short, bounded way (``run_on_tokens``) it ends where a sentence does:
after ". ! ?" (a closing quote or bracket after them kept) or at a line break. Used by Generation's run-on, which
the Text tab's and the CLI's continuations ask for (core.documents.continuation); chat answers do not."""

from __future__ import annotations

RUN_ON_MOST = 32  # tokens a continuation may run on past its length, at most
RUN_ON_SHARE = 4  # and at most a quarter of the length: a limit of 40 runs on 10 more at most
RUN_ON_FROM = 32  # a shorter limit asks for a few words, not a passage: it is kept as it is
SENTENCE_MARKS = ".!?"
CLOSERS = "\"')]}\u201d\u2019\u00bb"  # a closing quote or bracket after a sentence's mark belongs to it


def run_on_tokens(max_new_tokens: int) -> int:
    """How many tokens past ``max_new_tokens`` a continuation may run on to end its sentence."""
    if max_new_tokens < RUN_ON_FROM:
        return 0
    return min(RUN_ON_MOST, max_new_tokens // RUN_ON_SHARE)


def sentence_end(text: str) -> str | None:
    """How ``text`` ends: "whole" after a sentence's mark and its closing quotes, or at a line break; "mark" after a
    bare mark, where a closing quote may still follow; None inside a sentence."""
    if text.endswith("\n"):
        return "whole"
    bare = text.rstrip(CLOSERS)
    if not bare or bare[-1] not in SENTENCE_MARKS:
        return None
    return "whole" if len(bare) < len(text) else "mark"


def only_closers(text: str) -> bool:
    """A token of nothing but closing quotes or brackets (the end of a sentence whose mark came before it)."""
    return bool(text) and not text.strip(CLOSERS)


def run_on_words(max_new_tokens: int) -> str:
    """What the run-on past ``max_new_tokens`` may add, for a tooltip ("" where the limit is kept as it is)."""
    extra = run_on_tokens(max_new_tokens)
    return f"up to {extra:,} tokens more to the sentence's end" if extra else ""
