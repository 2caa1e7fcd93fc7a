"""rate / correct / history / export / import, called in-process through desktop_app.cli.main."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the package may not be installed into the venv
    sys.path.insert(0, str(ROOT))

from desktop_app.cli import main  # noqa: E402
from desktop_app.core import exchange  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "data"))
    return str(tmp_path / "cli.sqlite3")


def records(n):
    return [TokenRecord(i, f"t{i}", -0.5, 1, 1.0, (Alternative(7, "x", 0.2),)) for i in range(n)]


def seed(db):
    """Two conversations: one with two sibling answers, one with a single answer."""
    with Store.open(db) as s:
        c1 = s.create_conversation("Arithmetic")
        sys_id = s.add_message(c1, "system", "Be brief.")
        u1 = s.add_message(c1, "user", "What is 2+2?", parent_id=sys_id)
        good = s.add_message(c1, "assistant", "4", parent_id=u1, records=records(3))
        bad = s.add_message(c1, "assistant", "22", parent_id=u1, records=records(3))
        c2 = s.create_conversation("Greeting")
        u2 = s.add_message(c2, "user", "Say hi")
        hi = s.add_message(c2, "assistant", "Go away", parent_id=u2, records=records(2))
    return {"c1": c1, "c2": c2, "good": good, "bad": bad, "hi": hi, "u1": u1}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_rate_and_clear(db, capsys):
    ids = seed(db)
    code, out, _ = run(capsys, "--db", db, "rate", str(ids["good"]), "up", "--note", "correct")
    assert code == 0 and "up" in out
    assert run(capsys, "rate", str(ids["good"]), "down", "--token", "1", "--db", db)[0] == 0
    with Store.open(db) as s:
        rs = s.ratings(ids["good"])
    assert [(r["token_index"], r["value"], r["note"]) for r in rs] == [(None, 1, "correct"), (1, -1, None)]
    assert run(capsys, "--db", db, "rate", str(ids["good"]), "clear", "--token", "1")[0] == 0
    code, out, _ = run(capsys, "--db", db, "rate", str(ids["good"]), "clear")
    assert code == 0 and "cleared" in out
    with Store.open(db) as s:
        assert s.ratings() == []


def test_errors_are_one_line(db, capsys, tmp_path):
    ids = seed(db)
    for argv in (["rate", "999", "up"], ["rate", str(ids["good"]), "up", "--token", "9"],
                 ["correct", str(ids["u1"]), "better"], ["history", "--conversation", "77"]):
        code, out, err = run(capsys, "--db", db, *argv)
        assert code == 2, argv
        assert err.startswith("gpt2-desk: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    code, _, err = run(capsys, "--db", db, "rate", "abc", "up")
    assert code == 2 and "number" in err
    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello")
    code, _, err = run(capsys, "--db", str(notdb), "history")
    assert code == 2 and str(notdb) in err and err.count("\n") == 1
    assert notdb.read_text() == "hello"


def test_correct_and_history(db, capsys):
    ids = seed(db)
    assert run(capsys, "--db", db, "correct", str(ids["hi"]), "Hello! How can I help?")[0] == 0
    assert run(capsys, "--db", db, "rate", str(ids["good"]), "up")[0] == 0
    code, out, _ = run(capsys, "--db", db, "history")
    assert code == 0 and "Arithmetic" in out and "Greeting" in out
    code, out, _ = run(capsys, "--db", db, "history", "--json")
    listed = json.loads(out)
    assert [c["id"] for c in listed] == [ids["c2"], ids["c1"]]  # newest first; ratings do not reorder
    code, out, _ = run(capsys, "--db", db, "history", "--conversation", str(ids["c2"]), "--json")
    conv = json.loads(out)
    assert conv["messages"][-1]["correction"] == "Hello! How can I help?"
    code, out, _ = run(capsys, "--db", db, "history", "--conversation", str(ids["c1"]))
    assert "+1" in out and "What is 2+2?" in out
    assert run(capsys, "--db", db, "history", str(ids["c1"]))[1] == out, "`history ID` is --conversation ID"
    code, out, _ = run(capsys, "--db", db, "history", "--search", "hi", "--json")
    assert [c["id"] for c in json.loads(out)] == [ids["c2"]]


def test_history_marks_an_answer_the_window_was_killed_while_writing(db, capsys):
    from desktop_app.core.drafts import AnswerDraft

    ids = seed(db)
    with Store.open(db) as s:
        user = s.get_message(ids["good"])["parent_id"]
        draft = AnswerDraft(s, ids["c1"], user).write(records(2))
    code, out, _ = run(capsys, "--db", db, "history", "--conversation", str(ids["c1"]))
    line = next(x for x in out.splitlines() if x.strip().startswith(str(draft)))
    assert code == 0 and "[interrupted]" in line
    assert "interrupted" not in next(x for x in out.splitlines() if x.strip().startswith(str(ids["good"])))


TOKEN_0 = [{"token": 0, "value": 1}]  # "4"'s first token rated up, as an export carries it


def rated_db(db, capsys):
    ids = seed(db)
    for argv in (["rate", str(ids["good"]), "up"], ["rate", str(ids["bad"]), "down"],
                 ["correct", str(ids["hi"]), "Hello!"], ["rate", str(ids["good"]), "up", "--token", "0"]):
        assert run(capsys, "--db", db, *argv)[0] == 0
    return ids


def test_export_formats(db, capsys, tmp_path):
    rated_db(db, capsys)
    prompt1 = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}]
    prompt2 = [{"role": "user", "content": "Say hi"}]

    out = tmp_path / "kto.jsonl"
    code, _, err = run(capsys, "--db", db, "export", "--format", "kto", "--out", str(out))
    assert code == 0 and "wrote 4 kto examples" in err
    kto = read_jsonl(out)
    thread = next(x["thread"] for x in kto if "thread" in x)  # "4" and "22" are sibling answers
    assert {"prompt": prompt1, "completion": [{"role": "assistant", "content": "4"}], "label": True,
            "thread": thread, "token_ratings": TOKEN_0} in kto
    assert {"prompt": prompt1, "completion": [{"role": "assistant", "content": "22"}], "label": False,
            "thread": thread} in kto
    assert {"prompt": prompt2, "completion": [{"role": "assistant", "content": "Hello!"}], "label": True,
            "source": "correction", "corrects": [{"role": "assistant", "content": "Go away"}]} in kto
    assert {"prompt": prompt2, "completion": [{"role": "assistant", "content": "Go away"}], "label": False,
            "source": "corrected"} in kto  # no thumbs of its own: the answer "Hello!" corrects
    assert len(kto) == 4
    code, _, err = run(capsys, "--db", db, "export", "--format", "kto", "--out", str(tmp_path / "no" / "x.jsonl"))
    assert code == 2 and "There is no folder" in err and not (tmp_path / "no").exists()

    code, stdout, _ = run(capsys, "--db", db, "export", "--format", "dpo")
    dpo = [json.loads(line) for line in stdout.splitlines()]
    assert dpo == [
        {"prompt": prompt2, "chosen": [{"role": "assistant", "content": "Hello!"}],
         "rejected": [{"role": "assistant", "content": "Go away"}], "source": "correction"},
        {"prompt": prompt1, "chosen": [{"role": "assistant", "content": "4"}],
         "rejected": [{"role": "assistant", "content": "22"}], "chosen_token_ratings": TOKEN_0},
    ]

    code, stdout, _ = run(capsys, "--db", db, "export", "--format", "sft")
    sft = [json.loads(line) for line in stdout.splitlines()]
    assert sft == [{"prompt": prompt1, "completion": [{"role": "assistant", "content": "4"}], "token_ratings": TOKEN_0},
                   {"prompt": prompt2, "completion": [{"role": "assistant", "content": "Hello!"}],
                    "source": "correction", "corrects": [{"role": "assistant", "content": "Go away"}]}]


def test_training_examples_carry_ids(db, capsys):
    ids = rated_db(db, capsys)
    with Store.open(db) as s:
        kto = exchange.build_examples(s, "kto", with_ids=True)
        dpo = exchange.build_examples(s, "dpo", with_ids=True)
    good = next(x for x in kto if x.get("message_id") == ids["good"])
    assert good["token_ratings"] == TOKEN_0 and good["source"] == "rating"
    assert {(x["source"], x["rejected_message_id"]) for x in dpo} == {("correction", ids["hi"]),
                                                                      ("siblings", ids["bad"])}


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_import_round_trip(db, capsys, tmp_path, fmt):
    rated_db(db, capsys)
    first = tmp_path / f"a.{fmt}.jsonl"
    assert run(capsys, "--db", db, "export", "--format", fmt, "--out", str(first))[0] == 0
    other = str(tmp_path / "other.sqlite3")
    code, out, _ = run(capsys, "--db", other, "import", str(first))
    assert code == 0 and "imported" in out
    second = tmp_path / f"b.{fmt}.jsonl"
    assert run(capsys, "--db", other, "export", "--format", fmt, "--out", str(second))[0] == 0
    key = lambda x: json.dumps(x, sort_keys=True)  # noqa: E731
    assert sorted(read_jsonl(first), key=key) == sorted(read_jsonl(second), key=key)
    with Store.open(other) as s, Store.open(db) as source:  # sibling answers and corrections as they were
        assert len(s.list_conversations()) == len(source.list_conversations()) == 2


def test_import_other_trl_shapes_and_bad_files(db, capsys, tmp_path):
    good = tmp_path / "mixed.jsonl"
    good.write_text("\n".join(json.dumps(x) for x in [
        {"prompt": "The sky is", "completion": " blue.", "label": False},        # standard (strings)
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
        {"prompt": [{"role": "user", "content": "2+2?"}], "chosen": "4", "rejected": "5"},
    ]) + "\n\n")
    code, _, _ = run(capsys, "--db", db, "import", str(good))
    assert code == 0
    with Store.open(db) as s:
        assert s.rating_counts() == {"thumbs_up": 2, "thumbs_down": 2, "token_ratings": 0, "corrections": 0}
        assert len(s.list_conversations()) == 3

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "x", "completion": "y"}) + "\n{not json\n")
    code, _, err = run(capsys, "--db", db, "import", str(bad))
    assert code == 2 and f"{bad} line 2" in err and err.count("\n") == 1
    bad.write_text(json.dumps({"prompt": "x", "chosen": "y"}) + "\n")
    code, _, err = run(capsys, "--db", db, "import", str(bad))
    assert code == 2 and "rejected" in err
    bad.write_text(json.dumps({"prompt": [{"role": "wizard", "content": "x"}], "completion": "y"}) + "\n")
    assert run(capsys, "--db", db, "import", str(bad))[0] == 2
    code, _, err = run(capsys, "--db", db, "import", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "missing.jsonl" in err
    with Store.open(db) as s:  # nothing from the bad files got in
        assert len(s.list_conversations()) == 3
