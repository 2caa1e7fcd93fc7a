"""The inspector's words: what its figures mean, the lines it says about a token and a picked alternative
(why it cannot branch yet, what the sampler cut, the two tokens compared), and what "Copy figures" reports.
"""

from __future__ import annotations

import math

from desktop_app.core.more_alternatives import MORE_ALTERNATIVES
from desktop_app.core.percent_words import likelier_words, percent
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import MAY
from desktop_app.core.token_words import token_label
from desktop_app.core.word_cut import one_line

# what each of the inspector's figures means, on hover over its name and its value: usertest 20, new to this,
# met "log-probability -0.015", "entropy 0.10 nats" and "surprisal 0.02 bits" with nothing to say what they were
STAT_TIPS = {
    "token id": "The token's number in the model's vocabulary, as the tokenizer and a transformers run name it.",
    "probability": "How sure the model was of this token: its share of the model's probability for the next token.",
    "log-probability": "The probability's natural logarithm: 0 is certain, more negative is less expected. "
                       "Its unit is the nat (1 bit = 0.69 nats); a text's figures add up to the whole text's.",
    "rank": "Where this token stood among every token the model could have written next: 1 is its first choice.",
    "entropy": "How spread the model's choice was, in bits, as the surprisal below: near 0, one clear choice; "
               "higher, many tokens were likely.",
    "surprisal": "How surprising the token was, in bits: 0 is fully expected; each bit more is half as likely.",
    "precision": "The model weights these figures were computed with: Exact (float32), Fast (16-bit) or "
                 "Compact (8-bit integer weights). An answer keeps the figures of the weights that wrote it; "
                 "where the model loaded now has other weights, the line says so.",
    # inspect69: "Armstrong" read 94.0% in the Text tab before a fine-tune and 91.7% after, and nothing said
    # whose figures either was
    "adapter": "Whose figures these are: the adapter (a fine-tune, named as in the adapter history) the model wore "
               "when it wrote this answer's token or read this text, or the base model (no adapter). A text is "
               "read again under an adapter put on, so its figures change with it; an answer keeps its writer's.",
}
BYTES_TIP = ("This token holds only part of a character (an emoji or an accented letter split over several "
             "tokens): these are its bytes in hex; the token that completes the character shows it.")
COPY_TIP = ("Copy this token's figures as JSON: its answer's message id and the token's number (from 1, as shown "
            "here), index (from 0: `gpt2-desk explain MESSAGE_ID --token INDEX`) and id, probability, "
            "log-probability, rank, entropy and surprisal, and its top alternatives with their ids; once "
            "\u201cWhy this token?\u201d shows, its layer grid (every layer's probability and rank of each column's "
            "token), the sampler's figures and what led here too")

BUSY_WRITING = {"this": "This answer is still being written", "another": "The model is busy writing another answer"}


def copied_words(index: int, record: TokenRecord, explanation=None) -> str:
    """What the status bar says after "Copy figures": the token as the inspector numbers it (from 1), as the
    JSON's "token_number" does, the JSON's "index", which counts from 0 as the token lists of a script do, and
    what of "Why this token?" came with them (``explanation``: the one shown)."""
    said = f"Copied the figures of token {index + 1}, \u201c{token_label(record.text)}\u201d"
    if explanation is not None and explanation.lens is not None:
        said += ", its layer grid" + (" and what led here" if explanation.attribution is not None else "")
    return f"{said}, as JSON (\"token_number\" {index + 1}; \"index\" {index} counts from 0)"


# "Show N more" under the alternatives: what it shows, what sets the list's first length (session 62), and how long
# it takes (text98: nothing said; the first list comes with the text's analysis, so its time says nothing of this read)
MORE_TIP = (f"Show this token's next alternatives, up to {MORE_ALTERNATIVES} in all, read again from the model at "
            "this token: one pass of the model over the text up to it, a second or so on a CPU for a long text "
            "(once one has run, the button says how long it took). Settings \u2192 Alternatives kept changes how "
            "many every token keeps and shows at first.")


def more_words(kept: int, seconds: float | None = None) -> str:
    """The button's words: how many more the longer list adds to the ``kept`` ones, and, once one such read has
    run, the time it took ("Show 40 more · about 1 s": a measure of this machine, not a promise)."""
    said = f"Show {MORE_ALTERNATIVES - kept} more"
    return said if seconds is None else f"{said} \u00b7 {read_time_words(seconds)}"


