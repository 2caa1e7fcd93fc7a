"""Leftover of the user tests: the token inspector showed "entropy 0.10 nats" beside "surprisal 0.02 bits".
Entropy is now shown in bits wherever it is shown (inspector, hover tooltip, status bar, heatmap legend and
colouring, the Text tab's histogram, the CLI), converted at display: records and the database keep nats."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

# the model was as unsure as a fair choice among 8 tokens (3 bits, 2.08 nats), and the token had 1/4 (2 bits)
EIGHT_WAY = math.log(8)


def _record():
    from desktop_app.core.records import Alternative, TokenRecord

    top = (Alternative(7, " cat", 0.25), Alternative(8, " dog", 0.2))
    return TokenRecord(7, " cat", math.log(0.25), 1, EIGHT_WAY, top)


def test_the_record_keeps_nats_and_says_bits():
    record = _record()
    assert record.entropy == pytest.approx(2.0794, abs=1e-4)  # stored as computed: nats
    assert record.entropy_bits == pytest.approx(3.0) and record.surprisal_bits == pytest.approx(2.0)


def test_the_inspector_shows_entropy_and_surprisal_in_one_unit(qtbot, qapp):
    from desktop_app.gui.inspector import STAT_TIPS, InspectorPanel

    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show_token(1, 0, _record(), can_branch=True)
    assert panel.stat_values["entropy"].text() == "3.00 bits"
    assert panel.stat_values["surprisal"].text() == "2.00 bits"
    assert "nats" not in STAT_TIPS["entropy"] and "bits" in STAT_TIPS["entropy"]


def test_the_tooltip_and_the_status_bar_say_bits():
    from desktop_app.core.token_words import STATUS_SAMPLE, token_status_words, tooltip_html

    assert "entropy 3.00 bits" in tooltip_html(_record()) and "nats" not in tooltip_html(_record())
    assert token_status_words(0, _record()).endswith("entropy 3.00 bits")
    assert STATUS_SAMPLE.endswith(" bits")


def test_the_legend_and_the_colouring_agree_in_bits():
    from desktop_app.core.palette import MAX_ENTROPY_BITS, MEASURES, color_for, sequential_color
    from desktop_app.core.records import TokenRecord
    from desktop_app.gui.token_view import legend_stops

    (low, low_rgb), (middle, _), (high, high_rgb) = legend_stops("entropy")
    assert (low, middle, high) == ("12+ bits", "6", "0 bits (sure)") and "bits" in MEASURES["entropy"]
    at_end = TokenRecord(1, "x", -1.0, 1, MAX_ENTROPY_BITS * math.log(2))  # 12 bits, stored in nats
    at_middle = TokenRecord(1, "x", -1.0, 1, MAX_ENTROPY_BITS / 2 * math.log(2))
    assert color_for(at_end, "entropy") == low_rgb == sequential_color(0.0)  # the legend's "12+ bits" colour
    assert color_for(at_middle, "entropy") == sequential_color(0.5)  # its "6"
    assert color_for(TokenRecord(1, "x", -1.0, 1, 0.0), "entropy") == high_rgb


def test_the_text_tabs_histogram_counts_bits_and_says_so(qtbot, qapp):
    from desktop_app.core.documents import summarize
    from desktop_app.core.records import TokenRecord
    from desktop_app.gui.text_summary import SummaryPanel

    records = [TokenRecord(1, "x", -1.0, 1, 7.0 * math.log(2))]  # 7 bits, 4.85 nats
    assert summarize(records).entropy_histogram[5] == 1  # 6-7.2 bits (bins of 0.8 nats put it in 4.8-5.6)
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    assert panel.entropies.title == "entropy (bits)" and panel.entropies.high == "12+"


def test_the_cli_prints_entropy_in_bits(tiny_model_dir, tiny_model, capsys):
    from desktop_app.cli import main
    from desktop_app.cli.text_cmds import summary_text
    from desktop_app.core.documents import summarize

    assert main(["score", "The cat sat on the mat", "--model", str(tiny_model_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index("index\ttoken\tprobability\tlog_probability\trank\tentropy_bits")
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, "The cat sat on the mat")
    printed = [float(line.split("\t")[5]) for line in lines[header + 1:] if line]
    assert printed == pytest.approx([r.entropy / math.log(2) for r in records], abs=2e-3)
    assert "entropy histogram (0..12 bits)" in summary_text(summarize([_record()]))
