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


def hidden_note(a) -> str | None:
    """What the ranking says about hidden text, or None when none took weight."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    return (f"{share * 100:.0f}% of the weight is on text the chat does not show: {hidden_kinds(a)} "
            "(the role markers, line breaks and default instructions the model reads around your messages). "
            "Those tokens are marked \u201chidden\u201d below.")


def overlay_note(a) -> str | None:
    """Under "Show it over the conversation": what the colours over the chat leave out."""
    share = a.hidden_share()
    if share < HIDDEN_NOTE_MIN:
        return None
    return (f"Only the text the chat shows is coloured: {share * 100:.0f}% of the weight went to {hidden_kinds(a)}, "
            "which has no place on screen.")


def ranking_caption(shown_only: bool, hidden_left_out: int) -> str:
    """The tick box's words and what it did."""
    if shown_only and hidden_left_out:
        return f"Only what the chat shows ({hidden_left_out} hidden token{'s' if hidden_left_out != 1 else ''} " \
               "in the top ones left out)"
    return "Only what the chat shows"


def exact_switch_words(fast_label: str) -> str:
    """Before the model reloads at Exact: what changes for the whole app, and the way back."""
    return (f"Loading the model with Exact weights (float32) instead of {fast_label}: this token is explained again "
            "once it is in. From now on the chat answers with Exact weights too (slower on this computer); "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d below, or Model\u2026 \u203a Precision, switches back.")


def exact_now_words(fast_label: str) -> str:
    """Once explained at Exact: the app runs on Exact now, and how to go back."""
    return (f"The chat now runs on Exact weights (float32), switched for this explanation. "
            f"\u201cBack to {fast_label.split(' ')[0]}\u201d reloads the model with {fast_label} weights.")
