"""A rating of a character written over several byte-level tokens (an emoji, "é", CJK) landed on the
token that shows it, the last, which only finishes the character's bytes: training then pushed down
that byte ("bad") and taught the model to leave characters broken. A rating now trains where the
model chose the character (the token holding its first byte), is stored on the character's first
token from every path (the store as the window, the CLI and an import call it, Text mode), and
ratings stored the old way move there when training reads them. Real tokenizers: the tiny fixture
model's and the bundled model's (SmolLM2, converted once per session as other tests read it)."""

from __future__ import annotations

from desktop_app.cli import main
from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.prompts import answer_ids
from desktop_app.core.store import Store
from desktop_app.core.text_pieces import CharacterLayout, layout_of, marked_tokens, stored_ratings
from desktop_app.core.text_training import add_text_examples
from desktop_app.core.train_data import TrainingData, build_training_data
from helpers import piece_records

EMOJI_TEXT = "Nice 😀 day"


def written_answer(store, loaded, text: str, question: str = "Say something") -> tuple[int, CharacterLayout]:
    """An answer stored as generation stores it: the model's tokens of ``text`` as its records."""
    ids = answer_ids(loaded.tokenizer, text)
    layout = layout_of(loaded.tokenizer, ids)
    assert "".join(layout.pieces) == text
    records = piece_records(ids, layout.pieces)
    conv = store.create_conversation(question)
    user = store.add_message(conv, "user", question)
    mid = store.add_message(conv, "assistant", text, parent_id=user, model_id=loaded.model_id, records=records,
                            settings={"max_new_tokens": 64, "finish_reason": "eos"})
    return mid, layout


def split_emoji(layout: CharacterLayout) -> tuple[int, int]:
    """(first, shown): the emoji's first token and the one that shows it."""
    shown = next(i for i, p in enumerate(layout.pieces) if "😀" in p)
    first = shown
    while layout.pieces[first - 1] == "":
        first -= 1
    return first, shown


def token_examples(store, loaded):
    return build_training_data(store, loaded.tokenizer, loaded.context_window).tokens


def test_the_tiny_tokenizer_splits_the_emoji_and_its_last_token_is_a_continuation_byte(tiny_model):
    layout = layout_of(tiny_model.tokenizer, answer_ids(tiny_model.tokenizer, EMOJI_TEXT))
    first, shown = split_emoji(layout)
    assert first < shown and layout.pieces[first:shown] == [""] * (shown - first)
    assert layout.token_bytes[first][0] == 0xF0  # the emoji's first byte: where the model chose it
    assert all(0x80 <= b < 0xC0 for b in layout.token_bytes[shown])  # the shown token: continuation bytes only


def test_a_rating_of_the_shown_emoji_is_stored_and_trained_at_its_first_token(store, tiny_model):
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    store.rate_token(mid, shown, -1)  # what a click on the emoji asked for
    assert [r["token_index"] for r in store.ratings(mid)] == [first]
    (example,) = token_examples(store, tiny_model)
    assert example.ratings == {first: -1}
    assert example.completion_ids[first] == answer_ids(tiny_model.tokenizer, EMOJI_TEXT)[first]


def test_a_dot_and_the_character_are_one_rating_and_clearing_either_clears_it(store, tiny_model):
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    store.rate_token(mid, first + 1, 1)  # a dot of the emoji
    store.rate_token(mid, shown, -1)  # then the emoji itself: the same rating, changed
    assert [(r["token_index"], r["value"]) for r in store.ratings(mid)] == [(first, -1)]
    assert store.clear_rating(mid, shown) is True and store.ratings(mid) == []


def test_a_rating_stored_before_on_the_last_token_trains_at_the_first(store, tiny_model):
    """An older database: the rating sits on the token that shows the emoji (written as the old code
    wrote it, past the store's rule). Training reads it at the emoji's first token."""
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    with store.transaction() as conn:
        conn.execute("INSERT INTO ratings (message_id, token_index, value, created) VALUES (?, ?, -1, '2026-01-01')",
                     (mid, shown))
    (example,) = token_examples(store, tiny_model)
    assert example.ratings == {first: -1}
    assert sum(len(t.ratings) for t in token_examples(store, tiny_model)) == 1


def test_of_an_old_and_a_new_rating_of_one_character_the_newer_trains(store, tiny_model):
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    with store.transaction() as conn:
        conn.execute("INSERT INTO ratings (message_id, token_index, value, created) VALUES (?, ?, -1, '2026-01-01')",
                     (mid, shown))
        conn.execute("INSERT INTO ratings (message_id, token_index, value, created) VALUES (?, ?, 1, '2026-02-01')",
                     (mid, first))
    (example,) = token_examples(store, tiny_model)
    assert example.ratings == {first: 1}


def test_a_character_begun_in_a_token_that_shows_another_trains_there(store, tiny_model):
    """The tiny tokenizer writes "é" of "café" as "f\\xc3" (shown "f") then "\\xa9" (shown "é"): the
    pieces show no "" before "é", yet the model chose it with the "f". The bytes say so: training puts
    the rating at the "f" token, never at the byte that finishes the "é"."""
    text = "I like café."
    mid, layout = written_answer(store, tiny_model, text)
    shown = next(i for i, p in enumerate(layout.pieces) if "é" in p)
    began = shown - 1
    assert layout.pieces[began] != "" and layout.token_bytes[began].endswith(b"\xc3")  # as measured here
    store.rate_token(mid, shown, -1)  # the CLI's path: the store has the pieces, not the bytes
    (example,) = token_examples(store, tiny_model)
    assert example.ratings == {began: -1}


