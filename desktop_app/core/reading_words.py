"""The answer card's line while the model reads a long prompt, before its first token: how far it has read,
the time left at the pace so far, and that a fine-tune training beside it slows it. Qt-free: the window's
card shows it (gui/chat_card_stream.py) and tests read it without widgets."""

from __future__ import annotations

from desktop_app.core.progress_words import eta_words

# after the reading line while a fine-tune trains beside the answer (reading_line): gui/elided_labels.py keeps it
# in view as it keeps the words that say an answer is not whole, the author's name giving way first (waiting83:
# at 1280 px the header had let it go)
BESIDE_FINETUNE = "slower while fine-tuning"


def reading_left(tokens_read: int, seconds: float, tokens_left: int) -> float | None:
    """The seconds left to read a prompt at the pace of the parts read so far (None before one)."""
    return seconds / tokens_read * tokens_left if tokens_read > 0 and seconds > 0 else None


# said after the reading line while a fine-tune trains beside the answer (BESIDE_FINETUNE):
# "reading 162 tokens…" alone read as the model being slow, not as the run's turn on the processor (waiting83)
BESIDE_FINETUNE_TIP = ("A fine-tune is training at the same time and takes most of the processor: the answer "
                       "waits for its share, so it starts and runs slower than usual until the fine-tune ends.")


def reading_line(read: int, total: int, left_s: float | None, beside_finetune: bool = False) -> str:
    """The answer card's line while its prompt is read. Short: the header shares its line with the
    author and five buttons (1088 px: ~220 px); the time left is said from 10 s on, after
    " · ", so a narrow header keeps how far and lets it go. ``beside_finetune``: a fine-tune runs too."""
    line = f"reading {total:,} tokens\u2026" if not read else f"reading: {read:,} of {total:,} tokens"
    if read and (left_s is None or left_s < 10):
        line += "\u2026"
    beside = f" \u00b7 {BESIDE_FINETUNE}" if beside_finetune else ""  # before the time left, which goes first
    return line + beside + (f" \u00b7 {eta_words(left_s)}" if read and left_s is not None and left_s >= 10 else "")

