"""`gpt2-desk explain` refused an answer another model wrote ("message 5 was written by X, not Y"),
where the window's "Why this token?" explains it: at the token of its text as the loaded model reads
it (core.token_context). The command line now does the same, and says so in one line."""

from __future__ import annotations

import json

from desktop_app.cli import main
from desktop_app.core.prompts import answer_ids
from desktop_app.core.store import Store
from desktop_app.core.text_pieces import piece_texts
from test_trip40_why_other_model import TEXT, written_elsewhere


def saved(tmp_path, tiny_model) -> tuple[str, int]:
    db = str(tmp_path / "explain.sqlite3")
    with Store.open(db) as store:
        return db, written_elsewhere(store, tiny_model)  # one token per character, by "bundled:another"


def explain(capsys, db, mid, token, model_dir, *extra):
    code = main(["explain", str(mid), "--token", str(token), "--db", db, "--model", str(model_dir), "--device",
                 "cpu", "--steps", "4", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_another_models_answer_is_explained_at_the_same_place_and_said_so(tmp_path, tiny_model, tiny_model_dir,
                                                                          capsys):
    db, mid = saved(tmp_path, tiny_model)
    clicked = TEXT.index("Seine")  # its stored token there: one character each
    code, out, err = explain(capsys, db, mid, clicked, tiny_model_dir)
    assert code == 0, err
    lines = out.splitlines()
    notes = [line for line in lines if "bundled:another wrote this answer in its own tokens" in line]
    assert len(notes) == 1 and notes[0] == lines[1]
    assert f"at the place of its token {clicked + 1} (--token {clicked})" in notes[0]  # cli52: both counts
    assert "bundled:another wrote this answer, in its own tokens: this model did not sample" in out
    assert "chosen by a person" not in out

    code, out, err = explain(capsys, db, mid, clicked, tiny_model_dir, "--json")
    assert code == 0, err
    data = json.loads(out)
    pieces = piece_texts(tiny_model.tokenizer, answer_ids(tiny_model.tokenizer, TEXT))
    start = sum(len(p) for p in pieces[:data["token_index"]])
    assert start <= clicked < start + len(pieces[data["token_index"]])  # the token that holds the asked one
    assert data["written_by"] == "bundled:another" and data["asked_token_index"] == clicked


def test_the_models_own_answer_has_no_such_line(tmp_path, tiny_model, tiny_model_dir, capsys):
    from test_training_data import add_answer

    db = str(tmp_path / "own.sqlite3")
    with Store.open(db) as store:
        _c, _u, own, _p = add_answer(store, tiny_model, "Name a red fruit.", seed=3)
    code, out, err = explain(capsys, db, own, 0, tiny_model_dir)
    assert code == 0, err
    assert "wrote this answer" not in out
