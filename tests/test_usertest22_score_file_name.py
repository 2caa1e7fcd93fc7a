"""usertest22: `gpt2-desk score essay.txt` scored the nine characters "essay.txt" and said nothing
(exit code 0), where `analyse essay.txt` reads the file. It still scores what it was given (a name may
be the very text meant), with a note on stderr that points to `analyse`. The real CLI, the tiny model."""

from __future__ import annotations

from desktop_app.cli import main


def _score(tiny_model_dir, text: str, capsys) -> str:
    assert main(["score", "--model", str(tiny_model_dir), "--device", "cpu", text]) == 0
    return capsys.readouterr().err


def test_a_file_given_to_score_gets_a_note_that_points_to_analyse(tiny_model_dir, tmp_path, capsys):
    essay = tmp_path / "essay.txt"
    essay.write_text("The capital of France is Paris.", encoding="utf-8")
    err = _score(tiny_model_dir, str(essay), capsys)
    assert "themselves, not the file of that name" in err
    assert f"gpt2-desk analyse {essay}" in err


def test_a_file_name_that_is_not_here_gets_the_note_too(tiny_model_dir, capsys):
    err = _score(tiny_model_dir, "notes.md", capsys)
    assert "there is no file of that name here" in err and "gpt2-desk analyse FILE" in err


def test_ordinary_text_gets_no_note(tiny_model_dir, capsys):
    assert "note: scoring the words" not in _score(tiny_model_dir, "Hello there.", capsys)
