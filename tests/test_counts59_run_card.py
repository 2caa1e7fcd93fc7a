"""counts59: the kept run's card gave its margin twice, "-0.75 → 2.58 (preference margin -0.748 → 2.580)"."""

from desktop_app.gui.finetune_words import describe_run


def test_the_margin_is_said_once_with_its_name():
    metrics = {"margin_before": -0.748, "margin_after": 2.58, "gate_margin_on": "all"}
    _title, body = describe_run("kept", None, metrics, 1)
    line = next(x for x in body.split("<br>") if "prefers" in x)
    assert "preference margin <b>-0.75 \u2192 2.58</b>" in line, line
    assert line.count("\u2192") == 1 and "-0.748" not in line, line
