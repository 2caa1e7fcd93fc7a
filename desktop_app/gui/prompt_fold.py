"""A long prompt folded on its card: its first lines, then "Show all 1,523 lines" (user test: a
70 KB paste made one card as tall as the whole transcript, a long scroll past it to every answer,
and seconds to lay it out). Qt-free: where the fold falls and what its button says; the card
(gui/message_card.MessageCard.show_prompt) shows the part and the button."""

from __future__ import annotations

FOLD_LINES = 6  # lines a folded prompt shows: a screenful of the chat keeps room for its answer
FOLD_CHARS = 400  # characters a folded prompt shows at most (a paste with no line breaks wraps into many)
WORTH_FOLDING = 1.5  # a prompt at most this much longer than the folded part is shown whole: no button for 3 lines
ELLIPSIS = "\u2026"


def line_count(text: str) -> int:
    return text.count("\n") + 1


def fold_at(text: str) -> int | None:
    """How many of ``text``'s characters a folded card shows, or None to show it whole: its first
    FOLD_LINES lines, at most FOLD_CHARS characters, cut after a whole word where one ends in the
    second half of the part."""
    if line_count(text) <= FOLD_LINES * WORTH_FOLDING and len(text) <= FOLD_CHARS * WORTH_FOLDING:
        return None
    cut = min(_after_lines(text, FOLD_LINES), FOLD_CHARS)
    if cut < len(text) and not text[cut].isspace():
        space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
        if space > cut // 2:
            cut = space
    return cut


def _after_lines(text: str, lines: int) -> int:
    """The position of the ``lines``-th line break (the end of the text when it has fewer)."""
    at = -1
    for _ in range(lines):
        at = text.find("\n", at + 1)
        if at < 0:
            return len(text)
    return at


def records_within(prefix_len: int, lengths, cut: int) -> int:
    """How many tokens (of the character ``lengths``, after a prefix of ``prefix_len`` characters)
    end at or before character ``cut``: the ones a folded card shows."""
    end, count = prefix_len, 0
    for length in lengths:
        end += length
        if end > cut:
            break
        count += 1
    return count


def show_all_words(text: str) -> str:
    """The folded card's button: the lines it hides count, or for one long line its characters."""
    lines = line_count(text)
    if lines > FOLD_LINES:
        return f"Show all {lines:,} lines"
    return f"Show all {len(text):,} characters"


SHOW_LESS_WORDS = "Show less"
FOLDED_TIP = "A long prompt: its first lines are shown; the model reads all of it"
