"""cli62: an hour at the terminal with every command, then its findings fixed; real commands on the tiny model."""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import signal
import subprocess
import sys

import pytest

from desktop_app.cli import build_parser, main
from desktop_app.cli.help_examples import EXAMPLES
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store

SHORT = ("--max-new-tokens", "4", "--seed", "3")


def _commands(parser: argparse.ArgumentParser, words: str = ""):
    """Every command and action with its parser: ("", the top), ("rate", …), ("adapters export", …)."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield from _commands(action.choices[choice.dest], f"{words} {choice.dest}".strip())


def _example_argv(line: str) -> list[str] | None:
    """The gpt2-desk part of an example line (after a pipe, before a redirection or a comment); None for a
    line that runs another program."""
    if "gpt2-desk" not in line:
        return None
    command = line[line.index("gpt2-desk"):].split("  (")[0]
    for end in (" > ", " | "):
        command = command.split(end)[0]
    return shlex.split(command)[1:]


def test_every_command_s_help_says_what_it_does_and_shows_it_used(capsys):
    """Most commands' --help listed only their options: no sentence of what the command does, no example."""
    commands = dict(_commands(build_parser()))
    assert set(commands) == set(EXAMPLES), "every command has examples, and every example table row a command"
    for words, parser in commands.items():
        with pytest.raises(SystemExit):
            main([*words.split(), "--help"])
        shown = capsys.readouterr().out
        assert parser.description and parser.description.strip() in " ".join(shown.split()), words
        examples = shown.split("\nexamples:\n", 1)[1].splitlines()
        assert examples[:len(EXAMPLES[words])] == [f"  {line}" for line in EXAMPLES[words]], words


def test_every_example_is_a_command_line_that_parses():
    for words, lines in EXAMPLES.items():
        for line in lines:
            argv = _example_argv(line)
            if argv is None:
                continue
            args = build_parser().parse_args(argv)  # a UsageError here: the example does not parse
            assert args.command == (argv[0] if argv else None), line


