"""usertest27: a new user on a server, terminal only. Real commands through the CLI's entry point,
real SQLite, the tiny fixture model."""

from __future__ import annotations

import re

from desktop_app.cli import main
from test_fact_consent import rated  # noqa: F401 (a fixture)


def test_finetune_into_a_log_says_how_far_the_steps_are(rated, tiny_model_dir, capsys):
    """stderr is no terminal here (a log, `| tee`, nohup): the bar is off, so without these lines a run
    of many minutes showed one "training..." and nothing more until the report."""
    store, paths = rated
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["finetune", "--max-steps", "12", "--heldout", "0", *common]) == 0
    err = capsys.readouterr().err
    steps = [int(n) for n in re.findall(r"^training: step (\d+) of 12\b", err, flags=re.MULTILINE)]
    assert steps[0] == 1 and steps[-1] == 12, err
    assert 3 <= len(steps) <= 11, "about one line a tenth, not one a step"
    assert "loss" in err.split("training: step 12 of 12")[1].splitlines()[0]
    assert "training...\n" not in err and "about 0 s left" not in err, "no bare line beside them, no zero"


def test_chat_takes_rate_and_correct_as_unknown_commands_not_questions(tiny_model_dir, monkeypatch, capsys):
    """`/rate up` went to the model as a question, and the person believed the answer rated."""
    import io
    import sys

    lines = "/rate up\n/correct Four.\n/etc/hosts is what?\n/quit\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["chat", "--model", str(tiny_model_dir), "--max-new-tokens", "2", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("Model:") == 1, "only the path went to the model"
    assert "There is no command /rate" in captured.err and "There is no command /correct" in captured.err
    # the chat saves its answers (cli52): rated outside it, by the id said after each
    assert "Answers are rated outside the chat: `gpt2-desk rate ID up`" in captured.err


def _saved_and_rated(tmp_path, tiny_model_dir, capsys) -> list[str]:
    common = ["--data-dir", str(tmp_path / "one"), "--model", str(tiny_model_dir)]
    assert main(["generate", "--save", "--max-new-tokens", "4", "--seed", "1", "Hi", *common]) == 0
    assert main(["rate", "2", "up", *common]) == 0
    capsys.readouterr()
    return common


def test_history_export_writes_the_file_import_reads_back(tmp_path, tiny_model_dir, capsys):
    """`import chat.json` reads the window's Conversation as JSON: a terminal user had no way to write one."""
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    chat, notes = tmp_path / "chat.json", tmp_path / "chat.md"
    assert main(["history", "1", "--export", str(chat), *common]) == 0
    assert main(["history", "1", "--export", str(notes), *common]) == 0
    assert "You rated this answer good." in notes.read_text(encoding="utf-8")
    other = ["--data-dir", str(tmp_path / "two"), "--model", str(tiny_model_dir)]
    assert main(["import", str(chat), *other]) == 0
    capsys.readouterr()
    assert main(["history", "1", *other]) == 0
    assert "[+1]" in capsys.readouterr().out, "the rating came along"


def test_history_export_refuses_what_it_cannot_write(tmp_path, tiny_model_dir, capsys):
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    assert main(["history", "--export", str(tmp_path / "all.json"), *common]) == 2
    assert main(["history", "1", "--export", str(tmp_path / "chat.txt"), *common]) == 2
    assert main(["history", "7", "--export", str(tmp_path / "chat.json"), *common]) == 2
    err = capsys.readouterr().err
    assert "give its id" in err and ".json (every branch and rating" in err and ".html (the branch as a page" in err and "no conversation 7" in err
    assert not list(tmp_path.glob("chat.*")) and not (tmp_path / "all.json").exists()


def test_importing_history_json_says_which_file_would_import(tmp_path, tiny_model_dir, capsys):
    """The refusal named only TRL JSON Lines; `history --json` output is what a terminal user tries first."""
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    assert main(["history", "1", "--json", *common]) == 0
    printed = tmp_path / "printed.json"
    printed.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["import", str(printed), *common]) == 2
    err = capsys.readouterr().err
    assert "Conversation as JSON" in err and "history ID --export chat.json" in err and "Nothing was imported" in err


def test_one_imported_example_names_its_one_conversation(tmp_path, tiny_model_dir, capsys):
    lines = tmp_path / "one.jsonl"
    lines.write_text('{"prompt": "Name a fruit.", "completion": "An apple.", "label": true}\n', encoding="utf-8")
    assert main(["import", str(lines), "--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("imported 1 example into conversation 1") and ".." not in said, said


def test_the_trl_script_note_names_its_folder_not_a_dot(tmp_path, tiny_model_dir, capsys, monkeypatch):
    """`--out r.jsonl --trl-script train.py` said "run it ... in ."."""
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "kto", "--out", "r.jsonl", "--trl-script", "train.py", *common]) == 0
    note = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("wrote train.py"))
    assert note.endswith(f"in {tmp_path.resolve()}"), note


