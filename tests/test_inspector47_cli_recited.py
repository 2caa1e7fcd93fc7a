"""``analyse --recited`` in-process on the tiny model: the passages the core finds in the records it prints
(its random weights are sure of nothing, so none: the heading still says the rule and the count), the
JSON's "recited" list, a bad --recited-min refused in words; and the lines it prints for
passages, on hand-made records."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.cli.text_cmds import FROM_ONE, recited_text
from desktop_app.core.recited import find_recited
from desktop_app.core.records import TokenRecord
from helpers import token_record

TEXT = ("The keeper counted the waves every night and wrote the number down.\n"
        "The keeper counted the waves every night and wrote the number down.\n")


def run(capsys, tmp_path, tiny_model_dir, *options):
    source = tmp_path / "keeper.txt"
    source.write_text(TEXT, encoding="utf-8")
    code = main(["analyse", str(source), *options, "--data-dir", str(tmp_path / "appdata"),
                 "--model", str(tiny_model_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_json_lists_what_the_core_finds_in_its_own_records(capsys, tmp_path, tiny_model_dir):
    code, out, err = run(capsys, tmp_path, tiny_model_dir, "--recited", "--json")
    assert code == 0, err
    data = json.loads(out)
    records = [TokenRecord.from_json(t) for t in data["tokens"]]
    assert len(records) > 20
    assert "recited" in data
    found = find_recited(records, window=128)  # the tiny model's window
    assert [(p["start"], p["stop"], p["why"], p["tokens"]) for p in data["recited"]] == \
        [(s.start, s.stop, s.why, s.tokens) for s in found]


def test_the_text_says_the_rule_and_the_count(capsys, tmp_path, tiny_model_dir):
    code, out, err = run(capsys, tmp_path, tiny_model_dir, "--recited", "--recited-min", "8")
    assert code == 0, err
    heading = [line for line in out.splitlines() if "predicted nearly every token" in line]
    assert len(heading) == 1
    assert heading[0].startswith("No passage") and heading[0].endswith("tokens.")  # no colon over nothing (cli62)
    assert "(8 or more tokens, over 3 in 4 of them its first choice)" in heading[0]
    assert "tokens scored" in out  # the summary before it


def test_a_passage_shorter_than_two_tokens_is_refused(capsys, tmp_path, tiny_model_dir):
    code, out, err = run(capsys, tmp_path, tiny_model_dir, "--recited", "--recited-min", "1")
    assert code != 0 and out == ""
    assert "--recited-min" in err and "from 2 up" in err


def _record(token_id: int, first: bool, text: str | None = None) -> TokenRecord:
    return token_record(token_id, f" w{token_id}" if text is None else text, 0.9 if first else 0.02, top=(),
                        rank=1 if first else 30)


def test_the_lines_give_each_passage_its_place_length_figures_why_and_words():
    words = list(range(500, 530))
    records = ([_record(i, False) for i in words] + [_record(1, False, "\n")] + [_record(i, True) for i in words]
               + [_record(i, False) for i in range(700, 710)] + [_record(i, True) for i in range(800, 820)])
    spans = find_recited(records)
    lines = recited_text(records, spans, 12).splitlines()
    assert lines[0] == f"2 passages the model predicted nearly every token of (12 or more tokens, over 3 in 4 of " \
                       f"them its first choice) among {len(records)} tokens ({FROM_ONE}):"
    repeat, by_heart = lines[1].split(), lines[2].split()
    # counted from 1, as the window's status bar (cli52)
    assert repeat[:4] == ["tokens", "32-61", "30", "tokens"] and "repeats line 1 (token 1)" in lines[1]
    assert by_heart[:4] == ["tokens", "72-91", "20", "tokens"] and "known by heart" in lines[2]
    assert "mean 90.0%" in " ".join(by_heart) and '"w800 w801' in lines[2]
