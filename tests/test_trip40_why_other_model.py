"""usertest16, left: "Why this token?" on an answer another model wrote (its stored tokens are another
tokenizer's) read the answer's text in this model's tokens, but the clicked token's index still
counted the other model's tokens: it explained a token elsewhere in the text, or said "there is no
token N" for a token the card shows. The clicked token is found by its place in the text, and the
explanation says another model wrote the answer."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.core.explain_errors import ExplainError
from desktop_app.core.prompts import answer_ids
from desktop_app.core.text_pieces import piece_texts
from desktop_app.core.token_context import context_for_message, token_at
from test_training_data import add_answer

TEXT = "The capital of France is Paris, and the river is the Seine."


class RecordsCard:
    """What card_overlays reads of an answer's card: the tokens it shows."""

    def __init__(self, records):
        self.records = records


def written_elsewhere(store, loaded) -> int:
    """TEXT as a model with one token per character (another vocabulary) would have stored it."""
    _c, _u, own, _p = add_answer(store, loaded, "Tell me about Paris.", seed=1)
    like = store.token_records(own)[0]
    records = [dataclasses.replace(like, id=1000 + ord(ch), text=ch) for ch in TEXT]
    conv = store.create_conversation("Tell me about Paris.")
    user = store.add_message(conv, "user", "Tell me about Paris.")
    return store.add_message(conv, "assistant", TEXT, parent_id=user, model_id="bundled:another",
                             records=records, settings={"max_new_tokens": 64, "temperature": 0.7})


@pytest.mark.parametrize("word", ["Paris", "Seine"])
def test_the_clicked_token_is_found_by_its_place_in_the_text(store, tiny_model, word):
    foreign = written_elsewhere(store, tiny_model)
    clicked = TEXT.index(word)  # the card shows one token per character: its index is the offset
    context = context_for_message(store, tiny_model, foreign, clicked)
    ours = answer_ids(tiny_model.tokenizer, TEXT)
    pieces = piece_texts(tiny_model.tokenizer, ours)
    start = sum(len(p) for p in pieces[:context.index])
    assert start <= clicked < start + len(pieces[context.index]), "the token explained holds the clicked one"
    assert context.chosen == ours[context.index] and context.ids[context.prompt_len:] == ours[:context.index + 1]
    assert context.other_writer == "bundled:another" and context.forced and context.recorded_prob is None


def test_a_token_past_the_answer_is_still_refused(store, tiny_model):
    foreign = written_elsewhere(store, tiny_model)
    with pytest.raises(ExplainError, match=f"has {len(TEXT)} tokens"):
        context_for_message(store, tiny_model, foreign, len(TEXT))


def test_the_models_own_answer_keeps_its_index(store, tiny_model):
    _c, _u, own, _p = add_answer(store, tiny_model, "Name a red fruit.", seed=3)
    records = store.token_records(own)
    context = context_for_message(store, tiny_model, own, len(records) - 1)
    assert context.chosen == records[-1].id and context.other_writer is None
    assert context.recorded_prob == pytest.approx(records[-1].prob)


def test_a_character_split_over_tokens_belongs_to_its_first_token():
    assert token_at(["a", "", "é", "b"], 1) == 1 and token_at(["a", "", "é", "b"], 2) == 3
    assert token_at(["a"], 1) is None


def test_the_words_say_another_model_wrote_it(store, tiny_model):
    from desktop_app.gui.explain_words import other_writer_words

    context = context_for_message(store, tiny_model, written_elsewhere(store, tiny_model), 0)
    assert "bundled:another wrote this answer" in other_writer_words(context)


def test_the_attribution_colours_the_cards_own_tokens_before_the_clicked_one(store, tiny_model):
    """The card shows the other model's tokens (one per character here): the colours of the answer's
    earlier text fall on those, before the clicked one, not on this model's token numbers."""
    from desktop_app.core.explain import explain
    from desktop_app.gui.explain_overlays import card_overlays

    foreign = written_elsewhere(store, tiny_model)
    clicked = TEXT.index("Seine")
    result = explain(tiny_model, context_for_message(store, tiny_model, foreign, clicked), steps=4)
    card = RecordsCard(store.token_records(foreign))
    overlay = card_overlays([card], card, result)[card]
    assert overlay.colours and max(overlay.colours) < clicked
    assert max(overlay.colours) > result.context.index, "coloured by place in the text, not by token number"
