"""How sure the model was of its first guesses against how often they were right (core/calibration.py): the
figures from records built by hand, the same from a real analysis (tiny GPT-2), in `analyse`'s words, JSON and
CSV, and the Text tab's chart beside the histograms, its tooltip naming the bar under the pointer."""

from __future__ import annotations

import csv
import io
import json

import pytest

from desktop_app.core.calibration import (CALIBRATION_BINS, calibration, calibration_rows, calibration_words,
                                          first_guess_chance)
from desktop_app.core.records import Alternative, TokenRecord


def record(chance: float, right: bool, token_prob: float = 0.05) -> TokenRecord:
    """A token whose model's first guess had ``chance``; the text's token is that guess when ``right``."""
    import math

    guess = Alternative(7, "guess", chance)
    if right:
        return TokenRecord(7, "guess", math.log(chance), 1, 1.0, top=(guess,))
    return TokenRecord(9, "other", math.log(token_prob), 3, 1.0, top=(guess, Alternative(8, "b", 0.1)))


def test_each_bin_counts_its_tokens_the_right_ones_and_their_sureness():
    records = ([record(0.9, True)] * 9 + [record(0.9, False)]  # 90% sure, right 9 of 10: as sure as right
               + [record(0.5, False)] * 4 + [record(0.5, True)])  # 50% sure, right 1 of 5: over-confident
    result = calibration(records)
    assert result.counts == (0, 0, 5, 0, 10) and result.right == (0, 0, 1, 0, 9)
    assert result.tokens == 15 and result.accuracy == pytest.approx(10 / 15)
    assert result.mean_sureness == pytest.approx((0.9 * 10 + 0.5 * 5) / 15)
    # weighted |right - sure| per bin: (|1 - 2.5| + |9 - 9|) / 15
    assert result.calibration_error == pytest.approx(1.5 / 15)
    rows = calibration_rows(result)
    assert len(rows) == CALIBRATION_BINS and rows[2]["share_right"] == pytest.approx(0.2)
    assert rows[2]["few"] and rows[0]["share_right"] is None
    assert "over-confident by 10 points" in calibration_words(result)


def test_the_first_guess_is_the_first_alternative_or_the_token_itself():
    assert first_guess_chance(record(0.3, False)) == pytest.approx(0.3)  # another token was the guess
    bare = TokenRecord(1, "x", -0.5, 1, 1.0)  # kept without alternatives, but it was the guess
    assert first_guess_chance(bare) == pytest.approx(0.6065, abs=1e-4)
    assert first_guess_chance(TokenRecord(1, "x", -3.0, 4, 1.0)) is None  # not the guess, and no list: unknown
    assert calibration([TokenRecord(1, "x", -3.0, 4, 1.0)]).tokens == 0
    assert calibration_words(calibration([])) == "No token to judge the model's first guesses by."


def analysed(model_dir, tmp_path, capsys, *extra):
    from desktop_app.cli import main

    text = tmp_path / "essay.txt"
    text.write_text("The lighthouse keeper counted the waves every night, and the waves counted him back. " * 3)
    assert main(["analyse", str(text), "--model", str(model_dir), *extra]) == 0
    return capsys.readouterr().out


def test_analyse_says_it_and_gives_it_in_json_and_csv(tiny_model_dir, tmp_path, capsys):
    data = json.loads(analysed(tiny_model_dir, tmp_path, capsys, "--json"))
    guesses = data["summary"]["first_guesses"]
    tokens = data["tokens"]
    assert guesses["tokens"] == len(tokens) == data["summary"]["tokens"]
    right = sum(t["rank"] == 1 for t in tokens)
    assert guesses["share_right"] == pytest.approx(right / len(tokens))
    assert guesses["mean_sureness"] == pytest.approx(sum(t["top"][0]["prob"] for t in tokens) / len(tokens))
    assert sum(b["tokens"] for b in guesses["bins"]) == len(tokens)
    words = analysed(tiny_model_dir, tmp_path, capsys)
    assert f"was the text's token {right / len(tokens) * 100:.0f}% of the time" in words
    assert "80-100% sure" in words
    csv_path = tmp_path / "s.summary.csv"
    analysed(tiny_model_dir, tmp_path, capsys, "--out", str(csv_path))
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    bins = [r for r in rows if r["section"] == "first_guess_right"]
    assert len(bins) == CALIBRATION_BINS and sum(int(r["count"]) for r in bins) == len(tokens)
    assert any(r["label"] == "calibration_error" for r in rows)


def test_the_text_tab_charts_it_beside_the_histograms(qtbot, qapp):
    from desktop_app.core.documents import summarize
    from desktop_app.gui.text_summary import SummaryPanel

    records = [record(0.9, True)] * 12 + [record(0.9, False)] * 8 + [record(0.3, False)] * 3
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.set_summary(summarize(records))
    panel.resize(900, 200)
    panel.show()
    qtbot.waitUntil(lambda: panel.wide)
    probabilities, chart, entropies = panel.charts
    assert chart is panel.first_guesses and chart.isVisible()
    assert probabilities.geometry().right() < chart.geometry().left() < entropies.geometry().left()
    assert chart.width() >= chart.title_width(), "its title is whole"
    tip = chart.tip_at(chart.width() - 2)  # over the last bar: 80-100% sure
    assert "20 tokens, the first guess right at 12 (60%; 90% sure on average)" in tip
    assert "over-confident" in tip
    assert "3 tokens" in chart.tip_at(chart.width() * 0.3) and "few" in chart.tip_at(chart.width() * 0.3)
    panel.set_summary(None)
    assert chart.result is None and chart.counts == ()


def test_the_html_page_of_an_analysis_carries_its_summary(tiny_model_dir, tmp_path, capsys):
    """`analyse --out page.html`: the heatmap's page has the summary under its key, the first guesses' bins
    summing to the tokens scored; an answer's page (no summary given) has none."""
    import re

    from desktop_app.core.heatmap_html import heatmap_html

    page = tmp_path / "essay.html"
    data = json.loads(analysed(tiny_model_dir, tmp_path, capsys, "--json"))
    analysed(tiny_model_dir, tmp_path, capsys, "--out", str(page))
    markup = page.read_text()
    assert "<h2>Summary</h2>" in markup and "<h2>First guesses</h2>" in markup
    counts = re.findall(r"<td>\d+\u2013\d+% sure</td><td>([\d,]+)</td>", markup)
    assert len(counts) == CALIBRATION_BINS and sum(int(c.replace(",", "")) for c in counts) == len(data["tokens"])
    perplexity = data["summary"]["perplexity"]
    assert f"perplexity {perplexity:,.1f}" in markup
    answer = heatmap_html([record(0.9, True)], title="an answer", model="m")
    assert "Summary" not in answer and ".sum{" not in answer


def test_the_text_tabs_page_says_its_summary_is_of_your_own_words(qtbot, qapp, tiny_model_dir, tmp_path):
    from gui_windows import window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, "The keeper lit the lamp at dusk.") as window:
        tools = window.text_view.analysis_tools
        path = tools.export("html", str(tmp_path / "text.html"))
        markup = path.read_text()
        summary = window.text_view.summary_panel.summary
    assert "<h2>First guesses</h2>" in markup and f"{summary.tokens:,} tokens scored" in markup
    assert "without the model's continuation" not in markup, "no continuation: the whole text's summary"
