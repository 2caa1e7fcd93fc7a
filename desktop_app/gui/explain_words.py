"""The words of "Why this token?" that carry logic: where each ranked token came from (the
conversation, or text the chat does not show: the chat template, the settings' system text),
how much of the weight went to that hidden text, and what switching to Exact weights changes.
Free of Qt (an import-linter contract holds it), so tests read them without widgets."""

from __future__ import annotations

from desktop_app.core.prompt_sources import CONVERSATION, SYSTEM, TEMPLATE

TEMPLATE_WORDS = "chat template, hidden"
SYSTEM_WORDS = "system text (Settings), not shown in the chat"
HIDDEN_NOTE_MIN = 0.01  # below 1% of the weight on hidden text, nothing is said about it


def where_words(a, i: int, in_text: bool = False) -> str:
    """Where token ``i`` of attribution ``a`` stands, for the ranking's grey label."""
    source = a.source(i)
    if source == "answer":
        return f"answer {i - a.prompt_len + 1}"
    if in_text:
        return "text before"
    return {TEMPLATE: TEMPLATE_WORDS, SYSTEM: SYSTEM_WORDS, CONVERSATION: "conversation"}.get(source, "prompt")


def hidden_kinds(a) -> str:
    """"the chat template", "the system text" or both, for the hidden tokens of ``a``."""
    kinds = {a.source(i) for i in range(a.prompt_len) if a.hidden(i)}
    names = [name for kind, name in ((TEMPLATE, "the chat template"), (SYSTEM, "your system text"))
             if kind in kinds]
    return " and ".join(names) or "hidden text"


def hidden_note(a, left_out: int | None = None) -> str | None:
    """What the ranking says about hidden text, or None when none took weight; ``left_out``:
    the ranking shows only what the chat shows, and left out this many of its top tokens."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    note = (f"{share * 100:.0f}% of the weight is on text the chat does not show: {hidden_kinds(a)} "
            "(the role markers, line breaks and default instructions the model reads around your messages). ")
    if left_out is None:
        return note + "Those tokens are marked \u201chidden\u201d below."
    return note + (f"Left out of the ranking below: {left_out} hidden token{'s' if left_out != 1 else ''} "
                   "of the top ones." if left_out else "None of them was among the top ones.")


def overlay_note(a) -> str | None:
    """Under "Show it over the conversation": what the colours over the chat leave out."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    return (f"Only the text the chat shows is coloured: {share * 100:.0f}% of the weight went to {hidden_kinds(a)}, "
            "which has no place on screen.")


SHOWN_ONLY_WORDS = "Only what the chat shows"  # the tick box (short: a tick box's words do not wrap)


def exact_switch_words(fast_label: str) -> str:
    """Before the model reloads at Exact: what changes for the whole app, and the way back."""
    return (f"Loading the model with Exact weights (float32) instead of {fast_label}: this token is explained again "
            "once it is in. From now on the chat answers with Exact weights too (slower on this computer); "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d below, or Model\u2026 \u203a Precision, switches back.")


def exact_now_words(fast_label: str) -> str:
    """Once explained at Exact: the app runs on Exact now, and how to go back."""
    return (f"The chat now runs on Exact weights (float32), switched for this explanation. "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d reloads the model with {fast_label} weights.")


def reading_words(switched_from: str | None) -> str:
    """While the layers are read; ``switched_from``: the weights the app ran on before it
    switched to Exact for an explanation (the chat runs on Exact meanwhile)."""
    if switched_from is None:
        return "Reading the layers\u2026"
    return (f"Reading the layers with Exact weights (the chat runs on them too now; the way back to "
            f"{switched_from.split(' ')[0]} comes with the result)\u2026")
