"""usertest15: the notice of what a long prompt left out, in one plain sentence."""

from __future__ import annotations

from desktop_app.core.prompts import PromptInput


def _notice(turns: int, tokens: int) -> str | None:
    return PromptInput([], "", (), 128, dropped_turns=turns, truncated_tokens=tokens).notice


def test_both_cuts_read_as_one_sentence_with_real_plurals():
    """User test 15 read "The 14 oldest turn(s) were left out to fit the context window; 4,960 tokens from
    the middle of the prompt were left out to fit the context window (its start and end were kept)."""
    text = _notice(14, 4960)
    assert text == ("To fit the context window, the 14 oldest turns and 4,960 tokens from the middle of your "
                    "prompt were left out (its start and end were kept).")
    assert "(s)" not in text and text.count("context window") == 1


def test_one_turn_or_one_cut_alone():
    assert _notice(1, 0) == "To fit the context window, the oldest turn was left out."
    assert _notice(2, 0) == "To fit the context window, the 2 oldest turns were left out."
    assert _notice(0, 300) == ("To fit the context window, 300 tokens from the middle of your prompt were left out "
                               "(its start and end were kept).")
    assert _notice(0, 0) is None
