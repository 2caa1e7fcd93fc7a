"""cli12: the command-line findings left by ux11 (F11, F12, F14, F17): real commands through the
CLI's entry point, real SQLite, the tiny model."""

from __future__ import annotations

import json

from desktop_app.cli import build_parser, main
from desktop_app.core import adapters, model_export
from desktop_app.core.store import Store
from test_ux11_fixes import _parsers, _saved_answer


def _json_commands() -> set[str]:
    """Every command that takes --json ("analyze" is "analyse"'s alias: one parser, one entry)."""
    seen, names = set(), set()
    for name, parser in _parsers(build_parser()):
        if id(parser) not in seen and any("--json" in action.option_strings for action in parser._actions):
            seen.add(id(parser))
            names.add(name.removeprefix("gpt2-desk "))
    return names


def _failing_commands(tmp_path, tiny_model_dir) -> dict[str, list[str]]:
    """For each --json command, a command line that fails (a bad value, an unknown id, a missing file)."""
    missing = str(tmp_path / "no-such-file.txt")
    model = ["--model", str(tiny_model_dir)]
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)
    return {
        "generate": ["generate", "   ", "--json"],
        "ask": ["ask", "   ", "--json"],
        "score": ["score", "The cat", "--json", "--model", str(tmp_path / "no-such-model")],
        "models": ["models", "--json", "--prepare", "--model", str(tmp_path / "no-such-model")],
        "finetune": ["finetune", "--json", "--epochs", "0"],
        "adapters list": ["--db", str(corrupt), "adapters", "list", "--json"],
        "adapters export": ["adapters", "export", "99", "--format", "peft", "--out", str(tmp_path / "x"), "--json"],
        "adapters import": ["adapters", "import", missing, "--json", *model],
        "history": ["history", "99", "--json"],
        "rate": ["rate", "99", "up", "--json"],
        "correct": ["correct", "99", "Better.", "--json"],
        "texts": ["texts", "99", "--json"],
        "analyse": ["analyse", missing, "--json"],
        "continue": ["continue", missing, "--json"],
        "explain": ["explain", "99", "--token", "0", "--json"],
        "probe": ["probe", "99", "Paris", "--token", "0", "--json"],
        "export": ["export", "--json", "--out", str(tmp_path / "no-such-folder" / "x.jsonl")],
        "import": ["import", missing, "--json"],
        "recover": ["recover", missing, "--out", str(tmp_path / "recovered.sqlite3"), "--json"],
    }


def test_every_json_command_that_fails_prints_one_json_object_with_the_error(tmp_path, tiny_model_dir, capsys):
    failing = _failing_commands(tmp_path, tiny_model_dir)
    assert set(failing) == _json_commands(), "each command that takes --json has a failing case here"
    for command, argv in failing.items():
        code = main(argv)
        out, err = capsys.readouterr()
        assert code != 0, command
        result = json.loads(out)  # one object, nothing else on stdout
        assert result["exit_code"] == code and result["error"], command
        assert result["error"] in err, f"{command}: the person reads the same sentence on stderr"


def test_a_usage_error_under_json_is_json_too(capsys):
    code = main(["generate", "--json"])  # the prompt is missing
    out, err = capsys.readouterr()
    assert code == 2 and "`gpt2-desk generate --help`" in err and len(err.splitlines()) == 1  # one line (cli62)
    result = json.loads(out)
    assert "PROMPT" in result["error"] and result["exit_code"] == 2
    assert main(["history", "99", "--db-typo", "x"]) == 2  # without --json: stderr only, as before
    assert capsys.readouterr().out == ""


def _adapter(tmp_path, tiny_model_dir):
    from test_model_export import _setup

    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    return paths, store, aid, ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir)]


