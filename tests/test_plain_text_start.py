"""Plain text (Text mode, `score`, `analyse`) is read after the start token plain text is read
after (core.prompts.plain_text_start): the analysis, a continuation, the training on Text-mode
ratings and "Why this token?" all give the model the same ids, and the first token is scored
too (its prediction is the start token's); a model without such a token reads the text as
before (its first token is unscored, the only context of the second)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import torch

from desktop_app.core import session
from desktop_app.core.documents import continuation
from desktop_app.core.errors import UserFacingError
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.prompts import encode, plain_text_start
from desktop_app.core.scoring import score_ids, score_text
from desktop_app.core.text_training import plain_ids

TEXT = "The quick brown fox jumps over the lazy dog. The capital of France is Paris."


def _direct(loaded, context: list[int], ids: list[int]) -> list[tuple[float, int]]:
    """(log-probability, rank) of every one of ``ids`` with transformers alone, the model
    reading context + ids (``context`` not empty)."""
    full = list(context) + list(ids)
    with torch.inference_mode():
        logprobs = torch.log_softmax(loaded.model(input_ids=torch.tensor([full])).logits[0].float(), dim=-1)
    out = []
    for i in range(len(context), len(full)):
        row = logprobs[i - 1]
        chosen = row[full[i]]
        out.append((float(chosen), int((row > chosen).sum()) + 1))
    return out


def test_the_records_are_the_models_own_after_its_end_of_text_token(tiny_model):
    eot = tiny_model.tokenizer.convert_tokens_to_ids("<|endoftext|>")
    ids, records = score_text(tiny_model, TEXT)
    assert ids == encode(tiny_model.tokenizer, TEXT) and len(records) == len(ids)  # the first token too
    assert [r.id for r in records] == ids and records[0].text == "The"
    expected = _direct(tiny_model, [eot], ids)
    assert [r.rank for r in records] == [rank for _lp, rank in expected]
    assert [r.logprob for r in records] == pytest.approx([lp for lp, _rank in expected], abs=1e-4)
    without = _direct(tiny_model, ids[:1], ids[1:])  # the second token on: a real difference
    assert max(abs(r.logprob - lp) for r, (lp, _rank) in zip(records[1:], without)) > 1e-3
    scored = session.score_whole_text(tiny_model, TEXT)
    assert scored.records == records and scored.complete and scored.first == 0 and scored.scorable == len(ids)
    assert scored.unscored_prefix == "" and "".join(r.text for r in records) == TEXT
    one = session.score_whole_text(tiny_model, "The")  # a one-token text has its score
    assert len(one.ids) == 1 and [r.id for r in one.records] == one.ids and one.complete


def test_the_first_token_counts_in_the_summary(tiny_model):
    scored, summary = session.analyse_text(tiny_model, TEXT)
    assert summary.tokens == len(scored.ids) == len(scored.records)
    assert sum(summary.bucket_counts) == len(scored.ids)


def test_continuing_training_and_explaining_read_the_same_ids(tiny_model):
    from desktop_app.core.token_context import context_for_text

    tok = tiny_model.tokenizer
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    ids = encode(tok, TEXT)
    assert plain_ids(tok, TEXT) == [eot] + ids
    assert plain_ids(tok, "") == [eot]
    settings = SamplingSettings(max_new_tokens=4, seed=1)
    assert continuation(tiny_model, TEXT, settings).prompt_ids == [eot] + ids
    assert continuation(tiny_model, "", settings).prompt_ids == [eot]
    long = encode(tok, TEXT * 20)  # cut to fit the window: its start is not there, nor the start token
    window_ids = continuation(tiny_model, TEXT * 20, settings).prompt_ids
    assert window_ids == long[-len(window_ids):] and len(window_ids) == tiny_model.context_window - 4
    context = context_for_text(tiny_model, ids, 0, settings, by_model=False)  # the first token: after the start
    assert context.ids == [eot] + ids[:1] and context.prompt_len == 1 and context.chosen == ids[0]
    context = context_for_text(tiny_model, ids, 1, settings, by_model=False)
    assert context.ids == [eot] + ids[:2] and context.prompt_len == 2 and context.chosen == ids[1]


@pytest.fixture(scope="module")
def tokenizers_without(tmp_path_factory):
    """Byte-level BPE tokenizers within the tiny model's vocabulary: one with no special token
    at all, one whose only one is a start-of-text ``<s>``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from tiny_model import CORPUS
    from transformers import PreTrainedTokenizerFast

    made = {}
    for name, special in (("none", []), ("bos", ["<s>"])):
        raw = Tokenizer(models.BPE())
        raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        raw.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=special,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        raw.train_from_iterator(CORPUS * 20, trainer=trainer)
        kwargs = {"bos_token": "<s>"} if special else {}
        made[name] = PreTrainedTokenizerFast(tokenizer_object=raw, **kwargs)
    return made


def test_a_model_without_a_start_token_reads_the_text_as_before(tiny_model, tokenizers_without):
    tok = tokenizers_without["none"]
    assert "<|endoftext|>" not in tok.get_vocab() and plain_text_start(tok) == []
    bare = dataclasses.replace(tiny_model, tokenizer=tok, lock=threading.RLock())
    ids, records = score_text(bare, TEXT)
    assert ids == encode(tok, TEXT)
    assert records == score_ids(bare, ids[:1], ids[1:])  # the first token alone before the second
    assert [r.rank for r in records] == [rank for _lp, rank in _direct(bare, ids[:1], ids[1:])]
    scored = session.score_whole_text(bare, TEXT)  # its first token stays unscored, as before
    assert scored.first == 1 and scored.complete and scored.records == records
    assert scored.unscored_prefix + "".join(r.text for r in records) == TEXT and scored.unscored_prefix
    from desktop_app.core.token_context import context_for_text
    context = context_for_text(bare, ids, 0, SamplingSettings(), by_model=False)
    assert context.ids == ids[:2] and context.chosen == ids[1]
    assert plain_ids(tok, TEXT) == ids and plain_ids(tok, "") == []
    assert continuation(bare, TEXT, SamplingSettings(max_new_tokens=4, seed=1)).prompt_ids == ids
    with pytest.raises(UserFacingError, match="no start-of-text token"):
        continuation(bare, "", SamplingSettings(max_new_tokens=4, seed=1))


def test_without_end_of_text_the_start_of_text_token_is_read_first(tiny_model, tokenizers_without):
    tok = tokenizers_without["bos"]
    bos = tok.convert_tokens_to_ids("<s>")
    assert plain_text_start(tok) == [bos] and bos == tok.bos_token_id
    bare = dataclasses.replace(tiny_model, tokenizer=tok, lock=threading.RLock())
    ids, records = score_text(bare, TEXT)
    assert [r.rank for r in records] == [rank for _lp, rank in _direct(bare, [bos], ids)]
    assert plain_ids(tok, TEXT) == [bos] + ids
