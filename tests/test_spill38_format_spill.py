"""User test 13, #2: after 8 "Answer: X." corrections a story request began "Answer:", and the
result card showed that pair without a word. The card and the CLI now say when the opening the
person's answers share begins an open request whose answer did not begin so before the run
(core.format_spill)."""

from __future__ import annotations

from desktop_app.core.format_spill import opening, spill, spill_words, taught_opening
from test_card37_wrong_rated_first import usertest13_pairs

STORY = "Write a short story about a robot who learns to paint."


def test_the_usertests_story_request_took_the_taught_opening():
    found = spill(usertest13_pairs())
    assert found == {"opening": "Answer:", "requests": [STORY], "asked": 1}
    assert spill_words(found).startswith("\u201cAnswer:\u201d, the opening of your answers, now also begins the open "
                                         "request asked (\u201cWrite a short story about a robot who learns to\u2026\u201d)")


def test_only_an_opening_closed_by_a_mark_and_shared_by_most_answers_is_a_format():
    assert opening("Great question! Paris.") == "Great question!" and opening("Answer: eight.") == "Answer:"
    assert opening("The capital of Peru is Lima.") is None  # "The" opens most answers and is no format
    assert taught_opening(["The capital of Peru is Lima.", "The opposite of hot is cold."]) is None
    assert taught_opening(["Answer: Lima.", "Answer: cold.", "Cold, of course."]) is None  # 2 of 3: below most
    assert taught_opening(["Answer: Lima."]) is None  # one answer is no pattern
    assert taught_opening(["Answer: Lima.", "answer: cold.", "Answer: green.", "Green."]) == "Answer:"


def test_an_open_request_that_opened_so_before_or_a_run_without_requests_says_nothing():
    pairs = usertest13_pairs()
    already = [{**p, "before": "Answer: once upon a time."} if p.get("open") else p for p in pairs]
    assert spill(already)["requests"] == [] and spill_words(spill(already)) == ""
    assert spill([p for p in pairs if not p.get("open")]) is None


def test_the_card_and_the_cli_say_it(capsys):
    from desktop_app.cli.finetune_cmds import _print_taught
    from desktop_app.gui.finetune_words import describe_run

    _title, body = describe_run("kept", None, {"taught": usertest13_pairs()}, 1)
    assert "the opening of your answers, now also begins the open request asked" in body
    assert "Read the new answers before relying on them." in body
    _print_taught(usertest13_pairs())
    assert "\u201cAnswer:\u201d, the opening of your answers, now also begins" in capsys.readouterr().out


def test_a_margin_that_moved_less_than_its_rounding_does_not_read_rose():
    """newfirst38 saw "Preference margin ... rose: -1.877 -> -1.877" on a card."""
    from desktop_app.gui.finetune_words import describe_run

    figures = {"margin_before": -1.8771, "margin_after": -1.8769, "probe_ppl_before": 29.1, "probe_ppl_after": 29.2}
    _title, body = describe_run("discarded", "the held-out margin did not move the right way", figures, 2)
    assert "barely moved, preference margin <b>-1.8771 \u2192 -1.8769</b>" in body and "rose" not in body
    _title, body = describe_run("kept", None, {**figures, "margin_after": -1.2}, 2)
    assert "rose, preference margin <b>-1.88 \u2192 -1.20</b>" in body
