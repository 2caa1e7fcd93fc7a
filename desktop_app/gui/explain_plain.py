""""Why this token?" in a writer's words, first in the Text tab's section: how likely the model thought the word,
then which earlier words pointed to it. The figures behind it (log-probability, layers, passes) follow below it
(textfold77: a novelist read the section as a page of statistics)."""

from __future__ import annotations

from desktop_app.core.sampler_words import model_percent

POINTERS_SHOWN = 3  # a writer reads three words at a glance; the ranking below has the rest
WORKING = "Which earlier words pointed to it is being worked out below."
# usertest69: after Cancel the line still said WORKING, between "Cancelled: the attribution was not finished" and
# "Which earlier words led here: not worked out"
STOPPED = "Which earlier words pointed to it was not worked out: the run was stopped before the end."


def plain_word(text: str) -> str:
    """A token as a writer names it: the word without its spaces, or what an invisible one is."""
    word = text.strip()
    if word:
        return f"\u201c{word}\u201d"
    return "a line break" if "\n" in text else "a space"


def likelihood_words(word: str, chance: float, figure: str) -> str:
    """How likely the model thought ``word`` here (``chance``, shown as ``figure``), in words before the figure."""
    if chance >= 0.5:
        return f"The model expected {word} here ({figure})."
    if chance >= 0.2:
        return f"The model thought {word} likely here ({figure})."
    if chance >= 0.05:
        return f"The model thought {word} one of several possible words here ({figure})."
    return f"{word[0].upper()}{word[1:]} surprised the model here ({figure}): it expected other words."


def pointer_indices(a) -> list[int]:
    """The text's tokens that pushed most toward the token rather than its runner-up, largest first: words the
    person can see and that hold more than spaces."""
    shown = a.top(POINTERS_SHOWN * 4, shown_only=True)
    return [i for i in shown if a.scores[i] > 0 and a.token_texts[i].strip()][:POINTERS_SHOWN]


def pointers_words(a) -> str:
    """Which earlier words pointed to the token, rather than to the model's likeliest other choice."""
    words = [plain_word(a.token_texts[i]) for i in pointer_indices(a)]
    other = plain_word(a.other_text)
    if not words:
        return f"No earlier word stood out as pointing to it rather than {other}."
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    rough = "" if a.complete else " (roughly: the figures below say how far to trust it)"
    return f"What came before that pointed to it most, rather than {other}: {listed}{rough}."


def plain_why(result, stopped: bool = False) -> str:
    """The section's first line for an explanation (``core.explain.Explanation``, its attribution maybe still
    being worked out, or ``stopped`` before it was): the model's own chance, as the inspector shows it, then what
    pointed to the token."""
    chance = result.context.recorded_prob if result.rounded_apart else result.sampler.raw_prob
    first = likelihood_words(plain_word(result.token_text), chance, model_percent(result))
    a = result.attribution
    if a is None:
        return f"{first} {STOPPED if stopped else WORKING}"
    return f"{first} {pointers_words(a)}"
