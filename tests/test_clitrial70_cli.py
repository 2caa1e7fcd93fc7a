"""clitrial70: a new user of the command line on a headless server. `echo "..." | gpt2-desk ask -` answered the
question "-" and saved it, and `analyse -` said "There is no file -."; `gpt2-desk ask What is two plus two` said
only "unrecognized arguments: is two plus two"; Ctrl+C in the middle of `ask` dropped the answer written so far
("interrupted: nothing was saved") where chat, continue and the window's Stop keep it."""

from __future__ import annotations

import io
import json
import os
import signal

from desktop_app.cli import main
from desktop_app.core.store import Store


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_ask_dash_reads_the_question_from_standard_input(tmp_path, tiny_model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, b"Why is the sky blue?\n")
    db = str(tmp_path / "a.sqlite3")
    argv = ["--db", db, "--model", str(tiny_model_dir), "ask", "-", "--max-new-tokens", "3", "--json"]
    assert main(argv) == 0
    answer = json.loads(capsys.readouterr().out)
    with Store.open(db) as store:
        question = store.get_message(store.get_message(answer["message_id"])["parent_id"])
    assert question["text"] == "Why is the sky blue?", "the piped line, not the dash"


def test_an_empty_standard_input_is_refused_in_words(tmp_path, tiny_model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, b"\n")
    db = str(tmp_path / "e.sqlite3")
    assert main(["--db", db, "--model", str(tiny_model_dir), "ask", "-"]) == 2
    assert "Standard input was empty" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.list_conversations() == [], "nothing asked, nothing saved"


def test_correct_dash_reads_the_better_answer_from_standard_input(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "c.sqlite3")
    with Store.open(db) as store:
        cid = store.create_conversation("Q")
        question = store.add_message(cid, "user", "What is the capital of France?")
        answer = store.add_message(cid, "assistant", "Lyon.", parent_id=question)
    _stdin(monkeypatch, b"Paris is the capital of France.\n")
    assert main(["--db", db, "correct", str(answer), "-"]) == 0
    with Store.open(db) as store:
        assert store.correction(answer) == "Paris is the capital of France."


def test_analyse_dash_reads_the_text_from_standard_input(tiny_model_dir, monkeypatch, capsys, tmp_path):
    _stdin(monkeypatch, b"The cat sat on the mat. The cat sat on the mat.\n")
    argv = ["--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir), "analyse", "-", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["tokens"]) > 5


def test_an_unquoted_question_is_told_to_use_quotes(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "q.sqlite3"), "ask", "What", "is", "two", "plus", "two"]) == 2
    err = capsys.readouterr().err
    assert 'put it in quotes, "What is two plus two"' in err
    assert main(["--db", str(tmp_path / "q.sqlite3"), "ask", "Hi", "--bogus"]) == 2
    assert "quotes" not in capsys.readouterr().err, "a wrong option is not a question cut in words"


def test_ctrl_c_during_ask_keeps_the_answer_so_far(tmp_path, tiny_model_dir, monkeypatch, capsys):
    from desktop_app.cli import model_cmds

    written = []
    real_write = model_cmds.write_token

    def write_then_ctrl_c(record, stream=None):  # the person presses Ctrl+C once the third token is out
        written.append(record)
        real_write(record)
        if len(written) == 3:
            os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(model_cmds, "write_token", write_then_ctrl_c)
    db = str(tmp_path / "k.sqlite3")
    argv = ["--db", db, "--model", str(tiny_model_dir), "ask", "Hi", "--max-new-tokens", "40", "--greedy"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "saved as message" in err and "stopped" in err
    with Store.open(db) as store:
        (conversation,) = store.list_conversations()
        answer = store.messages(conversation["id"])[-1]
        assert answer["role"] == "assistant"
        assert len(store.token_records(answer["id"])) == len(written), "kept as far as it got"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "Ctrl+C is the interpreter's again"


def test_a_mistyped_db_is_said_under_the_empty_listing(tmp_path, capsys):
    typo = tmp_path / "gpt2desk.sqlite"
    assert main(["--db", str(typo), "history"]) == 0
    out, err = capsys.readouterr()
    assert "no conversations yet" in out
    assert f"there was no database at {typo}" in err
    assert main(["--db", str(typo), "texts"]) == 0
    assert "there was no database" not in capsys.readouterr().err, "said once: the file is there now"
