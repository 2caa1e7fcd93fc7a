"""One rule for "barely moved": the Fine-tune card's margin line and an imported adapter's reason word
a margin's move the same way (core.taught_words.margin_move), not three decimals on one and 0.01 on the other."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("before", "after", "move"), [
    (0.9612, 0.9634, "barely moved"),   # ux42's import: 0.0022, whose three decimals differ
    (-1.8771, -1.8769, "barely moved"),  # newfirst38's card: three decimals alike
    (0.9634, 0.9612, "barely moved"),   # a fall as small reads the same
    (0.5, 0.7, "rose"),
    (0.7, 0.5, "fell"),
])
def test_a_margins_move_is_worded_by_one_rule(before, after, move):
    from desktop_app.core.taught_words import margin_move

    assert margin_move(before, after) == move


def test_the_card_and_an_import_say_barely_moved_over_the_same_figures():
    """ux42's figures, 0.9612 -> 0.9634: the import said "barely moved", the card "rose"."""
    from desktop_app.core.adapter_import import kept_reason
    from desktop_app.gui.finetune_words import describe_run

    figures = {"gate_margin_on": "all", "margin_before": 0.9612, "margin_after": 0.9634,
               "probe_ppl_before": 28.0, "probe_ppl_after": 28.1}
    _title, body = describe_run("kept", None, figures, 3)
    assert "barely moved, preference margin <b>0.961 \u2192 0.963</b>" in body and "rose" not in body
    assert "barely moved the right way" in kept_reason(figures)
    clear = {**figures, "margin_after": 0.98}  # past the threshold: both say it moved
    _title, body = describe_run("kept", None, clear, 3)
    assert "rose, preference margin <b>0.96 \u2192 0.98</b>" in body
    assert kept_reason(clear).startswith("your ratings moved the right way")
