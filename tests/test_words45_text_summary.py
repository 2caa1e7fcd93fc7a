"""The Text tab's figures lead with plain words and explain surprisal and perplexity in a tooltip
(words45: a new user met "mean surprisal 5.12 bits · perplexity 34.8" as jargon)."""

from desktop_app.core import documents
from desktop_app.core.records import TokenRecord
from desktop_app.gui.text_summary import SummaryPanel, figures_text


def _records():
    return [TokenRecord(id=1, text=t, logprob=lp, rank=rank, entropy=1.0)
            for t, lp, rank in ((" The", -4.0, 40), (" cat", -2.0, 3), (" sat", -0.5, 1))]


def test_the_figures_say_what_they_measure_before_the_jargon():
    words = figures_text(documents.summarize(_records()))
    assert "More predictable than ordinary prose to the model: mean\u00a0surprisal" in words  # (words70)
    assert words.index("predictable") < words.index("perplexity")


def test_the_figures_tooltip_explains_surprisal_in_bits_and_perplexity(qtbot):
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    tip = panel.figures.toolTip()
    assert "Surprisal" in tip and "bits" in tip and "Perplexity" in tip and "equally likely" in tip
