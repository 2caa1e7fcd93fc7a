"""`gpt2-desk export` (kto / dpo / sft) then `gpt2-desk import` of the same files into a fresh data
dir brought each better answer (correction) back as a liked sibling of the answer it corrects: 7
ratings became 10, and the fine-tune's counts changed. An export read back keeps what each rating
was (corrections as corrections, thumbs as thumbs, sibling answers as siblings), and a second
format of the same ratings adds nothing."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_training_data import add_answer

TOKEN_KEYS = ("token_ratings", "token_rated_answers")


@pytest.fixture
def source(tmp_path, tiny_model_dir):
    """A profile with 3 corrections (one of a disliked answer), a liked and a disliked answer of one
    question (siblings), a lone disliked answer, and token ratings."""
    paths = AppPaths.resolve(tmp_path / "source").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(tiny_model_dir), paths, device="cpu")
    for i, question in enumerate(["What is 2+2?", "Capital of France?", "Name a colour."]):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=i)
        store.set_correction(mid, f"A better answer number {i}.")
        if i == 2:
            store.rate_message(mid, -1)
    conv, user, liked, _p = add_answer(store, loaded, "Tell me about the fox.", seed=5)
    _c, _u, disliked, _p = add_answer(store, loaded, "Tell me about the fox.", seed=6, conversation=conv,
                                      parent=user)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    _c, _u, lone, _p = add_answer(store, loaded, "Numbers please", seed=7)
    store.rate_message(lone, -1)
    store.rate_token(liked, 0, 1)
    store.rate_token(lone, 1, -1)
    yield store, paths, loaded
    store.close()


def counts(store, loaded) -> dict:
    data = build_training_data(store, loaded.tokenizer, loaded.context_window)
    return {k: v for k, v in data.counts().items() if k not in TOKEN_KEYS}


def export(paths, tmp_path, tiny_model_dir, fmt):
    out = tmp_path / f"ratings-{fmt}.jsonl"
    assert main(["export", "--format", fmt, "--out", str(out), "--data-dir", str(paths.data_dir),
                 "--model", str(tiny_model_dir), "--device", "cpu"]) == 0
    return out


def imported(tmp_path, tiny_model_dir, name, files, loaded):
    paths = AppPaths.resolve(tmp_path / name).ensure()
    for path in files:
        assert main(["import", str(path), "--data-dir", str(paths.data_dir)]) == 0
    store = Store.open(paths.db_path)
    try:
        return counts(store, loaded), len(store.ratings()), len(store.list_conversations())
    finally:
        store.close()


def test_all_three_formats_read_back_give_the_same_training_counts(source, tmp_path, tiny_model_dir):
    store, paths, loaded = source
    before = counts(store, loaded)
    assert before["corrections"] == 3 and before["sibling_pairs"] == 1 and before["thumbs_down"] == 3
    files = [export(paths, tmp_path, tiny_model_dir, fmt) for fmt in ("kto", "dpo", "sft")]
    after, thumbs, conversations = imported(tmp_path, tiny_model_dir, "fresh", files, loaded)
    assert after == before
    assert thumbs == len(store.ratings())  # thumbs and token ratings (left41), not + the corrections
    assert conversations == 5  # the fox's two answers in one, as in the source


@pytest.mark.parametrize("fmt, kept", [("kto", ("thumbs_up", "thumbs_down", "corrections", "sibling_pairs")),
                                       ("dpo", ("corrections", "sibling_pairs")),
                                       ("sft", ("thumbs_up", "corrections"))])
def test_each_format_brings_back_what_it_carries(source, tmp_path, tiny_model_dir, fmt, kept):
    store, paths, loaded = source
    before = counts(store, loaded)
    after, _thumbs, _conversations = imported(tmp_path, tiny_model_dir, fmt,
                                              [export(paths, tmp_path, tiny_model_dir, fmt)], loaded)
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}


def test_a_second_import_of_the_same_files_adds_nothing(source, tmp_path, tiny_model_dir, capsys):
    _store, paths, loaded = source
    files = [export(paths, tmp_path, tiny_model_dir, fmt) for fmt in ("dpo", "kto", "sft")]
    first = imported(tmp_path, tiny_model_dir, "twice", files, loaded)
    capsys.readouterr()
    again = imported(tmp_path, tiny_model_dir, "twice", files, loaded)
    assert again == first
    assert capsys.readouterr().out.count("imported nothing") == 3
