"""cli63: on the tiny model `finetune` printed "margin (held-out ratings): 5.7386 -> 5.7395" (four decimals) while
`--json`'s reason said "held-out ratings moved the right way" (a move the window's card calls "barely moved"), and a
discarded run's reason gave "0.03802 -> 0.03802" (four significant digits) over "0.0380 -> 0.0380". The printed
lines, the verdict's reason and `--json`'s "margins" now take their figures and words from one place
(core.taught_words.gate_margins, kept_margin_words, margin_figures)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from desktop_app.cli.finetune_cmds import _print_report
from desktop_app.core.gate import judge
from desktop_app.core.taught_words import gate_margins

# the tiny model's first run (6 thumbs, one held out), as `finetune --json` gave its metrics
TINY_RUN = {"gate_margin_on": "heldout", "heldout_size": 1, "margin_heldout_before": 5.738635540008545,
            "margin_heldout_after": 5.739537239074707, "margin_all_before": 0.006540854771931966,
            "margin_all_after": 0.0380240281422933, "probe_ppl_before": 395.706, "probe_ppl_after": 395.720,
            "reask_count": 13, "reask_degenerate_before": 13, "reask_degenerate_after": 13}
TINY_RUN |= {"margin_before": TINY_RUN["margin_heldout_before"], "margin_after": TINY_RUN["margin_heldout_after"]}


def test_a_kept_run_s_reason_words_its_margin_as_the_printed_lines_do(capsys):
    verdict = judge(TINY_RUN)
    assert verdict.kept
    assert verdict.reason.startswith("held-out ratings barely moved the right way (preference margin 5.739 -> 5.740)")
    _print_report(SimpleNamespace(kept=True, run_id=1, adapter_id=1, reason=verdict.reason, status="kept",
                                  metrics=TINY_RUN, usable_anyway=False, needs_consent=False), None, None)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith(verdict.reason)
    assert "  margin (held-out ratings): 5.739 -> 5.740 (barely moved)" in printed
    assert "  margin (all ratings): 0.007 -> 0.038 (rose)" in printed


def test_a_discarded_run_s_reason_gives_the_printed_figures():
    flat = TINY_RUN | {"margin_all_after": TINY_RUN["margin_all_before"]}
    verdict = judge(flat)
    (all_ratings,) = [m for m in gate_margins(flat) if m["on"] == "all ratings"]
    assert not verdict.kept and f"({all_ratings['figures']})" in verdict.reason, verdict.reason
    assert all_ratings["figures"] == "0.00654 -> 0.00654" and all_ratings["moved"] == "barely moved"


def test_finetune_json_gives_the_margins_the_summary_prints(run_cli, capsys):
    for question, thumb in (("Hi", "up"), ("What is 2+2?", "down"), ("Name a colour", "up"), ("Why?", "down")):
        code, out, _ = run_cli("generate", "--save", "--max-new-tokens", "4", "--seed", "1", "--json", question)
        assert code == 0
        assert run_cli("rate", str(json.loads(out)["message_id"]), thumb)[0] == 0
    code, out, _ = run_cli("finetune", "--max-steps", "2", "--json")
    assert code == 0
    said = json.loads(out)
    assert said["margins"] == gate_margins(said["metrics"]) and said["margins"]
    _print_report(SimpleNamespace(**{k: said[k] for k in ("kept", "run_id", "adapter_id", "reason", "status",
                                                         "usable_anyway", "needs_consent")},
                                  metrics=said["metrics"]), None, said["use_with"])
    printed = capsys.readouterr().out
    for margin in said["margins"]:
        assert f"margin ({margin['on']}): {margin['figures']} ({margin['moved']})" in printed
    judged = said["margins"][0]
    assert judged["figures"] in said["reason"] or "perplexity" in said["reason"] or "re-asked" in said["reason"]
