"""conflict106, the terminal's part: `gpt2-desk finetune` ran on ratings that disagree without a word; it now
says them on stderr before the run, and `--json` lists them (`conflicts`, each pair's liked and disliked side)."""

from __future__ import annotations

import json


def _same_answer_twice(run_cli, question: str) -> list[int]:
    """The same question answered twice with one seed: the same text, in two conversations."""
    ids = []
    for _ in range(2):
        code, out, err = run_cli("generate", "--save", "--max-new-tokens", "4", "--seed", "1", "--json", question)
        assert code == 0, err
        ids.append(json.loads(out)["message_id"])
    return ids


def test_finetune_says_ratings_that_disagree_and_json_lists_them(run_cli):
    liked, disliked = _same_answer_twice(run_cli, "Hi")
    other = _same_answer_twice(run_cli, "Name a colour")[0]
    for mid, thumb in ((liked, "up"), (disliked, "down"), (other, "up")):
        assert run_cli("rate", str(mid), thumb)[0] == 0
    code, out, err = run_cli("finetune", "--max-steps", "1", "--json")
    assert code == 0, err
    [conflict] = json.loads(out)["conflicts"]
    assert (conflict["kind"], conflict["same_question"]) == ("answer", True)
    assert (conflict["liked"]["message_id"], conflict["disliked"]["message_id"]) == (liked, disliked)
    [line] = [line for line in err.splitlines() if "disagree" in line]
    assert line.startswith("note: 2 ratings disagree: ")
    assert f"(answer {liked})" in line and f"(answer {disliked})" in line and "learns neither" in line


def test_finetune_without_disagreeing_ratings_says_nothing_of_them(run_cli):
    liked, disliked = _same_answer_twice(run_cli, "Hi")
    assert run_cli("rate", str(liked), "up")[0] == 0
    assert run_cli("rate", str(disliked), "up")[0] == 0
    code, out, err = run_cli("finetune", "--max-steps", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["conflicts"] == []
    assert "disagree" not in err
