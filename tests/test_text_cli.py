"""``gpt2-desk analyse`` and ``gpt2-desk continue`` on the tiny model: the summary, the JSON
records (equal to core scoring), exports, exit codes and bad files."""

from __future__ import annotations

import csv
import json

import pytest

from desktop_app.cli import main
from desktop_app.core import documents, session
from desktop_app.core.records import TokenRecord

TEXT = "The lighthouse keeper climbed the stairs every evening to light the lamp. " * 4


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_analyse_json_gives_the_summary_and_records_of_core_scoring(tiny_model_dir, tiny_model, text_file, capsys):
    assert main(["analyse", str(text_file), "--json", "--model", str(tiny_model_dir), "--precision", "exact"]) == 0
    out = json.loads(capsys.readouterr().out)
    scored, summary = session.analyse_text(tiny_model, TEXT)
    assert [TokenRecord.from_json(t) for t in out["tokens"]] == scored.records
    assert out["unscored_prefix"] + "".join(t["text"] for t in out["tokens"]) == TEXT
    assert out["unscored_prefix"] == "" and TEXT.startswith(out["tokens"][0]["text"])  # the first word is scored
    s = out["summary"]
    assert s["tokens"] == len(scored.records) and out["complete"] is True
    assert [b["count"] for b in s["rank_buckets"]] == list(summary.bucket_counts)
    assert s["perplexity"] == pytest.approx(summary.perplexity, rel=1e-6)
    assert s["mean_surprisal_bits"] == pytest.approx(summary.mean_surprisal_bits, rel=1e-6)
    assert sum(b["count"] for b in s["entropy_bits_histogram"]) == s["tokens"]
    assert {"text", "prob", "rank", "entropy"} <= set(out["tokens"][0])


def test_analyse_prints_the_summary_and_writes_the_three_exports(tiny_model_dir, text_file, tmp_path, capsys):
    png, js, table = tmp_path / "h.png", tmp_path / "h.json", tmp_path / "h.csv"
    assert main(["analyse", str(text_file), "--model", str(tiny_model_dir), "--export-png", str(png), "--width", "500",
                 "--export-json", str(js), "--export-csv", str(table), "--measure", "rank"]) == 0
    captured = capsys.readouterr()
    tokens = json.loads(js.read_text())["summary"]["tokens"]
    assert f"{tokens:,} tokens scored" in captured.out and "perplexity" in captured.out
    assert all(label in captured.out for label in ("rank 1–10", "rank 11–100", "rank 101–1000", "beyond 1000"))
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert image.width() == 500 and image.height() > 60  # four sentences wrap over several lines
    rows = list(csv.DictReader(table.open(encoding="utf-8-sig")))
    for section in ("rank_bucket", "probability", "entropy_bits"):
        part = [r for r in rows if r["section"] == section]
        assert sum(int(r["count"]) for r in part) == tokens
        assert sum(float(r["share"]) for r in part) == pytest.approx(1.0)
    assert "wrote the heatmap (500x" in captured.err


@pytest.mark.parametrize("content, words", [(b"PK\x03\x04\x00\x00binary", "binary"), (b"caf\xe9 au lait", "UTF-8")])
def test_a_binary_or_non_utf8_file_gets_a_sentence_and_a_failing_exit_code(tmp_path, capsys, content, words,
                                                                          tiny_model_dir):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    for command in ("analyse", "continue"):
        assert main([command, str(bad), "--model", str(tiny_model_dir)]) == 2
        err = capsys.readouterr().err
        assert words in err and "bad.txt" in err and "Traceback" not in err
    assert main(["analyse", str(tmp_path / "missing.txt")]) == 2
    assert "There is no file" in capsys.readouterr().err  # import's words, with the whole path (usertest27)


def test_analyse_refuses_an_empty_file_in_words(tmp_path, capsys, tiny_model_dir):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["analyse", str(empty), "--model", str(tiny_model_dir)]) == 2
    assert "empty" in capsys.readouterr().err


def test_continue_writes_on_from_the_end_and_from_an_empty_file(tiny_model_dir, text_file, tmp_path, capsys,
                                                              monkeypatch):
    from desktop_app.cli import model_cmds

    args = ["--model", str(tiny_model_dir), "--max-new-tokens", "6", "--seed", "3", "--precision", "exact"]
    assert main(["continue", str(text_file), "--json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 1 <= len(out["tokens"]) <= 6 and out["text"] == "".join(t["text"] for t in out["tokens"])
    monkeypatch.setattr(model_cmds, "use_colour", lambda _stream: True)  # as on a terminal: coloured
    assert main(["continue", str(text_file), *args]) == 0
    captured = capsys.readouterr()
    assert "\x1b[48;2;" in captured.out and captured.out.count("\x1b[0m") >= 2
    assert "tokens" in captured.err
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["continue", str(empty), "--json", *args]) == 0  # from the model's start token
    assert json.loads(capsys.readouterr().out)["tokens"]
    assert main(["continue", str(text_file), "--max-new-tokens", "0", "--model", str(tiny_model_dir)]) == 2
    for bad in (["--temperature", "-1"], ["--temperature", "4"], ["--top-k", "-2"]):  # refused before loading
        assert main(["continue", str(text_file), *bad, "--model", str(tiny_model_dir)]) == 2
        assert "must be" in capsys.readouterr().err
    assert main(["generate", "  ", "--model", str(tiny_model_dir)]) == 2
    assert "prompt is empty" in capsys.readouterr().err


def test_documents_read_refuses_before_anything_is_stored(tmp_path, tiny_model_dir, capsys):
    """The CLI opens no database for a bad file (nothing stored), nor for a good one."""
    from desktop_app.core.paths import AppPaths

    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x00\x01\x02")
    main(["analyse", str(bad), "--model", str(tiny_model_dir)])
    assert not AppPaths.resolve().db_path.exists()
    with pytest.raises(documents.UserFacingError):
        documents.read_text_file(bad)
