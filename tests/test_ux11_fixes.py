"""ux11: what a new person met on the command line and in "Use your model elsewhere"
(real commands, real SQLite, the tiny model)."""

from __future__ import annotations

import argparse
import os
import stat

import pytest

from desktop_app.cli import build_parser, main
from desktop_app.core import model_export
from desktop_app.core.store import Store, StoreError


def _parsers(parser: argparse.ArgumentParser, name="gpt2-desk"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_argument_of_every_command_says_what_it_is():
    missing = [f"{name}: {action.dest}" for name, parser in _parsers(build_parser())
               for action in parser._actions
               if not isinstance(action, argparse._SubParsersAction) and not action.help
               and action.dest not in ("help", "version")]
    assert missing == []


def _saved_answer(db) -> tuple[int, int]:
    with Store.open(db) as store:
        cid = store.create_conversation("Q")
        question = store.add_message(cid, "user", "What is the capital of France?")
        answer = store.add_message(cid, "assistant", "Paris.", parent_id=question)
    return question, answer


def test_rating_a_question_is_refused_not_silently_ignored_by_training(tmp_path, capsys):
    db = str(tmp_path / "r.sqlite3")
    question, answer = _saved_answer(db)
    assert main(["--db", db, "rate", str(question), "up"]) == 2
    assert "only answers can be rated" in capsys.readouterr().err
    assert main(["--db", db, "rate", str(answer), "up"]) == 0
    with Store.open(db) as store:
        with pytest.raises(StoreError, match="user message"):
            store.rate_token(question, 0, -1)
        assert [r["message_id"] for r in store.ratings()] == [answer]


def test_a_mistyped_db_folder_is_an_error_not_a_new_empty_database(tmp_path, capsys):
    missing = tmp_path / "no-such-folder" / "gpt2desk.sqlite3"
    assert main(["--db", str(missing), "history"]) == 2
    err = capsys.readouterr().err
    assert "There is no folder" in err and "--db" in err
    assert not missing.parent.exists(), "nothing is created for a path that was mistyped"


def _adapter_env(tmp_path, tiny_model_dir):
    from test_model_export import _setup

    return _setup(tmp_path, tiny_model_dir)


def test_quant_on_a_folder_export_is_refused_not_ignored(tmp_path, tiny_model_dir, capsys):
    paths, store, _loaded, aid = _adapter_env(tmp_path, tiny_model_dir)
    store.close()
    out = tmp_path / "peft-out"
    code = main(["--data-dir", str(paths.data_dir), "adapters", "export", str(aid), "--format", "peft",
                 "--quant", "q8_0", "--out", str(out)])
    assert code == 2 and "--quant" in capsys.readouterr().err and not out.exists()


def test_exported_files_are_readable_like_the_folder_and_the_note_names_the_base(tmp_path, tiny_model_dir):
    paths, store, loaded, aid = _adapter_env(tmp_path, tiny_model_dir)
    source = store.get_adapter(aid)["path"]
    # safetensors writes owner-only files; the adapter in the data folder may stay private
    os.chmod(os.path.join(source, "adapter_model.safetensors"), 0o600)
    old_umask = os.umask(0o022)
    try:
        result = model_export.export_adapter(store, aid, "peft", tmp_path / "shared", paths)
    finally:
        os.umask(old_umask)
        store.close()
    mode = stat.S_IMODE((result.path / "adapter_model.safetensors").stat().st_mode)
    assert mode & 0o044 == 0o044, oct(mode)
    assert str(tiny_model_dir) in result.notes[0] and "BASE" not in result.notes[0]


def test_generate_into_a_conversation_answers_with_the_conversation_as_context(tmp_path, tiny_model_dir,
                                                                               tiny_model, capsys):
    import json

    from desktop_app.core import session
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.prompts import Turn

    db = str(tmp_path / "c.sqlite3")
    with Store.open(db) as store:
        cid = store.create_conversation("Greeting")
        first = store.add_message(cid, "user", "Hello, how are you?")
        store.add_message(cid, "assistant", "I am fine, thank you. How can I help?", parent_id=first)
    prompt, greedy = "What is the capital of France?", SamplingSettings(max_new_tokens=8, greedy=True)
    argv = ["--db", db, "--model", str(tiny_model_dir), "--precision", "exact", "generate", prompt, "--greedy",
            "--repetition-penalty", "1", "--max-new-tokens", "8", "--json", "--conversation", str(cid)]
    assert main(argv) == 2 and "--save" in capsys.readouterr().err  # it would not be added anywhere
    assert main(argv + ["--save"]) == 0
    result = json.loads(capsys.readouterr().out)
    with Store.open(db) as store:
        question = store.get_message(result["message_id"])["parent_id"]
        in_context = session.answer_prompt(store, tiny_model, question, greedy).generation.records
    alone = session.prepare_answer(tiny_model, [Turn("user", prompt)], greedy).run().generation.records

    def figures(records):  # the tiny model writes the same characters either way; its figures differ
        return [(r["id"], round(r["logprob"], 4)) if isinstance(r, dict) else (r.id, round(r.logprob, 4))
                for r in records]

    assert figures(in_context) != figures(alone), "the test needs figures that depend on the context"
    assert figures(result["tokens"]) == figures(in_context)
