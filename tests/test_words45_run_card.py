"""The fine-tune run card leads with plain words and keeps the exact figures after them and in its
tooltip (words45: a new user read "Preference margin 0.257 → 2.480" and "General-text perplexity" as jargon)."""

from desktop_app.gui.finetune_words import FIGURES_TIP, describe_run, figures_tip

KEPT = {"margin_before": 0.257, "margin_after": 2.48, "gate_margin_on": "all", "probe_ppl_before": 28.7,
        "probe_ppl_after": 28.9}


def test_the_margin_line_leads_with_plain_words_and_keeps_the_exact_figures():
    _title, body = describe_run("kept", None, KEPT, 1)
    line = next(x for x in body.split("<br>") if "prefers" in x)
    assert line.startswith("How much more the model now prefers what you liked over what you didn't")
    # the figures once, named (counts59: they were given twice, rounded and to three places)
    assert "preference margin <b>0.26 \u2192 2.48</b>" in line and "0.257" not in line
    assert "Preference margin" not in body


def test_the_perplexity_line_says_how_ordinary_text_reads_before_its_figures():
    _title, body = describe_run("kept", None, KEPT, 1)
    line = next(x for x in body.split("<br>") if "perplexity" in x)
    assert line.startswith("General text reads as fluently as before")
    assert "28.70 \u2192 28.90" in line and "+0.7%" in line and "General-text perplexity" not in body


def test_a_second_runs_figures_against_the_base_model_read_plainly():
    m = {**KEPT, "started_from_adapter": 1, "gate_margin_on": "all", "margin_all_base": 0.93, "margin_all_after": 2.682}
    _title, body = describe_run("kept", None, m, 2)
    assert "Measured from the base model (no adapter), the same preference margin: <b>0.93 \u2192 2.68</b>" in body
    assert "2.682" not in body and body.count("2.68") == 1  # the figures once (leftovers60)
    assert "Against the base model, the same margin" not in body


def test_the_card_tooltip_explains_margin_and_perplexity_only_when_figures_show():
    assert "Preference margin" in FIGURES_TIP and "Perplexity" in FIGURES_TIP
    assert figures_tip("kept", KEPT) == FIGURES_TIP
    assert figures_tip("cancelled", KEPT) == "" and figures_tip("kept", {}) == ""