def test_ctrl_c_in_finetune_says_nothing_changed(rated, tiny_model_dir):
    """Ctrl+C said a bare "interrupted": was an adapter saved, is the model in use another?"""
    import signal
    import subprocess
    import sys

    store, paths = rated
    command = [sys.executable, "-m", "desktop_app", "--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir),
               "--device", "cpu", "finetune", "--max-steps", "200", "--heldout", "0"]
    # a pytest-xdist worker ignores SIGINT, and a child inherits an ignored SIGINT (Python then raises no
    # KeyboardInterrupt): the child gets the terminal's default back, as a person's shell gives it
    run = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said = []
    for line in run.stderr:  # mid-run: Ctrl+C as a terminal sends it
        said.append(line)
        if line.startswith("training: step 1 of"):
            run.send_signal(signal.SIGINT)
    err = "".join(said) + run.stderr.read()
    assert run.wait() == 130, err
    assert "was cancelled: nothing changed (no adapter was saved" in err, err
    assert store.list_runs()[0]["status"] == "cancelled" and not store.list_adapters()


def test_analyse_and_continue_name_a_missing_file_as_import_does(tmp_path, tiny_model_dir, capsys):
    common = ["--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir)]
    missing = tmp_path / "drafts" / "essay.txt"
    for command in ("analyse", "continue"):
        assert main([command, str(missing), *common]) == 2
        assert f"There is no file {missing}." in capsys.readouterr().err
        assert main([command, str(tmp_path), *common]) == 2
        assert f"{tmp_path} is a folder" in capsys.readouterr().err
    assert main(["import", str(missing), *common]) == 2
    assert f"There is no file {missing}." in capsys.readouterr().err


def test_explain_counts_a_kept_set_of_one_token_in_the_singular(tmp_path, tiny_model_dir, capsys):
    """A greedy answer's sampler line said "the kept set of 1 tokens"."""
    common = ["--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir)]
    assert main(["generate", "--save", "--greedy", "--max-new-tokens", "2", "hi", *common]) == 0
    assert main(["explain", "2", "--token", "0", "--steps", "4", *common]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "the kept set of" in line)
    assert "the kept set of 1 token;" in line and "1 tokens" not in line, line


def test_the_chat_says_at_its_start_whether_it_is_saved(tiny_model_dir, monkeypatch, capsys):
    """It said nothing of it; since cli52 it saves its answers unless --no-save."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("/quit\n"))
    assert main(["chat", "--model", str(tiny_model_dir), "--no-save"]) == 0
    banner = capsys.readouterr().err
    assert "Nothing in this chat is saved" in banner and "gpt2-desk ask" in banner
    monkeypatch.setattr(sys, "stdin", io.StringIO("/quit\n"))
    assert main(["chat", "--model", str(tiny_model_dir)]) == 0
    assert "Each answer is saved as it ends, with its id" in capsys.readouterr().err


def test_a_negative_alternatives_count_is_refused(tmp_path, tiny_model_dir, capsys):
    """`--alternatives -1` was taken in silence: every token came back with no alternatives."""
    common = ["--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir)]
    for command in (["generate", "--max-new-tokens", "1", "hi"], ["score", "hi"], ["continue", "essay.txt"]):
        assert main([*command, "--alternatives", "-1", *common]) == 2
        assert "argument --alternatives: -1 is below 0" in capsys.readouterr().err


def test_a_second_correction_says_it_replaced_the_first(tmp_path, tiny_model_dir, capsys):
    """`correct 2 "B"` after `correct 2 "A"` said "saved a correction", as if there were two now."""
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    assert main(["correct", "2", "Paris.", *common]) == 0
    assert capsys.readouterr().out.startswith("saved a correction for message 2")
    assert main(["correct", "2", "It is Paris.", *common]) == 0
    assert "replaced the earlier correction of message 2 (it was \u201cParis.\u201d)" in capsys.readouterr().out
    assert main(["correct", "2", "It is Paris.", *common]) == 0
    assert "already had this correction" in capsys.readouterr().out


def test_a_search_that_finds_nothing_names_what_it_looked_for(tmp_path, tiny_model_dir, capsys):
    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    assert main(["history", "--search", "zebra", *common]) == 0
    assert capsys.readouterr().out.strip() == "no conversation contains \u201czebra\u201d"


def test_import_json_gives_a_script_the_new_conversations_ids(tmp_path, tiny_model_dir, capsys):
    """`import --json` was refused ("unrecognized arguments"), where `adapters import --json` works."""
    import json

    common = _saved_and_rated(tmp_path, tiny_model_dir, capsys)
    lines = tmp_path / "two.jsonl"
    lines.write_text('{"prompt": "A?", "completion": "a.", "label": true}\n'
                     '{"prompt": "B?", "completion": "b.", "label": false}\n', encoding="utf-8")
    assert main(["import", str(lines), "--json", *common]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["conversation_ids"] == [2, 3] and done["already_here"] == 0
    chat = tmp_path / "chat.json"
    assert main(["history", "1", "--export", str(chat), *common]) == 0
    other = ["--data-dir", str(tmp_path / "two"), "--model", str(tiny_model_dir)]
    assert main(["import", str(chat), "--json", *other]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["conversation_ids"] == [1] and done["ratings"] == 1 and not done["already_here"]


def test_adapters_export_names_a_missing_folder_as_export_does(tmp_path, tiny_model_dir, capsys):
    """"The folder X does not exist." here, "There is no folder X: create it first, ..." in `export`."""
    from test_cli42_fixes import _active_adapter

    data = tmp_path / "data"
    adapter_id = _active_adapter(data, tiny_model_dir)
    common = ["--data-dir", str(data), "--model", str(tiny_model_dir)]
    missing = tmp_path / "no" / "x.gguf"
    assert main(["adapters", "export", str(adapter_id), "--format", "gguf", "--out", str(missing), *common]) == 2
    assert f"There is no folder {missing.parent}: create it first" in capsys.readouterr().err
