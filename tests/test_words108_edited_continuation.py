"""words108: an edit of an unrated continuation made every token of it unratable. The tokens before the edit, which
the model wrote after the very same text, are still rated and train on the ids the model wrote; a token the edit is
in, and every one after, is the person's. Real store, the tiny fixture model."""

from __future__ import annotations

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.train_data import build_training_data

STORY = "The keeper climbed the stairs of the lighthouse every evening"


def test_the_tokens_before_an_edit_are_the_intact_ones():
    branch = {"kind": "continuation", "tokens": [[1, " The"], [2, " cat"], [3, " sat"]], "text": " The cat sat"}
    assert tb.intact_tokens(branch) == 3
    assert tb.intact_tokens({**branch, "text": " The cat sat down"}) == 3  # after every token: all of them
    assert tb.intact_tokens({**branch, "text": " The cow sat"}) == 1  # in the second token
    assert tb.intact_tokens({**branch, "text": "A cat sat"}) == 0
    assert tb.intact_tokens({**branch, "kind": "edited", "text": " The cat sat down"}) == 0, "fork_edit's tokens"
    layout = tb.branch_layout({**branch, "text": " The cow sat"})
    assert layout.pieces == [" The"] and layout.token_of_character(1) == 0 and layout.token_of_character(5) is None


def _edited_in_its_last_token(store, tiny_model) -> dict:
    document = documents.create_document(store, STORY)
    made = documents.continue_text(tiny_model, STORY, SamplingSettings(max_new_tokens=8, seed=3))
    branch_id = tb.add_branch(store, document, None, len(STORY), made.text, records=made.records,
                              model_id=tiny_model.model_id)
    pieces = [r.text for r in made.records]
    cut = max(k for k, piece in enumerate(pieces) if len(piece) >= 2)
    assert cut > 0 and pieces[0], "a token with text before the edit"
    tb.set_branch_text(store, branch_id, "".join(pieces[:cut]) + pieces[cut][:1] + "\u00a7")
    return tb.get_branch(store, branch_id)


def test_a_rating_before_the_edit_trains_on_the_models_ids_and_one_after_it_is_skipped(store, tiny_model):
    branch = _edited_in_its_last_token(store, tiny_model)
    kept = tb.intact_tokens(branch)
    assert 0 < kept < len(branch["tokens"])
    tb.rate_branch(store, branch["id"], -1, 0, tokenizer=tiny_model.tokenizer)
    tb.rate_branch(store, branch["id"], 1, kept, tokenizer=tiny_model.tokenizer)
    assert tb.written_token_at(branch, 0, tiny_model.tokenizer) == 0
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    (rated,) = data.tokens
    assert rated.completion_ids == [int(t[0]) for t in branch["tokens"][:kept]]
    assert rated.ratings == {0: -1}
    assert any("edited after some of its tokens were rated" in line for line in data.skipped)
