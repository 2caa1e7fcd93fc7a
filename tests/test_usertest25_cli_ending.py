"""`gpt2-desk continue` (and `generate`) end with a line that says why the model stopped in words that
name the option: usertest 25 read "[20 tokens, 3.0 tok/s, length]" and had to guess that "length" meant
--max-new-tokens. The tiny model, its real command line."""

from __future__ import annotations

from desktop_app.cli import main


def test_continue_says_it_stopped_at_max_new_tokens(tiny_model_dir, tmp_path, capsys):
    text = tmp_path / "story.txt"
    text.write_text("The lighthouse keeper climbed the stairs every evening to light the lamp.", encoding="utf-8")
    args = ["--model", str(tiny_model_dir), "--max-new-tokens", "3", "--seed", "3", "--precision", "exact"]
    assert main(["continue", str(text), *args]) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("[3 tokens, ") and last.endswith(", stopped at --max-new-tokens 3]")


def test_generate_says_it_too(tiny_model_dir, capsys):
    args = ["--model", str(tiny_model_dir), "--max-new-tokens", "2", "--seed", "3", "--precision", "exact"]
    assert main(["generate", "Hello", *args]) == 0
    # the summary, then (cli59) the line that says plain generate kept nothing
    last, not_saved = capsys.readouterr().err.strip().splitlines()[-2:]
    assert not_saved.startswith("not saved:")
    assert "stopped at --max-new-tokens 2]" in last and ", length" not in last
