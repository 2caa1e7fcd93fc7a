"""usertest16: an answer another model wrote (another vocabulary) is trained from its text, not from
its stored token ids. Rated answers of the bundled model, then a fine-tune of a GPT-2 folder, stopped
with "IndexError: index out of range in self" (ids past the GPT-2's vocabulary); ids within it would
have trained other tokens than the ones shown."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.core.prompts import answer_ids
from desktop_app.core.train_data import build_training_data
from test_training_data import add_answer


def _written_elsewhere(store, loaded, question: str, shift) -> int:
    """The tiny model's answer to ``question`` stored again as another model would have written it:
    the same text and token texts, each id ``shift``-ed into that model's vocabulary."""
    _c, _u, own, _p = add_answer(store, loaded, question, seed=5)
    message = store.get_message(own)
    records = [dataclasses.replace(r, id=shift(r.id)) for r in store.token_records(own)]
    conv = store.create_conversation(question)
    user = store.add_message(conv, "user", question)
    return store.add_message(conv, "assistant", message["text"], parent_id=user, model_id="bundled:another",
                             records=records, settings={"max_new_tokens": 12})


@pytest.mark.parametrize("shift", [lambda i: i + 49_000, lambda i: (i + 7) % 400],
                         ids=["past-this-vocabulary", "within-it"])
def test_another_models_answer_trains_from_its_text(store, tiny_model, shift):
    tok = tiny_model.tokenizer
    foreign = _written_elsewhere(store, tiny_model, "What is the capital of France?", shift)
    store.rate_message(foreign, -1)
    store.rate_token(foreign, 0, -1)
    data = build_training_data(store, tok, tiny_model.context_window, end_with_eos=False)
    [example] = [e for e in data.unpaired if e.message_id == foreign]
    assert example.completion_ids == answer_ids(tok, store.get_message(foreign)["text"])
    assert all(0 <= i < len(tok) for i in example.completion_ids)
    assert data.tokens == [], "its token ratings count another model's tokens"
    assert any(f"message {foreign}" in reason for reason in data.skipped)


def test_the_models_own_answer_still_trains_from_the_ids_it_wrote(store, tiny_model):
    _c, _u, own, _p = add_answer(store, tiny_model, "Name a red fruit.", seed=3)
    store.rate_message(own, 1)
    store.rate_token(own, 0, 1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, end_with_eos=False)
    assert data.unpaired[0].completion_ids == [r.id for r in store.token_records(own)]
    assert [t.message_id for t in data.tokens] == [own]
