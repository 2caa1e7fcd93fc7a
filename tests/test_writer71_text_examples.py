"""A writer's ratings in the Text tab (writer71): an example keeps the text just before its continuation, not the
whole document; a held-out split groups text ratings by the place they continue and never holds out every
text place (or the only chat question), so what the person rated in each mode trains."""

from __future__ import annotations

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.store import Store
from desktop_app.core.text_training import TEXT_CONTEXT_TOKENS, plain_ids
from desktop_app.core.train_data import build_training_data

SENTENCE = "The ferry left the harbour at dawn and the gulls followed it out to sea. "
LONG_TEXT = SENTENCE * 40  # far more tokens than an example keeps


def _continue(store, tiny_model, doc, text, start, seed):
    gen = documents.continue_text(tiny_model, text, SamplingSettings(max_new_tokens=6, seed=seed))
    return tb.add_branch(store, doc, None, start, gen.text, records=gen.records)


def _chat_thumb(store, question, answer, value):
    conv = store.create_conversation(question)
    user = store.add_message(conv, "user", question)
    mid = store.add_message(conv, "assistant", answer, parent_id=user)
    store.rate_message(mid, value)
    return user


def writer_store(tmp_path, tiny_model, chats=1):
    """A long document with liked and disliked siblings at its end, a token-rated continuation halfway,
    and ``chats`` chat answers liked, each its own question."""
    store = Store.open(tmp_path / "w.sqlite3")
    doc = documents.create_document(store, LONG_TEXT)
    end = [_continue(store, tiny_model, doc, LONG_TEXT, len(LONG_TEXT), seed) for seed in (1, 2)]
    tb.rate_branch(store, end[0], 1)
    tb.rate_branch(store, end[1], -1)
    half = len(SENTENCE) * 20
    middle = _continue(store, tiny_model, doc, LONG_TEXT[:half], half, 3)
    tb.rate_branch(store, middle, -1, token_index=1)
    users = [_chat_thumb(store, f"What is a good name for ship number {n}?", "Call it the Gull.", 1)
             for n in range(chats)]
    return store, end, middle, users


def test_a_text_rating_keeps_the_text_just_before_it_not_the_whole_document(tmp_path, tiny_model):
    store, end, middle, _users = writer_store(tmp_path, tiny_model)
    tok = tiny_model.tokenizer
    whole = plain_ids(tok, LONG_TEXT)
    assert len(whole) > 2 * TEXT_CONTEXT_TOKENS  # the document is long: the bound is what shortens the prompt
    data = build_training_data(store, tok, 1024)  # a real model's window (the tiny one's is 128 tokens)
    text_examples = [e for e in (*data.unpaired, *data.pairs, *data.tokens) if e.group < 0]
    assert text_examples and all(len(e.prompt_ids) == TEXT_CONTEXT_TOKENS for e in text_examples)
    at_end = [e for e in data.unpaired if e.message_id in (-end[0], -end[1])]
    assert all(e.prompt_ids == whole[-TEXT_CONTEXT_TOKENS:] for e in at_end)  # its end: what the model read last
    halfway = next(e for e in data.tokens if e.message_id == -middle)
    assert halfway.prompt_ids == plain_ids(tok, LONG_TEXT[:len(SENTENCE) * 20])[-TEXT_CONTEXT_TOKENS:]
    store.close()


def test_text_ratings_group_by_place_siblings_together(tmp_path, tiny_model):
    store, end, middle, _users = writer_store(tmp_path, tiny_model)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    by_branch = {e.message_id: e.group for e in (*data.unpaired, *data.tokens)}
    assert by_branch[-end[0]] == by_branch[-end[1]] == -min(end)  # siblings: one place, one group
    assert by_branch[-middle] == -middle != by_branch[-end[0]]  # another place of the same text: another group
    assert all(p.group == -min(end) for p in data.pairs if p.source == "siblings")
    store.close()


def test_a_split_never_holds_out_every_text_place_nor_the_only_chat_question(tmp_path, tiny_model):
    store, _end, _middle, users = writer_store(tmp_path, tiny_model, chats=1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    assert len(data.groups()) == 3  # two text places and one chat question: one is held out
    for seed in range(12):
        train, held = data.split(0.2, seed=seed)
        held_groups = {e.group for e in (*held.unpaired, *held.pairs, *held.tokens)}
        assert len(held_groups) == 1 and users[0] not in held_groups  # the chat's one question trains
        assert held.rated() <= train.rated()  # the end's siblings and their pair (3 of 5) are not what is held
        assert any(e.group < 0 for e in (*train.unpaired, *train.pairs, *train.tokens))  # a text place trains
    store.close()


def test_a_text_with_one_rated_place_trains_whatever_the_draw(tmp_path, tiny_model):
    store = Store.open(tmp_path / "one.sqlite3")
    doc = documents.create_document(store, LONG_TEXT)
    for seed, value in ((1, 1), (2, -1), (3, -1)):
        tb.rate_branch(store, _continue(store, tiny_model, doc, LONG_TEXT, len(LONG_TEXT), seed), value)
    for n in range(3):
        _chat_thumb(store, f"What is a good name for ship number {n}?", "Call it the Gull.", 1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    for seed in range(12):
        train, held = data.split(0.4, seed=seed)
        assert held.unpaired and all(e.group > 0 for e in held.unpaired)  # something held out: a chat question
        assert any(e.group < 0 for e in train.unpaired)  # the one text place always trains
    store.close()