def test_a_usage_error_is_one_line_that_names_the_help(capsys):
    """A mistyped option printed the whole usage (13 lines for `ask`), the error last."""
    assert main(["rate", "2", "sideways"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [err.strip()]
    assert "argument up|down|clear: invalid choice: 'sideways'" in err
    assert "`gpt2-desk rate --help` shows what it takes" in err


def test_piped_chat_shows_each_question_after_you(run_cli, monkeypatch):
    """Piped, the chat's stdout read "You: Model: Hello…" (input() wrote its prompt, the pipe no question), with
    a bare "You: " at its end."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("Hi there\nAnd again?\n"))
    code, out, _ = run_cli("chat", "--max-new-tokens", "3", "--seed", "1", "--no-save")
    assert code == 0
    assert out.startswith("\nYou: Hi there\nModel: ")  # the tiny model's answers may hold line breaks
    assert "\nYou: And again?\nModel: " in out
    assert out.count("You:") == 2, "no bare prompt after the last question"


def _answer(run_cli) -> int:
    code, out, _ = run_cli("ask", *SHORT, "--json", "Hi")
    assert code == 0
    return json.loads(out)["message_id"]


def test_clearing_a_thumb_names_the_token_ratings_that_stay(run_cli):
    """`rate ID clear` on an answer with a rated token said "message 14 had no rating"."""
    message = _answer(run_cli)
    assert run_cli("rate", str(message), "down", "--token", "2")[0] == 0
    code, out, _ = run_cli("rate", str(message), "clear")
    assert code == 0
    assert out.strip() == (f"message {message} had no rating; its 1 token rating (--token 2) stays: "
                           f"`gpt2-desk rate {message} clear --token N` clears one")
    with Store.open(AppPaths.resolve().db_path) as store:
        assert [r["token_index"] for r in store.ratings(message)] == [2], "clear left the token's rating"


def test_a_negative_token_is_refused_before_the_tokenizer_or_the_model_is_read(run_cli):
    message = _answer(run_cli)
    code, _, err = run_cli("rate", str(message), "down", "--token", "-1")
    assert code == 2 and "there is no token -1" in err
    assert "reading the answer's tokenizer" not in err, "said before reading it"
    code, _, err = run_cli("explain", str(message), "--token", "-1")
    assert code == 2 and err.strip() == "gpt2-desk: --token counts the answer's tokens from 0; there is no token -1."


def test_explain_s_token_out_of_its_writer_s_answer_is_refused_before_the_model_loads(run_cli):
    """It loaded the model first (seconds, a minute on a busy machine), then said the answer had 9 tokens."""
    message = _answer(run_cli)
    code, _, err = run_cli("explain", str(message), "--token", "4")
    assert code == 2 and err.strip() == f"gpt2-desk: Message {message} has 4 tokens (0 to 3); there is no token 4."
    assert "Starting PyTorch" not in err, "no model was loaded to say it"
    code, _, err = run_cli("explain", str(message), "--token", "3", "--steps", "2")
    assert code == 0 and "Starting PyTorch" in err, "a token of the answer is explained as before"
    # its passes are said (one line where stderr is not a terminal): it had said nothing through them
    assert "which earlier tokens led to it (integrated gradients)..." in err.splitlines()


def test_score_s_mean_has_its_unit_and_perplexity(run_cli):
    code, out, err = run_cli("score", "The cat sat on the mat")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines() if line[:1].isdigit()]
    mean = sum(float(row[3]) for row in rows) / len(rows)
    summary = err.strip().splitlines()[-1]
    assert f"mean log-probability {mean:.3f} nats per token (perplexity " in summary, summary


def test_a_broken_json_line_s_error_is_not_cut_off(tmp_path, capsys):
    """"line 1: not valid JSON (Unterminated string starting at)": json's message ends in a bare "at"."""
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"prompt": "Hi\n', encoding="utf-8")
    assert main(["import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "line 1: not valid JSON (Unterminated string starting at column 12)." in err


def test_no_passage_known_by_heart_is_one_sentence_and_the_surprises_name_their_bits():
    from desktop_app.cli.text_cmds import recited_text, surprises_text

    said = recited_text([object()] * 23, [], 12)
    assert said == ("No passage the model predicted nearly every token of (12 or more tokens, over 3 in 4 of them "
                    "its first choice) among 23 tokens.")
    assert "bits: the token's surprisal / the model's uncertainty there" in surprises_text([], [], "least_likely")


def test_vs_base_without_an_active_adapter_says_so_before_the_model_loads(run_cli, tmp_path):
    from desktop_app.core.adapter_change import NO_ADAPTER

    text = tmp_path / "note.txt"
    text.write_text("The cat sat on the mat.", encoding="utf-8")
    assert run_cli("ask", *SHORT, "Hi")[0] == 0  # a database, with no adapter in it
    code, _, err = run_cli("analyse", str(text), "--vs-base")
    assert code == 2 and err.strip() == f"gpt2-desk: {NO_ADAPTER}", "one line, and no model loaded to say it"


def test_an_export_s_size_is_in_the_megabytes_a_file_manager_shows(tmp_path, tiny_model_dir, capsys):
    """The merged GGUF of 270,885,568 bytes was said to be "258.3 MB" (MiB, as `models` counted too); a file manager
    says 270.9 MB."""
    from test_model_export import _setup

    from desktop_app.core.model_export import megabytes
    from desktop_app.core.local_models import LocalModel

    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    store.close()
    out_file = tmp_path / "tiny.gguf"
    assert main(["adapters", "export", str(aid), "--format", "gguf", "--out", str(out_file),
                 "--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir)]) == 0
    first = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("wrote "))  # cli102
    assert first == f"wrote {out_file} ({megabytes(out_file.stat().st_size)})"
    assert megabytes(270_885_568) == "270.9 MB"  # the bundled model's merged GGUF, in bytes
    assert LocalModel("bundled", "bundled", "SmolLM2", "", size_bytes=98_362_432).size_text == "98 MB"


class _CtrlCWhileWriting(io.StringIO):
    """stdout that presses Ctrl+C (a real SIGINT to this process) as the first text is written to it."""

    pressed = False

    def write(self, text: str) -> int:
        if not self.pressed:
            self.pressed = True
            os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def test_a_ctrl_c_while_the_json_goes_out_leaves_it_whole(tiny_model_dir, monkeypatch):
    """`continue --json` pressed as its 100 KB object went out: the object cut mid-way, main's error object
    after it, exit 130; the work was done by then."""
    out = _CtrlCWhileWriting()
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["score", "--model", str(tiny_model_dir), "--device", "cpu", "--json", "The cat sat on the mat"])
    assert out.pressed and code == 0
    assert len(json.loads(out.getvalue())["tokens"]) > 3, "one whole object"


def test_a_ctrl_c_as_the_program_exits_prints_no_traceback(tmp_path):
    """Pressed after the command had printed, while the interpreter ran PyTorch's exit cleanups: "Exception ignored
    in atexit callback … KeyboardInterrupt" with its traceback. The program's main leaves exit to finish."""
    program = ("import os, signal, sys\n"
               "from desktop_app.cli import main\n"
               f"sys.argv = ['gpt2-desk', '--data-dir', {str(tmp_path / 'data')!r}, 'history']\n"
               "code = main()\n"
               "os.kill(os.getpid(), signal.SIGINT)  # as a person's Ctrl+C while the interpreter exits\n"
               "print('exit code', code)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "exit code 0", done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr


@pytest.mark.parametrize("command", ["generate", "ask", "score", "continue", "analyse"])
def test_json_help_gives_the_records_units(command, capsys):
    """A record's "entropy" is in nats, where score's table and every text say bits: no --json said so."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "logprob (natural log)" in said and "entropy_bits (bits, as the text says)" in said
    assert "entropy (the same in nats, kept for older scripts)" in said


def test_the_json_s_entropy_is_the_table_s_in_nats(run_cli):
    code, table, _ = run_cli("score", "The cat sat on the mat")
    assert code == 0
    bits = [float(line.split("\t")[5]) for line in table.splitlines() if line[:1].isdigit()]
    code, out, _ = run_cli("score", "--json", "The cat sat on the mat")
    nats = [token["entropy"] for token in json.loads(out)["tokens"]]
    assert nats == pytest.approx([b * 0.6931 for b in bits], abs=2e-3)


def test_an_empty_history_says_how_to_start_a_conversation(capsys, tmp_path):
    assert main(["history", "--data-dir", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.strip() == ('no conversations yet: `gpt2-desk ask "..."` or `gpt2-desk chat` '
                                               'starts one')


def test_ctrl_c_before_the_run_began_says_nothing_changed(store):
    """Ctrl+C while `finetune` loaded its copy of the model (no run recorded yet) said a bare "interrupted"."""
    from desktop_app.cli.finetune_cmds import _cancelled_words

    assert _cancelled_words(store, len(store.list_runs())) == (
        "stopped before the run began: nothing changed (no adapter was saved, the model in use is as it was)")
    run_id = store.create_run({}, "tiny")
    store.update_run(run_id, status="cancelled")
    assert _cancelled_words(store, 0).startswith(f"run {run_id} was cancelled: nothing changed")
