"""A scored text's figures in words a writer reads first (usertest70: a novelist read "mean surprisal 5.10 bits ·
perplexity 34.3" and "rank 1–10 64.5%" as figures with no meaning): how its perplexity stands to ordinary prose,
and its share of tokens among the model's top 10 guesses as "about 2 in 3". The figures follow the words."""

from __future__ import annotations

import math

# the reference band: ordinary English prose (news, stories, encyclopedia text) reads at a perplexity of about 20
# to 60 to a GPT-2-sized model (GPT-2 small scored 30 to 40 on WikiText and LAMBADA in its paper)
PROSE_PERPLEXITY = (20.0, 60.0)
PROSE_BAND_WORDS = (f"Ordinary prose reads at a perplexity of about {PROSE_PERPLEXITY[0]:.0f} to "
                    f"{PROSE_PERPLEXITY[1]:.0f} to a model of GPT-2's size: lower is more predictable, higher more "
                    "surprising.")
# the fractions a share is said as, nearest first found: "about 2 in 3"
FRACTIONS = ((1, 10), (1, 5), (1, 4), (1, 3), (2, 5), (1, 2), (3, 5), (2, 3), (3, 4), (4, 5), (9, 10))


def predictability_words(perplexity: float) -> str:
    """"about as predictable as ordinary prose", or less or more so than it (``PROSE_PERPLEXITY``)."""
    low, high = PROSE_PERPLEXITY
    if not math.isfinite(perplexity) or perplexity > high:
        return "more surprising than ordinary prose"
    if perplexity < low:
        return "more predictable than ordinary prose"
    return "about as predictable as ordinary prose"


def surprise_sentence(summary, keep_together=lambda words: words) -> str:
    """"About as predictable as ordinary prose to the model: mean surprisal 5.12 bits · perplexity 34.8": the one
    source of these words for the Text tab's summary and the HTML page's (``keep_together``: how a front end keeps
    the figures on one line, e.g. with no-break spaces). ``summary``: a core.documents.TextSummary."""
    verdict = predictability_words(summary.perplexity)
    perplexity = f"{summary.perplexity:,.1f}" if math.isfinite(summary.perplexity) else "\u221e"
    figures = keep_together(f"mean surprisal {summary.mean_surprisal_bits:.2f} bits \u00b7 perplexity {perplexity}")
    return f"{verdict[:1].upper()}{verdict[1:]} to the model: {figures}"


def share_words(share: float) -> str:
    """A share of tokens as a writer says it: "about 2 in 3", "almost all", "hardly any"."""
    if share >= 0.95:
        return "almost all"
    if share < 0.05:
        return "hardly any"
    top, bottom = min(FRACTIONS, key=lambda f: abs(f[0] / f[1] - share))
    return f"about {top} in {bottom}"


def top_guess_words(share: float) -> str:
    """"about 2 in 3 tokens in the model's top 10", from the share ranked 1–10."""
    return f"{share_words(share)} tokens in the model's top 10"
