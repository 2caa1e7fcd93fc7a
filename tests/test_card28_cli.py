"""The CLI prints a fine-tune's before/after pairs as the window's card reads them (user test 11, #2
and #3): every rated question counted, the one not checked automatically named with why and the
person's answer beside it, a new answer that repeats itself labelled; ``finetune --json`` marks the
pairs alike (core.taught_words, shared by both front ends)."""

from __future__ import annotations

import json

from desktop_app.cli.finetune_cmds import _marked, _print_taught
from test_card28_taught_words import EGG, STORY, usertest_pairs


def test_the_cli_prints_the_count_the_unchecked_question_and_the_repeat(capsys):
    _print_taught(usertest_pairs())
    out = capsys.readouterr().out
    assert "    3 rated questions: 2 give your answer\n" in out
    assert ("    1 rated question is not checked automatically (a how-to answer): read \u201cHow do I boil an "
            "egg?\u201d below\n") in out
    egg = out[out.index(f"[rated] {EGG}"):]
    assert egg.splitlines()[3].strip() == ("(not checked automatically (a how-to answer); compare with your "
                                           "answer: Put the egg in a pot of boiling water for 8 to 10 minutes, "
                                           "then cool it in cold water.)")
    story = out[out.index(f"[open request, never seen] {STORY}"):]
    assert story.splitlines()[3].strip() == ("(the new answer repeats itself: \u201ctasked with creating a "
                                             "robotic painting\u201d)")
    assert out.count("repeats itself") == 1 and out.count("not checked automatically") == 2


def test_finetune_json_marks_the_pairs():
    marked = _marked(usertest_pairs())
    # the card's order: the rated question not known to give the person's answer first (usertest 13)
    assert [m["not_checked"] for m in marked] == ["a how-to answer", None, None, None, None]
    assert [m["gives_your_answer"] for m in marked] == [None, True, True, None, None]
    assert [m["repeats"] for m in marked] == [None] * 4 + ["repeats itself: \u201ctasked with creating a robotic "
                                                           "painting\u201d"]
    json.dumps(marked)  # stays JSON