def read_time_words(seconds: float) -> str:
    """A short read's time as a person says it: "under a second", "about 3 s", "about 2 min"."""
    if seconds < 1:
        return "under a second"
    return f"about {round(seconds)} s" if seconds < 90 else f"about {math.ceil(seconds / 60)} min"


EXPLAINED_LABEL_CHARS = 16  # a long token ("␣␣␣␣…" of code, a long word) is cut: the bar's room is shared


def explaining_words(index: int, record: TokenRecord | None) -> str | None:
    """The status bar's words while "Why this token?" runs, naming the token as the inspector does: "Explaining
    “␣Peru” (token 16)…" ("Explaining a token…" alone had not said which, session 62); None without a token."""
    if record is None or index < 0:
        return None
    label = one_line(token_label(record.text), EXPLAINED_LABEL_CHARS)
    return f"Explaining \u201c{label}\u201d (token {index + 1:,})\u2026"


def busy_branch_words(busy: str) -> str:
    """``busy``: "this" or "another" (BUSY_WRITING): why an answer token cannot branch yet."""
    return f"{BUSY_WRITING[busy]}: continuing from an alternative is possible once it ends."


def phrase_branch_words(typed: str, tokens: int) -> str:
    """Why a probed phrase of several tokens cannot be continued with: a branch starts from one token."""
    return (f"\u201c{typed}\u201d is {tokens} tokens for this model, and a branch starts from one token: pick one "
            "in the chart above, or ask about a single word")


def busy_explain_words(busy: str) -> str:
    return f"{BUSY_WRITING[busy]}: explaining this token is possible once it ends."


def alternative_label(alt: Alternative, hex_bytes: str = "") -> str:
    """An alternative as its row and the comparison name it: its bytes ("bytes e2 80") where it holds
    part of a character, whose text alone is only "\ufffd" (one such piece looked like any other)."""
    return f"bytes {hex_bytes}" if hex_bytes else token_label(alt.text)


def sampler_verdict(why: str, in_text: bool = False) -> str:
    """A picked alternative the answer's sampler cut ("cut by min-p 0.1"), or may have ("may have been cut by ...");
    ``in_text``: a Text continuation's token, whose sampler is the continuation's (it had said "the answer's")."""
    whose = "The continuation's" if in_text else "The answer's"
    if why.startswith(MAY):
        return f"{whose} sampler may not have been able to pick it ({why})."
    return f"{whose} sampler could not have picked it ({why})."


def versus_words(alt: Alternative, record: TokenRecord, hex_bytes: str = "") -> str:
    """A picked alternative against the written token: first in plain words, both chances and the ratio of them
    (usertest71: a teacher met "log-probability ... the logits' difference" before any figure they could tell a
    class), then as an ML engineer compares two tokens: both log-probabilities and their difference (the logits'
    difference: the softmax's sum cancels) (usertest 29: two tokens could be compared only by reading two bars)."""
    alt_logprob = safe_log(alt.prob)
    difference = alt_logprob - record.logprob
    return (f"\u201c{alternative_label(alt, hex_bytes)}\u201d {percent(alt.prob)} against the written "
            f"\u201c{token_label(record.text)}\u201d {percent(record.prob)}: "
            f"{likelier_words(math.exp(difference))}. In log-probabilities: {alt_logprob:.3f} vs "
            f"{record.logprob:.3f}, {difference:+.3f} (the logits' difference; id {alt.id}).")


def safe_log(p: float) -> float:
    """The log of a chance, a zero one read as 1e-12 (no minus infinity on a bar or in a comparison)."""
    return math.log(max(p, 1e-12))


PLACEHOLDER = ("Click any coloured token to see how sure the model was, which tokens it considered instead, "
               "and to branch from there.")


def set_aside_words(token_text: str, in_text: bool, figures: bool) -> str:
    """Under the empty inspector's first line while a token's "Why this token?" waits set aside: a branch or
    another answer had emptied the panel and stopped it without a word (inspector78); it goes on on return.
    ``figures``: it had its layer grid (kept with its figures so far), else it is asked again on return."""
    where = "that token of the text" if in_text else "that answer's token (\u2039 \u203a on its card)"
    kept = " with its figures so far" if figures else ""
    return (f"Explaining \u201c{token_label(token_text)}\u201d was set aside{kept}; it goes on "
            f"when you come back to {where}.")
