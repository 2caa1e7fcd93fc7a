"""cli105: every command that writes a file takes ``--out FILE``, the file's kind read from its ending; the old
names (`analyse --export-*`, `history ID --export`, `texts ID --export`) still write the very same bytes, hidden
from --help; a name whose ending says no kind is refused with the endings taken. `--seed` says what it seeds."""

from __future__ import annotations

import pytest

from desktop_app.cli import main

from tests.test_html103_conversation_page import conversation

TEXT = "The cat sat on the mat.\n\nThen it slept, and dreamt of fish."

ANALYSE_PAIRS = (("--export-json", "a.json"), ("--export-html", "a.html"), ("--export-png", "a.png"),
                 ("--export-csv", "a.summary.csv"), ("--export-tokens-csv", "a.tokens.csv"))


def test_analyse_out_writes_what_each_old_option_wrote(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old = [arg for option, name in ANALYSE_PAIRS for arg in (option, str(tmp_path / "old" / name))]
    new = [arg for _option, name in ANALYSE_PAIRS for arg in ("--out", str(tmp_path / "new" / name))]
    for argv in (old, new):
        code, _out, err = run_cli("analyse", str(essay), "--measure", "rank", *argv)
        assert code == 0, err
    for _option, name in ANALYSE_PAIRS:
        written = (tmp_path / "new" / name).read_bytes()
        assert written and written == (tmp_path / "old" / name).read_bytes(), name


@pytest.mark.parametrize("name", ["essay.csv", "essay.txt"])
def test_analyse_refuses_an_ending_that_names_no_kind(run_cli, tmp_path, name):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    code, _out, err = run_cli("analyse", str(essay), "--out", str(tmp_path / name))
    assert code == 2
    assert f"--out {name}" in err
    for ending in (".json", ".html", ".png", ".summary.csv", ".tokens.csv"):
        assert ending in err
    assert not (tmp_path / name).exists() or name == "essay.txt"


def test_analyse_refuses_two_files_of_one_kind(run_cli, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    code, _out, err = run_cli("analyse", str(essay), "--export-png", str(tmp_path / "a.png"),
                              "--out", str(tmp_path / "b.png"))
    assert code == 2 and "--export-png and --out b.png both ask for" in err
    code, _out, err = run_cli("analyse", str(essay), "--vs-base", "--out", str(tmp_path / "c.html"))
    assert code == 2 and "leave out --out c.html" in err  # said in the words the person typed


@pytest.mark.parametrize("name", ["chat.json", "chat.md", "chat.html"])
def test_history_out_and_export_write_the_same_bytes(tmp_path, capsys, name):
    db = str(tmp_path / "h.sqlite3")
    cid = conversation(db)
    for option, folder in (("--export", "old"), ("--out", "new")):
        (tmp_path / folder).mkdir()
        assert main(["--db", db, "history", str(cid), option, str(tmp_path / folder / name)]) == 0
    written = (tmp_path / "new" / name).read_bytes()
    assert written and written == (tmp_path / "old" / name).read_bytes()


def test_history_refuses_an_ending_with_the_choices(tmp_path, capsys):
    db = str(tmp_path / "h.sqlite3")
    cid = conversation(db)
    assert main(["--db", db, "history", str(cid), "--out", str(tmp_path / "chat.txt")]) == 2
    err = capsys.readouterr().err
    assert "--out chat.txt" in err and ".json" in err and ".md" in err and ".html" in err


def test_texts_out_and_export_write_the_same_bytes(tmp_path, capsys):
    from desktop_app.core.documents import create_document
    from desktop_app.core.store import Store

    db = str(tmp_path / "t.sqlite3")
    with Store.open(db) as store:
        text_id = create_document(store, "Once upon a time, a cat.", "Story")
    assert main(["--db", db, "texts", str(text_id), "--export", str(tmp_path / "old.txt")]) == 0
    assert main(["--db", db, "texts", str(text_id), "--out", str(tmp_path / "new.txt")]) == 0
    assert (tmp_path / "new.txt").read_bytes() == (tmp_path / "old.txt").read_bytes() != b""
    assert main(["--db", db, "texts", "--out", str(tmp_path / "x.txt")]) == 2
    assert "--out needs a text's ID" in capsys.readouterr().err


@pytest.mark.parametrize("command, hidden", [("analyse", "--export-html"), ("analyse", "--export-tokens-csv"),
                                             ("history", "--export"), ("texts", "--export")])
def test_help_names_out_and_hides_the_old_names(capsys, command, hidden):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = capsys.readouterr().out
    assert "--out FILE" in shown and f"{hidden} " not in shown and f"{hidden}\n" not in shown


def test_each_seed_says_what_it_seeds(capsys):
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    ask = " ".join(capsys.readouterr().out.split())
    assert "the seed of the sampling, which token is drawn" in ask
    with pytest.raises(SystemExit):
        main(["finetune", "--help"])
    finetune = " ".join(capsys.readouterr().out.split())
    assert "not of any answer's sampling" in finetune and "which rated answers are held out" in finetune
