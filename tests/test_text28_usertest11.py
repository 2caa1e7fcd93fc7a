"""Usertest 11's Text-mode findings (pytest-qt, tiny random GPT-2, a real store):
#4 the model's continuation is marked apart from the person's text (heatmap, editor, exported
PNG) and the summary says which text its figures are about; #10 the text shows once (coloured,
Ctrl+E edits it), the conversation list is the chat's only, the bar's buttons are named; #7 Text
mode with a token in the inspector fits an 800 px screen."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402


def _record(text: str, logprob: float = -1.0, rank: int = 1) -> TokenRecord:
    return TokenRecord(id=1, text=text, logprob=logprob, rank=rank, entropy=1.0)


# ---------------------------------------------------------------- the core: who wrote which token

def test_model_spans_cover_what_the_model_wrote_and_stop_where_the_person_changed_it():
    main = "The keeper climbed"
    branch = {"id": 1, "parent_id": None, "start": len(main), "text": " the stairs", "title": None,
              "tokens": [[5, " the", -1.0], [6, " stairs", -1.0]]}
    assert tb.model_spans(main, {1: branch}, None) == [], "the main text alone is the person's"
    assert tb.model_spans(main, {1: branch}, 1) == [(len(main), len(main) + len(" the stairs"))]
    edited = dict(branch, text=" the old stairs")  # the person typed into the continuation
    assert tb.model_spans(main, {1: edited}, 1) == [(len(main), len(main) + len(" the "))]


def test_the_summary_of_a_continued_text_keeps_the_persons_own_figures():
    records = [_record(" a", -3.0, 50), _record(" b", -3.0, 50), _record(" c", -0.1, 1), _record(" d", -0.1, 1)]
    written = documents.written_by_model("x", records, [(1 + 4, 1 + 8)])  # " c d" after "x a b"
    assert written == [False, False, True, True]
    summary = documents.summarize_authored(records, written)
    assert summary.tokens == 4 and summary.model_tokens == 2
    assert summary.yours.tokens == 2 and summary.yours.perplexity == pytest.approx(documents.summarize(
        records[:2]).perplexity)
    assert summary.yours.perplexity > summary.perplexity, "the model's own tokens made the text look predictable"
    assert documents.summarize_authored(records, [False] * 4).yours is None, "no continuation: one summary"


def test_the_figures_say_which_text_they_are_about():
    from desktop_app.gui.text_summary import charted_summary, figures_text

    records = [_record(" a", -3.0, 50), _record(" b", -3.0, 50), _record(" c", -0.1, 1)]
    mixed = documents.summarize_authored(records, [False, False, True])
    words = figures_text(mixed)
    assert words.startswith("Your text: 2 tokens") and "With the model's continuation (1 token" in words
    assert charted_summary(mixed) is mixed.yours, "the bar and histograms are about the person's text"
    alone = documents.summarize_authored(records, [True] * 3)
    assert figures_text(alone).startswith("The model wrote all 3 tokens")
    assert figures_text(documents.summarize(records)).startswith("3 tokens scored")
