"""cli42: command-line and core leftovers: ``analyse --vs-base --export-png`` draws the change as
the Text tab exports it. Real commands through the CLI's entry point, real SQLite, the tiny model."""

from __future__ import annotations

from desktop_app.cli import main
from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.palette import CHANGE_PALETTE
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from helpers import piece_records
from tiny_model import random_lora

TEXT = "The quick brown fox jumps over the lazy dog. " * 4


def _colours(path) -> set[tuple[int, int, int]]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull()
    return {image.pixelColor(x, y).getRgb()[:3] for x in range(image.width()) for y in range(image.height())}


def _active_adapter(data, tiny_model_dir) -> int:
    paths = AppPaths.resolve(data).ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    with Store.open(paths.db_path) as store:
        adapter_id = adapters.save_adapter(store, random_lora(tiny_model_dir), paths, base_model=loaded.model_id,
                                           run_id=None, parent_id=None, settings={}, metrics={})
        adapters.activate(store, adapter_id)
    return adapter_id


def test_vs_base_export_png_draws_the_change_colours_and_key(tmp_path, tiny_model_dir, capsys):
    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    data = tmp_path / "appdata"
    common = ["--data-dir", str(data), "--model", str(tiny_model_dir)]
    _active_adapter(data, tiny_model_dir)
    plain, change = tmp_path / "plain.png", tmp_path / "change.png"
    assert main(["analyse", str(text), "--export-png", str(plain), *common]) == 0
    assert main(["analyse", str(text), "--vs-base", "--export-png", str(change), *common]) == 0
    err = capsys.readouterr().err
    assert change.is_file() and "heatmap of the change" in err
    changed, measured = _colours(change), _colours(plain)
    assert changed != measured
    for end in (CHANGE_PALETTE[0], CHANGE_PALETTE[-1]):  # the key's gradient bar: purple .. green
        assert _near(end, changed) and not _near(end, measured)


def _near(colour, colours, within: int = 6) -> bool:
    return any(max(abs(a - b) for a, b in zip(colour, c)) <= within for c in colours)


def test_vs_base_still_refuses_json_and_csv_exports_and_a_bad_png_name(tmp_path, tiny_model_dir, capsys):
    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    common = ["--data-dir", str(tmp_path / "appdata"), "--model", str(tiny_model_dir)]
    assert main(["analyse", str(text), "--vs-base", "--export-csv", str(tmp_path / "x.csv"), *common]) == 2
    assert "--export-csv" in capsys.readouterr().err
    assert main(["analyse", str(text), "--vs-base", "--export-png", str(tmp_path / "x.jpg"), *common]) == 2
    assert "ending in .png" in capsys.readouterr().err
    assert not (tmp_path / "x.jpg").exists()


# ------------------------------------------------------------------ split characters: one rule everywhere

CAFE_TEXT = "I like café."


def _split(layout, character: str) -> tuple[int, int]:
    """(where a rating of ``character`` is kept by its tokens' bytes, the token that shows it)."""
    shown = next(i for i, p in enumerate(layout.pieces) if character in p)
    return layout.stored(shown), shown


def test_cli_rate_keeps_a_split_characters_rating_where_the_chat_card_does(tmp_path, tiny_model, capsys):
    """The tiny tokenizer writes "é" as "...\\xc3" (shown "caf" or so) then "\\xa9" (shown "é"): the
    pieces show no "" before it, so the pieces' rule kept a rating of "é" on the "é" token; the card,
    which has the bytes, keeps it on the token where the "é" began. The CLI reads the writer's
    tokenizer (a folder on this computer) and keeps it there too; the emoji agrees either way."""
    from test_tokalign42_split_ratings import written_answer

    with Store.open(tmp_path / "db.sqlite3") as store:
        for text, character in ((CAFE_TEXT, "é"), ("Nice 😀 day", "😀")):
            mid, layout = written_answer(store, tiny_model, text)
            kept, shown = _split(layout, character)
            argv = ["rate", str(mid), "down", "--token", str(shown), "--db", str(store.path),
                    "--data-dir", str(tmp_path / "data")]
            assert main(argv) == 0
            assert [r["token_index"] for r in store.ratings(mid)] == [kept], text
            assert f"kept on token {kept + 1} (--token {kept})" in capsys.readouterr().out  # cli52: both counts
            assert main(["rate", str(mid), "clear", "--token", str(kept), "--db", str(store.path),
                         "--data-dir", str(tmp_path / "data")]) == 0
            assert store.ratings(mid) == [], "clearing either token of the character clears it"
        mid, layout = written_answer(store, tiny_model, CAFE_TEXT)
        kept, shown = _split(layout, "é")
        assert kept == shown - 1 and layout.pieces[kept] != ""  # the case the pieces' rule got wrong