def test_adapters_list_has_a_header_and_says_what_the_mark_means(tmp_path, tiny_model_dir, capsys):
    paths, store, aid, common = _adapter(tmp_path, tiny_model_dir)
    adapters.activate(store, aid)
    store.close()
    assert main(["adapters", "list", *common]) == 0
    out, err = capsys.readouterr()
    header, row = out.splitlines()[:2]
    assert header.split() == ["ID", "RUN", "PARENT", "CREATED", "MARGIN", "PERPLEXITY"]
    assert row.startswith("*") and row.index("-1.250 -> -0.500") == header.index("MARGIN"), "columns line up"
    assert row.index("40.00 -> 40.50") == header.index("PERPLEXITY")
    assert "* = the active adapter" in err and "MARGIN:" in err and "PERPLEXITY:" in err
    assert main(["adapters", "list", "--all", *common]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[-1] == "MODEL" and row.rstrip().endswith(str(tiny_model_dir)), "--all names the model"


def test_a_merged_exports_progress_names_steps_not_done(tmp_path, tiny_model_dir, capsys):
    paths, store, aid, common = _adapter(tmp_path, tiny_model_dir)
    store.close()
    assert main(["adapters", "export", str(aid), "--format", "merged", "--out", str(tmp_path / "m"), *common]) == 0
    out, err = capsys.readouterr()
    stages = [line for line in err.splitlines() if line.endswith("...")]
    assert stages == ["Merging the adapter into the base model...", "Writing the merged model..."]
    assert f"from_pretrained({str(tmp_path / 'm')!r})" in err, "the note names the folder, not 'folder'"
    assert out == "", "the notes go to stderr, as every command's (cli102)"
    reported = []
    with Store.open(paths.db_path) as again:
        model_export.export_adapter(again, aid, "merged", tmp_path / "m2", paths,
                                    progress=lambda stage, done, total: reported.append((stage, done, total)))
    assert reported[-1] == ("Writing the merged model", 3, 3), "the window's bar ends on a step too"


def test_a_gguf_exports_merge_is_said_not_a_silent_pause(tmp_path, tiny_model_dir, capsys):
    paths, store, aid, common = _adapter(tmp_path, tiny_model_dir)
    store.close()
    out = tmp_path / "m.gguf"
    assert main(["adapters", "export", str(aid), "--format", "gguf", "--out", str(out), *common]) == 0
    stages = [line for line in capsys.readouterr().err.splitlines() if line.endswith("...")]
    # the base GGUF's header first: ~8 s on the bundled model that had passed unsaid (usertest46)
    assert stages[:4] == ["Reading the base model's tokenizer...", "Loading the base model...", "Adding the adapter...",
                          "Merging the adapter into the base model..."], "the merge's steps are said"
    assert stages[4:6] == ["Packing tensors (f16)...", "Writing the GGUF file..."]


def test_importing_into_a_database_without_ratings_says_no_reasks_not_0_of_0(tmp_path, tiny_model_dir, capsys):
    paths, store, aid, common = _adapter(tmp_path, tiny_model_dir)
    peft = model_export.export_adapter(store, aid, "peft", tmp_path / "peft", paths).path
    store.close()
    assert main(["adapters", "import", str(peft), *common]) == 0
    out, err = capsys.readouterr()
    assert "of 0" not in out and "re-asks: none (no rated questions to ask again)" in out
    assert "Re-scoring" not in err, "nothing rated, nothing to re-score"
    assert "re-asks were checked" not in out and "only general text was checked" in out
    assert "Measured..." not in err
    with Store.open(paths.db_path) as store:
        store.rename_adapter(aid, "shorter answers")
    assert main(["adapters", "list", *common]) == 0
    header, mine, imported = capsys.readouterr().out.splitlines()[:3]
    assert header.split()[-1] == "NAME" and mine.rstrip().endswith("shorter answers"), "the window's name shows"
    assert imported.split()[1] == "imported", "an imported adapter's RUN says where it came from"


# ---------------------------------------------------------------- found walking the CLI as a new person

def test_a_file_given_as_data_dir_is_one_sentence_not_a_traceback(tmp_path, capsys):
    a_file = tmp_path / "essay.txt"
    a_file.write_text("not a folder")
    assert main(["--data-dir", str(a_file), "history"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error" not in err
    assert err.count("\n") == 1 and "give --data-dir" in err and a_file.read_text() == "not a folder"


def test_scoring_an_empty_text_is_refused(tiny_model_dir, capsys):
    assert main(["score", "", "--model", str(tiny_model_dir)]) == 2
    captured = capsys.readouterr()
    assert "The text is empty" in captured.err and "index\ttoken" not in captured.out


def test_ctrl_c_during_generate_save_says_nothing_was_saved(tmp_path, tiny_model_dir, capsys, monkeypatch):
    from desktop_app.cli import model_cmds

    written = []

    def write_then_ctrl_c(record, stream=None):  # Ctrl+C lands while the answer streams
        written.append(record)
        if len(written) == 3:
            raise KeyboardInterrupt
    monkeypatch.setattr(model_cmds, "write_token", write_then_ctrl_c)
    db = str(tmp_path / "g.sqlite3")
    argv = ["--db", db, "--model", str(tiny_model_dir), "generate", "Hi", "--save", "--max-new-tokens", "20"]
    assert main(argv) == 130
    out, err = capsys.readouterr()
    assert out.endswith("\n"), "the message does not run on after the answer's last word"
    assert "interrupted: nothing was saved" in err
    with Store.open(db) as store:
        assert store.list_conversations() == []


def test_history_lines_up_its_columns_and_counts_in_words(tmp_path, capsys):
    db = str(tmp_path / "h.sqlite3")
    with Store.open(db) as store:
        cid = store.create_conversation("Q")
        question = store.add_message(cid, "user", "What is the capital of France?")
        answer = store.add_message(cid, "assistant", "Paris.", parent_id=question)
        store.rate_token(answer, 0, 1)
    assert main(["--db", db, "history", str(cid)]) == 0
    title, *lines = capsys.readouterr().out.splitlines()
    assert "T" not in title.split("updated ")[1] and "." not in title.split("updated ")[1], "to the second"
    assert lines[0].index("user") == lines[1].index("assistant"), "the role column lines up"
    assert "[1 token rating]" in lines[1]
    assert main(["--db", db, "history", str(cid), "--search", "Paris"]) == 2, "not silently ignored"
    assert "--search finds conversations" in capsys.readouterr().err


def test_finetune_shows_both_margins_the_gate_read(tmp_path, tiny_model_dir, capsys):
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from test_training_data import add_answer

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu")
    with Store.open(paths.db_path) as store:
        for i, question in enumerate(["Hi", "What is 2+2?", "Name a colour.", "Tell me a joke."]):
            _c, _u, mid, _p = add_answer(store, loaded, question, seed=i, max_new_tokens=6)
            store.rate_message(mid, 1 if i % 2 else -1)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--max-steps", "2", "--heldout", "0.25", *common]) == 0
    out = capsys.readouterr().out
    assert "margin (held-out ratings):" in out and "margin (all ratings):" in out, out


def test_a_missing_export_folder_is_refused_before_the_analysis_and_before_any_export(tmp_path, tiny_model_dir,
                                                                                       capsys):
    essay = tmp_path / "essay.txt"
    essay.write_text("The old lighthouse stood at the edge of the cliff for more than a hundred years.")
    written = tmp_path / "t.json"
    code = main(["analyse", str(essay), "--model", str(tiny_model_dir), "--export-json", str(written),
                 "--export-png", str(tmp_path / "no-such-folder" / "h.png")])
    err = capsys.readouterr().err
    assert code == 2 and "There is no folder" in err and "--export-png" in err
    assert not written.exists(), "no export half done under a message that says nothing was"
    assert "analysing" not in err
    assert main(["analyse", str(essay), "--model", str(tiny_model_dir), "--export-png", str(tmp_path / "h.jpg")]) == 2
    assert "ending in .png" in capsys.readouterr().err and not (tmp_path / "h.jpg").exists()


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(tmp_path, capsys):
    import sqlite3

    theirs = tmp_path / "places.sqlite"
    with sqlite3.connect(theirs) as conn:
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
        conn.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    conn.close()
    before = theirs.read_bytes()
    assert main(["--db", str(theirs), "history", "--json"]) == 2
    out, err = capsys.readouterr()
    assert "another program's SQLite database (tables: bookmarks)" in err
    assert json.loads(out)["exit_code"] == 2
    assert theirs.read_bytes() == before, "gpt2-desk's tables were not written into it"
    assert main(["--db", str(tmp_path / "new.sqlite3"), "history"]) == 0, "a new file still starts a database"


def test_ids_too_large_for_the_database_are_refused_as_usage(tmp_path, capsys):
    huge = "9" * 20
    for argv in (["history", huge], ["rate", huge, "up"], ["adapters", "activate", huge, "--json"],
                 ["explain", "1", "--token", huge]):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert "too large" in err and "unexpected" not in err, argv
        assert ("--json" not in argv and out == "") or json.loads(out)["exit_code"] == 2


def test_a_database_another_program_is_writing_is_busy_not_an_unexpected_error(tmp_path, capsys, monkeypatch):
    import sqlite3

    from desktop_app.core import store_file

    db = str(tmp_path / "busy.sqlite3")
    _question, answer = _saved_answer(db)
    monkeypatch.setattr(store_file, "BUSY_TIMEOUT_MS", 50)  # the store waits this long for the lock
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # e.g. the window, in the middle of a write
    try:
        code = main(["--db", db, "rate", str(answer), "up"])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    err = capsys.readouterr().err
    assert code == 2 and "is busy" in err and "unexpected" not in err
    assert main(["--db", db, "rate", str(answer), "up"]) == 0, "once it is free, the same command works"


def test_an_export_with_nothing_rated_says_what_would_fill_it(tmp_path, capsys):
    common = ["--data-dir", str(tmp_path / "data")]
    for extra, why in (([], "no chat ratings make kto examples yet: a KTO example is any rated answer"),
                       (["--text"], "no Text-mode ratings make kto examples: rate a continuation")):
        out = tmp_path / f"e{len(extra)}.jsonl"
        # an error, and no file: an empty one with exit 0 read as an export that worked (usertest 12)
        assert main(["export", "--format", "kto", *extra, "--out", str(out), *common]) == 2
        captured = capsys.readouterr()
        assert why in captured.err and "nothing was written" in captured.err and not out.exists()
        assert main(["export", "--format", "kto", *extra, *common]) == 2
        assert capsys.readouterr().out == "", "nor anything on stdout"
