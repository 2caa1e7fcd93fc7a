"""Re-scoring the answers of one conversation reads its text once (session.rescore_groups,
scoring.score_spans): the records are those of scoring each answer on its own."""

from __future__ import annotations

import threading

import pytest
import torch

from desktop_app.core import finetune_effect as fe
from desktop_app.core import session
from desktop_app.core.paths import AppPaths
from desktop_app.core.scoring import score_ids, score_spans
from desktop_app.core.store import Store
from test_finetune_effect import _with_lora
from test_training_data import add_answer
from tiny_model import build_tiny_llama

QUESTIONS = ["Hello there", "Name a colour", "What is two and two?"]


@pytest.fixture(scope="module")
def tiny_chat_model(tmp_path_factory, tiny_model_dir, session_paths):
    """A tiny model with a chat template: a conversation's later prompts hold its earlier answers."""
    from desktop_app.core.models import open_model

    folder = build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)
    return open_model(str(folder), session_paths, device="cpu", precision="exact")


@pytest.fixture
def chat(tmp_path, tiny_chat_model):
    """Three rated answers in one conversation, a fourth in a conversation of its own."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    conv, last = None, None
    for i, q in enumerate(QUESTIONS):
        user = store.add_message(conv, "user", q, parent_id=last) if conv else None
        conv, _u, last, _p = add_answer(store, tiny_chat_model, q, text=f"It is {i}.",
                                        conversation=conv, parent=user, finish_reason="length")
        store.rate_message(last, 1 if i % 2 else -1)
    _c, _u, alone, _p = add_answer(store, tiny_chat_model, "Tell me a joke", text="No joke.", finish_reason="stop")
    store.rate_message(alone, 1)
    yield store
    store.close()


def _figures(records):
    return [(r.id, r.text, r.logprob, r.rank, [a.id for a in r.top]) for r in records]


def _close(a, b):
    assert [(r.id, r.text, r.rank) for r in a] == [(r.id, r.text, r.rank) for r in b]
    assert [a_.logprob for a_ in a] == pytest.approx([b_.logprob for b_ in b], abs=1e-4)
    assert [[x.id for x in r.top] for r in a] == [[x.id for x in r.top] for r in b]


def test_spans_of_one_text_score_as_each_alone(tiny_model):
    full = tiny_model.tokenizer("one two three four five six seven eight nine ten")["input_ids"]
    spans = [(2, 5), (6, len(full)), (1, 3)]
    together = score_spans(tiny_model, full, spans)
    for (a, b), records in zip(spans, together):
        _close(records, score_ids(tiny_model, full[:a], full[a:b]))
    assert score_spans(tiny_model, full, [(0, 3)]) is None  # nothing predicts the first token


def test_one_conversation_is_one_group_and_its_records_are_each_answers_own(chat, tiny_chat_model):
    store = chat
    work = _with_lora(tiny_chat_model)
    torch.manual_seed(0)
    with torch.no_grad():  # a trained-looking adapter: the base and adapter scorings differ
        for name, p in work.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    mids = fe.rated_message_ids(store)
    groups = session.rescore_groups(store, work, mids)
    assert sorted(len(g) for g in groups) == [1, 3]
    adapter = store.add_adapter("somewhere", base_model=tiny_chat_model.model_id)
    seen = []
    fe.rescore_newest(store, work, adapter, 8, threading.Event(), lambda n, of: seen.append((n, of)))
    assert seen == [(3, 4), (4, 4)]  # the conversation's three at once, then the answer asked alone
    for mid in mids:
        prompt, ids, ended = session._answer_to_score(store, work, mid)
        after = session.score_answer(work, prompt, ids, ended)
        with work.model.disable_adapter():
            before = session.score_answer(work, prompt, ids, ended)
        _close(store.token_records(mid, adapter_id=adapter, kind="rescored"), after)
        _close(store.token_records(mid, adapter_id=None, kind="rescored"), before)
        assert _figures(after) != _figures(before)


def test_margins_read_a_shared_prompt_once_with_the_same_figures(tiny_chat_model, tiny_model):
    """gate.margin's answers continue from their prompt's cache (train_measure.prompt_shared_logps),
    prompts of several lengths left-padded together: the figures of reading each (prompt, answer) whole."""
    from desktop_app.core.train_measure import distinct_sequence_logps, prompt_shared_logps

    for loaded in (tiny_chat_model, tiny_model):
        ids = loaded.tokenizer("alpha beta gamma delta epsilon zeta eta theta iota kappa")["input_ids"]
        seqs = [(ids[:6], ids[6:9]), (ids[:6], ids[3:4]), (ids[:4], ids[4:10]), (ids[:6], ids[6:9]), (ids[:5], [])]
        for reduce, batch in (("sum", 8), ("mean", 8), ("sum", 2)):  # 2: prompts and answers in several batches
            shared = prompt_shared_logps(loaded.model, seqs, 0, loaded.device, reduce=reduce, batch_size=batch)
            whole = distinct_sequence_logps(loaded.model, seqs, 0, loaded.device, reduce=reduce)
            assert shared.tolist() == pytest.approx(whole.tolist(), abs=1e-4)
            assert shared[0] != shared[1]