def test_the_cli_says_where_a_rating_of_a_split_character_is_kept(store, tiny_model, capsys):
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    assert main(["rate", str(mid), "down", "--token", str(shown), "--db", str(store.path)]) == 0
    said = capsys.readouterr().out
    # the lines count from 1 as the window does, with the --token number beside (cli52)
    assert f"kept on token {first + 1} (--token {first})" in said and f"tokens {first + 1}..{shown + 1}" in said
    assert [r["token_index"] for r in store.ratings(mid)] == [first]


def test_the_marks_cover_the_character_wherever_its_rating_is_stored(tiny_model):
    layout = layout_of(tiny_model.tokenizer, answer_ids(tiny_model.tokenizer, EMOJI_TEXT))
    first, shown = split_emoji(layout)
    for stored_at in (first, shown):  # the new place, and the old one
        rated = stored_ratings(layout, {stored_at: -1})
        assert rated == {first: -1}
        assert set(marked_tokens(layout, rated)) == set(range(first, shown + 1))  # the character shown is marked


def test_the_bundled_models_emoji_after_a_space_began_in_the_spaces_token(bundled_model_dir, store):
    """The bundled model (SmolLM2) writes " 😀" as " \xf0\x9f\x98" (shown " ") then "\x80" (shown
    "😀"): no dot before the emoji, yet it began in the token that shows the space. A rating of the
    emoji, stored the old way on its token, trains there; one from the window (which has the bytes)
    is stored there."""
    from types import SimpleNamespace

    from transformers import AutoTokenizer

    bundled = SimpleNamespace(tokenizer=AutoTokenizer.from_pretrained(bundled_model_dir), context_window=2048,
                              model_id="bundled:SmolLM2")
    mid, layout = written_answer(store, bundled, "a 😀 b")
    shown = layout.pieces.index("😀")
    assert layout.pieces[shown - 1] == " " and layout.token_bytes[shown - 1] == b" \xf0\x9f\x98"
    assert layout.trained(shown) == layout.stored(shown) == shown - 1
    assert list(layout.tokens_of(shown)) == [shown - 1, shown] and layout.span(shown) == (1, 3)  # " 😀"
    with store.transaction() as conn:
        conn.execute("INSERT INTO ratings (message_id, token_index, value, created) VALUES (?, ?, -1, '2026-01-01')",
                     (mid, shown))
    (example,) = token_examples(store, bundled)
    assert example.ratings == {shown - 1: -1}
    store.rate_token(mid, shown, 1, pieces=layout.pieces, token_bytes=layout.token_bytes)
    assert [(r["token_index"], r["value"]) for r in store.ratings(mid)] == [(shown - 1, 1)]


def test_a_character_begun_after_another_in_one_token_is_stored_where_it_reads_back(tiny_model):
    """The tiny tokenizer writes "日本" as "\\xe6\\x97" (""), "\\xa5\\xe6\\x9c" (shown "日") and "\\xac.."
    (shown "本"): 本 trains at the "日" token, yet is stored on its own, or it would read back as 日."""
    ids = answer_ids(tiny_model.tokenizer, "日本語")
    layout = layout_of(tiny_model.tokenizer, ids)
    assert layout.pieces[:3] == ["", "日", "本"]
    assert [layout.trained(i) for i in range(3)] == [0, 0, 1]
    assert [layout.stored(i) for i in range(3)] == [0, 0, 2]
    assert stored_ratings(layout, {2: -1, 1: 1}) == {2: -1, 0: 1}


def test_text_mode_stores_and_trains_a_split_characters_rating_at_its_first_token(tmp_path, tiny_model):
    store = Store.open(tmp_path / "t.sqlite3")
    try:
        main_text = "Once"
        doc = documents.create_document(store, main_text)
        ids = answer_ids(tiny_model.tokenizer, EMOJI_TEXT)  # a continuation the model wrote, as stored
        layout = layout_of(tiny_model.tokenizer, ids)
        records = piece_records(ids, layout.pieces)
        branch = tb.add_branch(store, doc, None, len(main_text), EMOJI_TEXT, records=records)
        first, shown = split_emoji(layout)
        at = tb.written_token_at(tb.get_branch(store, branch), EMOJI_TEXT.index("😀"))
        assert at == first  # where a click on the emoji in the heatmap rates
        tb.rate_branch(store, branch, -1, token_index=shown)  # and the old index is moved when stored
        assert tb.branch_ratings(store, branch)["tokens"] == {first: -1}
        data = TrainingData()
        add_text_examples(data, store, tiny_model.tokenizer, tiny_model.context_window)
        assert [t.ratings for t in data.tokens] == [{first: -1}]
    finally:
        store.close()


def test_a_broken_sequence_and_the_token_after_it_stay_two_ratings():
    """A model can write bytes that make no character (a random one does: "\\xe3\\x80" then "W"): the
    decoder shows "" then "\\ufffdW". "W" began in its own token, so its rating stays there."""
    layout = CharacterLayout(["tant", "", "\ufffdW", "t"], [b"tant", b"\xe3\x80", b"W", b"t"])
    assert layout.token_bytes is not None  # read by the bytes, though they are no valid UTF-8
    assert [layout.trained(i) for i in range(4)] == [0, 1, 2, 3]
    assert [list(layout.tokens_of(i)) for i in (1, 2)] == [[1], [2]]


def test_where_characters_start_agrees_with_pythons_decoder():
    import random

    from desktop_app.core.text_pieces import _char_starts

    rng = random.Random(42)
    for _ in range(3000):
        data = bytes(rng.choice([rng.randrange(256), rng.randrange(0x80, 0xC0), 0xE3, 0xF0, 0x41])
                     for _ in range(rng.randrange(1, 12)))
        assert len(_char_starts(data)) == len(data.decode("utf-8", "replace")), data
