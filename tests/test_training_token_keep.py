"""The token term's reference terms (train_losses._token_rated_loss): "this word less,
everything else as before". Against plain unlikelihood, the same updates lower the disliked
token as well while the answer's other positions stay nearer the reference."""

from __future__ import annotations

import math

import pytest
import torch

from desktop_app.core import train_losses as L
from desktop_app.core.train_data import TokenRated, TrainingData
from desktop_app.core.train_logps import answer_logsoftmax, pad_batch
from desktop_app.core.train_references import TOKEN_TOP, bucket_kl, reference_logps
from tiny_model import fresh_lora


def _peft(tiny_model):
    return fresh_lora(tiny_model.folder).eval()


def _data(tok) -> TrainingData:
    """Two answers in which one token is disliked at every occurrence."""
    texts = [("User: Tell me a fact\nAssistant:", " I think that the sky is blue and that the sea is wide."),
             ("User: Say more\nAssistant:", " It seems that cats sleep a lot and that dogs bark.")]
    disliked = tok(" that")["input_ids"][0]
    tokens = []
    for group, (p, a) in enumerate(texts):
        ids = tok(a)["input_ids"]
        tokens.append(TokenRated(tok(p)["input_ids"], ids, {i: -1 for i, t in enumerate(ids) if t == disliked},
                                 group, group))
    assert all(t.ratings for t in tokens)
    return TrainingData(tokens=tokens)


def _measure(model, data, refs, pad):
    """(mean log-prob of the disliked tokens, mean KL(reference || model) at the unrated positions)."""
    with torch.no_grad():
        full = answer_logsoftmax(model, pad_batch([(t.prompt_ids, t.completion_ids) for t in data.tokens],
                                                      pad, "cpu"))
        with model.disable_adapter():
            ref = answer_logsoftmax(model, pad_batch([(t.prompt_ids, t.completion_ids) for t in data.tokens],
                                                         pad, "cpu"))
    rated, kls = [], []
    for row, t in enumerate(data.tokens):
        for i, token in enumerate(t.completion_ids):
            col = len(t.prompt_ids) - 1 + i
            if i in t.ratings:
                rated.append(float(full[row, col, token]))
            else:
                kls.append(float((ref[row, col].exp() * (ref[row, col] - full[row, col])).sum()))
    return sum(rated) / len(rated), sum(kls) / len(kls)


def _train(tiny_model, weights: L.LossWeights, steps: int = 12):
    torch.manual_seed(0)
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer)
    with model.disable_adapter():
        refs = reference_logps(model, data, pad, "cpu", token_top=TOKEN_TOP)
    before = _measure(model, data, refs, pad)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=5e-3, weight_decay=0.0)
    batch = L.Batch.select(data, refs, [("t", 0), ("t", 1)], "cpu")
    for _ in range(steps):
        loss, _f = L.batch_loss(model, batch, pad, "cpu", weights)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return before, _measure(model, data, refs, pad)


def test_the_reference_terms_are_zero_at_the_reference_and_the_target_drops_the_token(tiny_model):
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer)
    with model.disable_adapter():
        refs = reference_logps(model, data, pad, "cpu", token_top=TOKEN_TOP)
    ref = refs.tokens[0]
    assert ref.ids.shape == (len(data.tokens[0].completion_ids), TOKEN_TOP)
    assert ref.ids[:, 0].tolist() == data.tokens[0].completion_ids  # the answer's own token is column 0
    batch = L.Batch.select(data, refs, [("t", 0), ("t", 1)], "cpu")
    with torch.no_grad():  # a fresh LoRA is the reference: the keep term is 0
        keep_only = L._token_rated_loss(model, batch, pad, "cpu", L.LossWeights(token_keep_weight=1.0))
        plain = L._token_rated_loss(model, batch, pad, "cpu", L.LossWeights())
    assert float(keep_only) == pytest.approx(float(plain), abs=1e-5)
    # the distillation target is the reference without the disliked token, renormalised: the KL of the
    # reference itself to it is -log(1 - p(disliked)), and a model that already dropped it scores 0
    p0 = torch.tensor([[0.5, 0.3, 0.1]]).log()  # columns; the rest of the vocabulary 0.1
    assert float(bucket_kl(p0, p0, drop_first=True)) == pytest.approx(-torch.tensor(0.5).log().item(), rel=1e-4)
    dropped = torch.tensor([[1e-9, 0.6, 0.2]]).log()  # the rest 0.2
    assert float(bucket_kl(p0, dropped, drop_first=True)) == pytest.approx(0.0, abs=1e-5)
    assert float(bucket_kl(p0, p0)) == pytest.approx(0.0, abs=1e-6)


def test_keep_and_distill_lower_the_token_and_hold_the_rest_nearer_than_unlikelihood(tiny_model):
    (rated0, kl0), (rated_old, kl_old) = _train(tiny_model, L.LossWeights())
    _same, (rated_new, kl_new) = _train(tiny_model, L.LossWeights(token_keep_weight=1.0, token_target="distill"))
    assert kl0 == pytest.approx(0.0, abs=1e-6)
    assert rated_old < rated0 - 0.3 and rated_new < rated0 - 0.3  # both lower the disliked token
    assert kl_new < 0.5 * kl_old  # the new term leaves the rest of the answers nearer the reference


def test_an_unknown_token_target_is_refused(tiny_model):
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer)
    refs = reference_logps(model, data, pad, "cpu", token_top=4)
    batch = L.Batch.select(data, refs, [("t", 0)], "cpu")
    with pytest.raises(ValueError, match="token_target"):
        L._token_rated_loss(model, batch, pad, "cpu", L.LossWeights(token_target="forget"))


def test_a_token_only_run_trains_with_the_distillation_target_at_twice_the_rate(tmp_path, tiny_model):
    """The default settings end to end: the reference distributions are computed, the steps
    train the "distill" target, and the token-only run gets ``token_lr_scale`` x the rule's rate."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_schedule import plan
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    from test_training_data import add_answer

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Hello there", "Numbers please", "Name a colour"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=10)
        store.rate_token(mid, 1, -1)
    settings = FineTuneSettings(heldout_fraction=0.0, reask_count=1, reask_unseen=1, reask_tokens=8, rescore=False,
                                max_steps=4)
    assert settings.token_target == "distill" and settings.token_lr_scale == 2.0
    result = run_finetune(store, tiny_model, paths, settings)
    store.close()
    assert result.status in ("kept", "discarded"), result.reason
    assert result.metrics["schedule"]["lr"] == pytest.approx(2 * plan(3, max_steps=4).lr)
    assert result.metrics["steps"] == 4 and math.isfinite(result.metrics["final_loss"])