def test_text_mode_keeps_and_marks_a_split_characters_rating_by_the_bytes(tmp_path, tiny_model):
    """A continuation's "é": rated from its token, it is kept where the card keeps it (the token
    where it began), a click on either of its tokens finds that rating, and training reads it there."""
    from desktop_app.core import documents
    from desktop_app.core import text_branches as tb
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of
    from desktop_app.core.text_training import add_text_examples
    from desktop_app.core.train_data import TrainingData

    tokenizer = tiny_model.tokenizer
    ids = answer_ids(tokenizer, CAFE_TEXT)
    layout = layout_of(tokenizer, ids)
    kept, shown = _split(layout, "é")
    with Store.open(tmp_path / "t.sqlite3") as store:
        doc = documents.create_document(store, "Once")
        records = piece_records(ids, layout.pieces)
        branch_id = tb.add_branch(store, doc, None, 4, CAFE_TEXT, records=records)
        branch = tb.get_branch(store, branch_id)
        at = CAFE_TEXT.index("é")
        assert tb.written_token_at(branch, at) == shown  # the pieces' rule, without a tokenizer
        assert tb.written_token_at(branch, at, tokenizer) == kept
        assert tb.written_token_at(branch, at - 1, tokenizer) == kept  # the token where "é" began: one rating
        tb.rate_branch(store, branch_id, -1, token_index=shown, tokenizer=tokenizer)
        assert tb.branch_ratings(store, branch_id, tokenizer)["tokens"] == {kept: -1}
        tb.rate_branch(store, branch_id, 1, token_index=kept, tokenizer=tokenizer)  # replaces it
        assert tb.branch_ratings(store, branch_id, tokenizer)["tokens"] == {kept: 1}
        data = TrainingData()
        add_text_examples(data, store, tokenizer, tiny_model.context_window)
        assert [t.ratings for t in data.tokens] == [{kept: 1}]


# ------------------------------------------------------------------ the Fine-tune tab's count of an old database

def _old_rating(store, table: str, owner: str, owner_id: int, index: int, value: int, created: str) -> None:
    """A token rating as a version before the character rule stored it: on the token clicked."""
    with store.transaction() as conn:
        conn.execute(f"INSERT INTO {table} ({owner}, token_index, value, created) VALUES (?, ?, ?, ?)",
                     (owner_id, index, value, created))


def rate_split_characters_twice(store, tiny_model, earlier: str, later: str) -> int:
    """An old database's ratings of split characters, each rated twice on two of its tokens (the token
    that shows it at ``earlier``, the one where it began at ``later``): the emoji and the "é" of two
    answers, the emoji of a Text continuation. Returns the emoji answer's message id."""
    from desktop_app.core import documents
    from desktop_app.core import text_branches as tb
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of
    from test_tokalign42_split_ratings import EMOJI_TEXT, split_emoji, written_answer

    tokenizer = tiny_model.tokenizer
    mid, layout = written_answer(store, tiny_model, EMOJI_TEXT)
    first, shown = split_emoji(layout)
    _old_rating(store, "ratings", "message_id", mid, shown, -1, earlier)  # the emoji
    _old_rating(store, "ratings", "message_id", mid, first, 1, later)  # a dot of it
    cafe, cafe_layout = written_answer(store, tiny_model, CAFE_TEXT)
    kept, e = _split(cafe_layout, "é")
    _old_rating(store, "ratings", "message_id", cafe, e, -1, earlier)  # the "é"
    _old_rating(store, "ratings", "message_id", cafe, kept, 1, later)  # the token where it began
    doc = documents.create_document(store, "Once")
    ids = answer_ids(tokenizer, EMOJI_TEXT)
    pieces = layout_of(tokenizer, ids).pieces
    branch = tb.add_branch(store, doc, None, 4, EMOJI_TEXT,
                           records=piece_records(ids, pieces))
    _old_rating(store, "text_ratings", "branch_id", branch, shown, -1, earlier)
    _old_rating(store, "text_ratings", "branch_id", branch, first, 1, later)
    return mid


def test_two_old_ratings_on_one_character_count_as_the_one_that_trains(tmp_path, tiny_model):
    from desktop_app.core.train_counts import readiness
    from desktop_app.core.train_data import build_training_data

    tokenizer = tiny_model.tokenizer
    with Store.open(tmp_path / "db.sqlite3") as store:
        rate_split_characters_twice(store, tiny_model, "2026-01-01", "2026-02-01")
        data = build_training_data(store, tokenizer, tiny_model.context_window)
        trained = sum(len(t.ratings) for t in data.tokens)
        assert len(store.ratings()) == 4 and trained == 3  # one per character
        counts = readiness(store, tiny_model.model_id, tokenizer)
        assert counts["token_ratings"] == trained and counts["text_token_ratings"] == 1
        # without a tokenizer (the pieces alone) the emoji's two still count one; the "é", begun in
        # a token that shows "caf", needs the bytes
        assert readiness(store, tiny_model.model_id)["token_ratings"] == trained + 1
