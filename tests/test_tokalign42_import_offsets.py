"""An export's token ratings were indexed by the exporter's tokens only, and an import put each on the
token of that index in its own reading of the text: with another tokenizer (another split) a rating
moved to another word. An export now gives each rating the characters its token covers (``start``,
``end`` in the answer's text) beside the index, and an import with a tokenizer puts it on its own
token for those characters; a file without offsets still imports, by index, and the CLI says how
many went so. Real files through the CLI: a tiny byte-level BPE (the fixture model's) exports, a
tokenizer with no merges at all (every byte a token) imports."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core import exchange
from desktop_app.core.prompts import answer_ids
from desktop_app.core.store import Store
from desktop_app.core.text_pieces import layout_of
from test_tokalign42_split_ratings import EMOJI_TEXT, split_emoji, written_answer

TEXT = EMOJI_TEXT + " at the café"


@pytest.fixture(scope="module")
def bytes_tokenizer_dir(tmp_path_factory):
    """A byte-level tokenizer without merges: "day" is three tokens here, one in the tiny model's."""
    from tiny_model import byte_level_tokenizer

    folder = tmp_path_factory.mktemp("bytes-tokenizer")
    byte_level_tokenizer(["ab"], 257).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def bytes_tokenizer(bytes_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(bytes_tokenizer_dir)


@pytest.fixture
def exported(tmp_path, tiny_model, tiny_model_dir):
    """A liked answer with two token ratings (the emoji, clicked where it shows, and " day"), exported
    as kto through the CLI; (the file, the rated characters -> value)."""
    store = Store.open(tmp_path / "source.sqlite3")
    try:
        mid, layout = written_answer(store, tiny_model, TEXT)
        _first, shown = split_emoji(layout)
        day = next(i for i, p in enumerate(layout.pieces) if p.strip() == "d")  # the tiny tokenizer: " ", "d", "a", "y"
        store.rate_message(mid, 1)
        store.rate_token(mid, shown, -1)
        store.rate_token(mid, day, 1)
    finally:
        store.close()
    out = tmp_path / "kto.jsonl"
    assert main(["export", "--format", "kto", "--out", str(out), "--db", str(tmp_path / "source.sqlite3")]) == 0
    return out, {"😀": -1, "d": 1}


def rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def imported_ratings(db, tokenizer) -> dict[str, int]:
    """The imported answer's token ratings by the characters of its text their token covers."""
    store = Store.open(db)
    try:
        (answer,) = [m for c in store.list_conversations() for m in store.messages(c["id"]) if m["role"] == "assistant"]
        layout = layout_of(tokenizer, answer_ids(tokenizer, answer["text"]))
        out = {}
        for r in store.ratings(answer["id"]):
            if r["token_index"] is not None:
                start, end = layout.span(r["token_index"])
                out[answer["text"][start:end]] = r["value"]
        return out
    finally:
        store.close()


def test_the_export_gives_each_token_rating_its_characters(exported):
    path, rated = exported
    (row,) = rows(path)
    text = row["completion"][0]["content"]
    covered = {text[t["start"]:t["end"]]: t["value"] for t in row["token_ratings"]}
    assert covered == rated
    assert all(isinstance(t["token"], int) for t in row["token_ratings"])  # the index stays beside them


def test_another_tokenizer_puts_each_rating_on_its_own_token_for_those_characters(exported, tmp_path,
                                                                                bytes_tokenizer_dir, bytes_tokenizer,
                                                                                capsys):
    path, rated = exported
    db = tmp_path / "other.sqlite3"
    assert main(["import", str(path), "--db", str(db), "--model", str(bytes_tokenizer_dir)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert imported_ratings(db, bytes_tokenizer) == rated
    # by index alone they would sit elsewhere: the files' indices count the tiny model's tokens
    (row,) = rows(path)
    layout = layout_of(bytes_tokenizer, answer_ids(bytes_tokenizer, TEXT))
    by_index = {TEXT[slice(*layout.span(t["token"]))] for t in row["token_ratings"]}
    assert by_index != set(rated)


def test_the_same_tokenizer_puts_them_back_where_they_were(exported, tmp_path, tiny_model, tiny_model_dir):
    path, rated = exported
    db = tmp_path / "same.sqlite3"
    assert main(["import", str(path), "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    assert imported_ratings(db, tiny_model.tokenizer) == rated


def test_a_file_without_offsets_still_imports_by_index_and_says_so(exported, tmp_path, bytes_tokenizer_dir, capsys):
    path, _rated = exported
    (row,) = rows(path)
    for t in row["token_ratings"]:
        del t["start"], t["end"]
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "old.sqlite3"
    assert main(["import", str(old), "--db", str(db), "--model", str(bytes_tokenizer_dir)]) == 0
    said = capsys.readouterr().err
    assert "2 token ratings placed by the exporter's token index" in said and "no character offsets" in said
    store = Store.open(db)
    try:
        indices = sorted(r["token_index"] for r in store.ratings() if r["token_index"] is not None)
    finally:
        store.close()
    assert len(indices) == 2  # both kept, each at the file's index (moved to its character's first token)


def test_offsets_outside_the_answer_are_refused_and_nothing_is_imported(exported, tmp_path, capsys):
    path, _rated = exported
    (row,) = rows(path)
    row["token_ratings"][0]["end"] = len(TEXT) + 5
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(exchange.ExchangeError, match="start < end"):
        exchange.read_jsonl(bad)
    db = tmp_path / "bad.sqlite3"
    assert main(["import", str(bad), "--db", str(db)]) != 0
    assert "line 1" in capsys.readouterr().err
    store = Store.open(db)
    try:
        assert store.list_conversations() == []
    finally:
        store.close()


def test_the_core_import_without_a_tokenizer_counts_what_it_placed_by_index(exported, tmp_path):
    path, _rated = exported
    store = Store.open(tmp_path / "plain.sqlite3")
    try:
        done = exchange.import_examples(store, exchange.read_jsonl(path))
        assert done.tokens_by_index == 2 and done.tokens_merged == 0
    finally:
        store.close()
