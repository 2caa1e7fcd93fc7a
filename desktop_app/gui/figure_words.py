"""What the window's figures mean, in plain words: the Text tab's two histograms (their tooltips, the bar
under the pointer) and the glossary under the F1 list. Free of Qt (an import-linter contract holds it), so
tests read them without widgets.

A new user (usertest34) met "probability" and "entropy (bits)" over two bar charts with nothing to say what
a bar counts, and F1 listed keys only: the inspector's tooltips said what "rank", "entropy" and
"surprisal" are, but a person looking for the words in the help found none."""

from __future__ import annotations

from desktop_app.core.count_words import counted
from desktop_app.core.palette import MAX_ENTROPY_BITS

HISTOGRAM_TIPS = {
    "probability": "How many tokens the model gave each probability, in ten bars from 0% (left) to 100% (right). "
                   "Tall bars on the right: the model expected most of the text; on the left: it did not.",
    "entropy": "How many tokens the model met unsure, and how unsure: its entropy before each token, in bits, "
               f"in ten bars from 0 (one clear choice) to {MAX_ENTROPY_BITS:g}+ (thousands of tokens about as "
               "likely). One bit more is twice as many equally likely choices.",
}


def bin_words(kind: str, index: int, bins: int, count: int) -> str:
    """The bar ``index`` of ``bins`` of histogram ``kind`` ("probability" or "entropy") in words: its range
    and how many tokens it holds ("probability 90–100%: 12 tokens", in per cent as every other view says a
    probability; the CSV and JSON keep 0–1: machine formats); the entropy's last bar holds every
    higher value too ("entropy 10.8+ bits")."""
    top = 1.0 if kind == "probability" else MAX_ENTROPY_BITS
    low, high = top * index / bins, top * (index + 1) / bins
    if kind == "probability":
        where = f"probability {low * 100:.0f}\u2013{high * 100:.0f}%"
    elif index == bins - 1:
        where = f"entropy {low:.1f}+ bits"
    else:
        where = f"entropy {low:.1f}\u2013{high:.1f} bits"
    return f"{where}: {counted(count, 'token')}"


# what "1 kept aside to test the result" means, under F1 and on the running fine-tune's line (usertest47: a person
# who had written one better answer could not tell whether the run would learn it)
# (two lines in a tooltip, one of 1,300 px otherwise; the glossary's HTML reads the line break as a space)
KEPT_ASIDE_WORDS = ("Ratings a fine-tune does not train on, drawn at random: it checks the result on them, as a test "
                    "question not practised in class.\nA new adapter is kept only if it helps there and ordinary "
                    "text reads as fluently as before.")

# (the figure, what it means): the glossary under F1's keys; the same words as the tooltips where they are shown
GLOSSARY = (
    # usertest47: a teacher new to language models met "token", "adapter", "base model", "held-out" and "loss" on
    # every card and in the Fine-tune tab, pressed F1, and found figures only
    ("token", "The piece of text the model writes at a time: a word, part of a word or a sign (\u2423 marks a "
              "space at its start). Each answer is coloured token by token."),
    ("probability", "How sure the model was of a token: its share of the model's probability for the next "
                    "token. The colours' default measure."),
    # usertest69: Compare and the Text tab say "+0.9 nats", a unit named nowhere a student could look it up
    ("log-probability", "The probability's natural logarithm: 0 is certain, more negative is less expected. Its "
                        "unit is the nat (1 bit = 0.69 nats); a text's figures add up to the whole text's."),
    ("rank", "Where the token stood among every token the model could have written next: 1 is its first choice. "
             "GLTR's colours and the Text tab's bar group the ranks 1\u201310, 11\u2013100, 101\u20131000 and "
             "beyond."),
    ("entropy", "How unsure the model was before the token, in bits: near 0, one clear choice; each bit more, "
                "twice as many equally likely choices."),
    ("surprisal", "How surprising the token was, in bits (minus the log of its probability, base 2): 0 is fully "
                  "expected, 1 bit a coin toss, 10 bits about one chance in a thousand."),
    ("perplexity", "A whole text's surprise: the number of equally likely tokens the model was choosing between "
                   "on average (2 to the power of the mean surprisal). Lower: the text is more predictable."),
    ("first guess right", "In the Text tab's summary: how sure the model was of its likeliest next token against "
                          "how often that was the text's token, in five bars from 0% to 100% sure over the line a "
                          "model as right as it is sure would follow. Bars under it: over-confident on this text."),
    ("how likely (mean p)", "In the Text tab's branches: the mean probability of the tokens the model wrote in a "
               "continuation (how sure it was of its own words, not a measure of quality)."),
    ("Sure of something else", "Surprisal minus entropy: high where the model was confident of another token "
                               "(the Surprises list's second order)."),
    ("what led here (+/\u2212)", "In \u201cWhy this token?\u201d: how much an earlier word pushed the model "
                                 "toward the token (+) or toward its likeliest other choice (\u2212), in "
                                 "log-probability: +0.69 doubles the odds."),
    # usertest45: the grid's rows, its \u25b6 and its last row were said only in the caption over a grid
    ("layer by layer (logit lens)", "In \u201cWhy this token?\u201d: what each layer already predicted, its state "
                                    "read through the model's final norm and output layer. A row a layer (emb: the "
                                    "embeddings, before any), a column a token (the chosen one first); the last row "
                                    "is the model's own prediction. \u25b6 marks the first layer where the chosen "
                                    "token is the top guess. Hover a cell for its probability and rank; Copy figures "
                                    "takes every cell as JSON."),
    ("as sampled", "In \u201cWhy this token?\u201d: the token's chance after the answer's sampling settings "
                   "(repetition penalty, temperature, top-k, min-p, top-p, in that order) reshaped the model's "
                   "probabilities: the chance it was drawn with."),
    ("base model", "The model as it came, before any fine-tune of yours: \u201cbase model\u201d on an answer "
                   "means no adapter wrote it."),
    ("fine-tune, adapter", "A fine-tune trains a small add-on to the base model, the adapter, on your ratings; "
                           "the base model itself is not changed. The adapter history (Fine-tune tab) lists "
                           "them: use one, or go back to the base model, with one click."),
    ("kept aside (held-out)", KEPT_ASIDE_WORDS),
    ("loss", "During a fine-tune: how far the model still is from your ratings; the curve falls as it learns "
             "them."),
)
GLOSSARY_TITLE = "What the words and figures mean"
