"""usertest70: a novelist read the Text tab's "mean surprisal 5.10 bits · perplexity 34.3" and "rank 1–10 64.5%"
as figures with no meaning. Plain words come first, the exact figures after them, the reference band in the
tooltip."""

from __future__ import annotations

from desktop_app.core import documents
from desktop_app.core.plain_figures import PROSE_BAND_WORDS, predictability_words, share_words
from desktop_app.core.records import TokenRecord
from desktop_app.gui.text_summary import SummaryPanel, figures_text


def _records(ranks_and_logprobs):
    return [TokenRecord(id=i, text=f" w{i}", logprob=lp, rank=rank, entropy=1.0)
            for i, (rank, lp) in enumerate(ranks_and_logprobs)]


def test_the_perplexity_is_said_against_ordinary_prose():
    assert predictability_words(34.3) == "about as predictable as ordinary prose"
    assert predictability_words(8.0) == "more predictable than ordinary prose"
    assert predictability_words(250.0) == predictability_words(float("inf")) == "more surprising than ordinary prose"


def test_a_share_is_said_as_a_writer_says_it():
    assert share_words(0.645) == "about 2 in 3"
    assert share_words(0.5) == "about 1 in 2"
    assert share_words(0.98) == "almost all" and share_words(0.01) == "hardly any"


def test_the_figures_lead_with_words_and_keep_their_exact_values(qtbot):
    # 2 of 3 tokens in the top 10; perplexity exp(mean nll): exp(3.5) ~ 33
    summary = documents.summarize(_records([(1, -3.0), (4, -3.5), (400, -4.0)]))
    words = figures_text(summary).replace("\u00a0", " ")
    first, shares = words.split("\n")
    assert "About as predictable as ordinary prose to the model: mean surprisal 5.05 bits · perplexity 33.1" in first
    # the top 10's share in words on the rank bar's tooltip: on the figures' line they cost the text a line
    assert shares.startswith("rank 1–10 66.7% · ")
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.bar.set_shares(summary.bucket_shares)
    assert panel.bar.toolTip().startswith("About 2 in 3 tokens in the model's top 10.\nrank 1–10: 66.7%")


def test_the_tooltip_states_the_reference_band(qtbot):
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    assert PROSE_BAND_WORDS in panel.figures.toolTip() and "20 to 60" in PROSE_BAND_WORDS
