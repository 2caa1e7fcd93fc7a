"""`gpt2-desk texts`: the Text tab's texts listed, printed and exported from the terminal (usertest41: `history`
listed only conversations and nothing reached a text written in the Text tab). A real store file, no model."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core import documents, text_branches
from desktop_app.core.store import Store

MAIN = "Once upon a time there was a lighthouse.\nIt shone."
MORE = " And the ships came home."


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "data"))
    return str(tmp_path / "texts.sqlite3")


def seed(db) -> dict:
    with Store.open(db) as store:
        story = documents.create_document(store, MAIN, "Lighthouse story")
        branch = text_branches.add_branch(store, story, None, len(MAIN), MORE)
        other = documents.create_document(store, "A second, shorter text.", "Notes")
    return {"story": story, "branch": branch, "other": other}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_texts_lists_each_text_with_its_id_length_and_title(db, capsys):
    ids = seed(db)
    code, out, _ = run(capsys, "--db", db, "texts")
    assert code == 0
    rows = out.splitlines()
    assert len(rows) == 2
    story_row = next(r for r in rows if "Lighthouse story" in r)
    assert story_row.split()[0] == str(ids["story"]) and f"{len(MAIN)} chars" in story_row
    code, out, _ = run(capsys, "--db", db, "texts", "--json")
    assert {d["title"]: d["chars"] for d in json.loads(out)} == {"Lighthouse story": len(MAIN), "Notes": 23}


def test_an_empty_store_says_where_texts_come_from(db, capsys):
    code, out, _ = run(capsys, "--db", db, "texts")
    assert code == 0 and out.startswith("no texts yet") and "Text tab" in out


def test_texts_id_prints_the_main_text_and_names_its_continuations_on_stderr(db, capsys):
    ids = seed(db)
    code, out, err = run(capsys, "--db", db, "texts", str(ids["story"]))
    assert code == 0
    assert out == MAIN + "\n"  # stdout holds the text alone, for a pipe
    assert "--branch BRANCH" in err and str(ids["branch"]) in err and "And the ships came home." in err


def test_branch_prints_the_text_as_the_tab_shows_that_continuation(db, capsys):
    ids = seed(db)
    code, out, _ = run(capsys, "--db", db, "texts", str(ids["story"]), "--branch", str(ids["branch"]))
    assert code == 0 and out == MAIN + MORE + "\n"


def test_export_writes_the_shown_text_with_the_text_tab_s_writer(db, capsys, tmp_path, monkeypatch):
    from desktop_app.core import text_export

    ids = seed(db)
    target = tmp_path / "story.txt"
    written = []
    real = text_export.write_text_atomically
    monkeypatch.setattr(text_export, "write_text_atomically",
                        lambda path, text: written.append(text) or real(path, text))
    code, out, err = run(capsys, "--db", db, "texts", str(ids["story"]), "--branch", str(ids["branch"]),
                         "--export", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == MAIN + MORE
    assert written == [MAIN + MORE], "the export goes through core.text_export, the Text tab's own writer"
    assert str(target) in err


@pytest.mark.parametrize("argv, words", [
    (("texts", "99"), "There is no text 99"),
    (("texts", "--export", "x.txt"), "--export needs a text's ID"),
    (("texts", "--branch", "1"), "--branch needs a text's ID"),
])
def test_a_wrong_id_or_a_missing_one_is_one_sentence(db, capsys, argv, words):
    seed(db)
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 2 and out == "" and words in err


def test_a_continuation_of_another_text_is_refused(db, capsys):
    ids = seed(db)
    code, _, err = run(capsys, "--db", db, "texts", str(ids["other"]), "--branch", str(ids["branch"]))
    assert code == 2 and f"Text {ids['other']} has no continuation {ids['branch']}" in err


def test_an_export_into_a_missing_folder_writes_nothing_and_says_so(db, capsys, tmp_path):
    ids = seed(db)
    target = tmp_path / "no-such-folder" / "story.txt"
    code, _, err = run(capsys, "--db", db, "texts", str(ids["story"]), "--export", str(target))
    assert code == 2 and "could not be written" in err and not target.parent.exists()


def test_the_top_level_help_names_texts(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "texts" in out and "Text tab's texts" in out


def test_export_refuses_an_existing_file_as_history_s_export_does(db, capsys, tmp_path):
    """`texts ID --export` over a file already there: refused in `adapters export`'s words, the file kept."""
    ids = seed(db)
    target = tmp_path / "mine.txt"
    target.write_text("mine, not to be lost\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "texts", str(ids["story"]), "--export", str(target))
    assert code == 2 and "already exists; choose another name or remove it first." in err
    assert target.read_text(encoding="utf-8") == "mine, not to be lost\n"
