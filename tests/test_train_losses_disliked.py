"""The disliked thumbs' distillation target (train_losses.LossWeights.disliked_target): a
disliked answer's tokens less, the rest of each position where the reference put it, in place
of (or beside) KTO's undesirable term, whose push down has no floor."""

from __future__ import annotations

import math

import pytest
import torch

from desktop_app.core import train_losses as L
from desktop_app.core.train_data import TrainingData, Unpaired
from desktop_app.core.train_logps import answer_columns, answer_logsoftmax, pad_batch, sequence_logps
from desktop_app.core.train_references import (TOKEN_TOP, TokenReference, bucket_kl, disliked_distillation,
                                               reference_logps)
from tiny_model import fresh_lora


def _peft(tiny_model):
    return fresh_lora(tiny_model.folder).eval()


def _data(tok, liked: bool = False) -> TrainingData:
    """Two disliked answers, the second ended by the model (its end-of-text token appended);
    with ``liked`` a liked third."""
    texts = [("User: Tell me a fact\nAssistant:", " I think that the sky is blue and the sea is wide.", False, False),
             ("User: Say more\nAssistant:", " It seems cats sleep a lot and dogs bark.", False, True)]
    if liked:
        texts.append(("User: Name a colour\nAssistant:", " Red.", True, True))
    out = []
    for group, (p, a, label, ends) in enumerate(texts):
        ids = tok(a)["input_ids"] + ([tok.eos_token_id] if ends else [])
        out.append(Unpaired(tok(p)["input_ids"], ids, label, group, group, ends=ends))
    return TrainingData(unpaired=out)


def _refs(model, data, pad):
    with model.disable_adapter():
        return reference_logps(model, data, pad, "cpu", disliked_top=TOKEN_TOP)


def _answer_logps(model, data, pad) -> list[float]:
    with torch.no_grad():
        return sequence_logps(model, [(e.prompt_ids, e.completion_ids) for e in data.unpaired], pad, "cpu").tolist()


def test_at_the_reference_each_answer_scores_minus_log_one_minus_p_and_zero_at_its_end(tiny_model):
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer, liked=True)
    refs = _refs(model, data, pad)
    assert refs.disliked[2] is None and refs.disliked[0] is not None  # only the disliked answers have targets
    batch = L.Batch.select(data, refs, [("u", 0), ("u", 1), ("u", 2)], "cpu")
    seqs = pad_batch([(e.prompt_ids, e.completion_ids) for e in batch.unpaired], pad, "cpu")
    with torch.no_grad():
        full = answer_logsoftmax(model, seqs)
        per_row = disliked_distillation(full, batch.unpaired, batch.ref_disliked)
    assert per_row.shape == (2,)
    for row, e in enumerate(data.unpaired[:2]):
        # a fresh LoRA is the reference: KL(reference without the token || reference) = -log(1 - p(token))
        cols = answer_columns(e)
        own = full[row, cols].gather(1, torch.tensor(e.completion_ids)[:, None]).squeeze(1)
        terms = -torch.log1p(-own.exp())
        if e.ends:
            terms[-1] = 0.0  # the end token is held where the reference had it, not dropped
        assert float(per_row[row]) == pytest.approx(float(terms.mean()), rel=1e-3)


def test_kto_is_unchanged_by_default_and_both_adds_the_distillation(tiny_model):
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer, liked=True)
    refs = _refs(model, data, pad)
    batch = L.Batch.select(data, refs, [("u", 0), ("u", 1), ("u", 2)], "cpu")
    with torch.no_grad():
        kto, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights())
        both, figures = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(disliked_target="both",
                                                                             disliked_ref_weight=0.5))
        distill, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(disliked_target="distill"))
        seqs = pad_batch([(e.prompt_ids, e.completion_ids) for e in batch.unpaired], pad, "cpu")
        per_row = disliked_distillation(answer_logsoftmax(model, seqs), batch.unpaired, batch.ref_disliked)
    assert float(kto) == pytest.approx(0.5, abs=1e-4)  # KTO at the reference: 1 - sigmoid(0) per row
    assert float(both) == pytest.approx(float(kto) + 0.5 * float(per_row.mean()), rel=1e-4)
    # in KTO's place: the liked row's KTO term (0.5) and each disliked row's distillation, over the 3 rows
    assert float(distill) == pytest.approx((0.5 + float(per_row.sum())) / 3, rel=1e-4)
    assert "reward_rejected" in figures


def test_hold_reads_only_the_positions_where_the_answer_said_the_references_likeliest_token():
    torch.manual_seed(0)
    vocab = 12
    e = Unpaired([1, 2], [3, 4], False, 0, 0)
    model = torch.randn(1, 3, vocab).log_softmax(-1)  # [row, positions, vocabulary]: columns 1 and 2 predict 3, 4
    ref = torch.randn(2, vocab)
    ref[0, 3], ref[1, 4] = 9.0, -9.0  # the answer's first token is the reference's likeliest, its second is not
    ref = ref.log_softmax(-1)
    ids = torch.stack([torch.cat([torch.tensor([t]), torch.tensor([v for v in range(vocab) if v != t][:5])])
                       for t in (3, 4)])
    refs = [TokenReference(ids, ref.gather(1, ids))]
    held = disliked_distillation(model, [e], refs, hold=True)
    policy = model[0, 1:3].gather(1, ids)
    assert float(held[0]) == pytest.approx(float(bucket_kl(refs[0].logps[:1], policy[:1])[0]), rel=1e-5)
    at_reference = torch.cat([model[:, :1], ref[None]], dim=1)
    assert float(disliked_distillation(at_reference, [e], refs, hold=True)[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(held[0]) > 0.01


def _train(tiny_model, weights: L.LossWeights, steps: int = 10):
    torch.manual_seed(0)
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer)
    refs = _refs(model, data, pad)
    batch = L.Batch.select(data, refs, [("u", 0), ("u", 1)], "cpu")
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=5e-3, weight_decay=0.0)
    before = _answer_logps(model, data, pad)
    for _ in range(steps):
        loss, _f = L.batch_loss(model, batch, pad, "cpu", weights)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    seqs = pad_batch([(e.prompt_ids, e.completion_ids) for e in batch.unpaired], pad, "cpu")
    with torch.no_grad():
        off_target = disliked_distillation(answer_logsoftmax(model, seqs), batch.unpaired, batch.ref_disliked)
    return before, _answer_logps(model, data, pad), float(off_target.mean())


def test_distill_lowers_disliked_answers_and_keeps_the_rest_where_the_reference_put_it(tiny_model):
    before, kto_after, kto_off = _train(tiny_model, L.LossWeights())
    _same, distill_after, distill_off = _train(tiny_model, L.LossWeights(disliked_target="distill"))
    assert all(a < b - 1.0 for a, b in zip(kto_after, before))  # both push the disliked answers down
    assert all(a < b - 1.0 for a, b in zip(distill_after, before))
    assert distill_off < kto_off  # ... but the distillation's nearer its target: the rest as the reference has it


def test_an_unknown_disliked_target_and_missing_references_are_refused(tiny_model):
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer)
    with model.disable_adapter():
        plain = reference_logps(model, data, pad, "cpu")  # no disliked_top: no targets
    batch = L.Batch.select(data, plain, [("u", 0)], "cpu")
    assert L.DISLIKED_TARGETS == ("kto", "distill", "both", "hold")
    with pytest.raises(ValueError, match="disliked_target"):
        L.batch_loss(model, batch, pad, "cpu", L.LossWeights(disliked_target="forget"))
    with pytest.raises(ValueError, match="disliked_top"):
        L.batch_loss(model, batch, pad, "cpu", L.LossWeights(disliked_target="distill"))


def test_a_thumbs_run_trains_with_the_distillation_target(tmp_path, tiny_model):
    """End to end: the run computes the disliked answers' reference distributions and trains."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    from test_training_data import add_answer

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    for i, q in enumerate(["Hello there", "Numbers please", "Name a colour"]):
        _c, _u, mid, _p = add_answer(store, tiny_model, q, seed=i, max_new_tokens=10)
        store.rate_message(mid, 1 if i == 0 else -1)
    settings = FineTuneSettings(heldout_fraction=0.0, reask_count=1, reask_unseen=1, reask_tokens=8, rescore=False,
                                max_steps=4, disliked_target="distill")
    result = run_finetune(store, tiny_model, paths, settings)
    store.close()
    assert result.status in ("kept", "discarded"), result.reason
    assert result.metrics["steps"] == 4 and math.isfinite(result.metrics["final_loss"])


@pytest.mark.parametrize("target", L.DISLIKED_TARGETS)
def test_each_target_adds_the_liked_terms_as_kto_does_and_hold_adds_its_kl_to_ktos_term(tiny_model, target):
    """The liked answers' likelihood and end terms are the same on every target's path, and
    "hold" is KTO's loss plus ``disliked_ref_weight`` x the held positions' KL."""
    model, pad = _peft(tiny_model), tiny_model.tokenizer.eos_token_id
    data = _data(tiny_model.tokenizer, liked=True)
    batch = L.Batch.select(data, _refs(model, data, pad), [("u", 0), ("u", 1), ("u", 2)], "cpu")
    torch.manual_seed(0)
    with torch.no_grad():  # the adapter away from the reference, so that every term is non-zero
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05)
    extras = {"liked_sft_weight": 0.7, "end_weight": 1.3}

    def loss(t, **kw):
        return L.batch_loss(model, batch, pad, "cpu", L.LossWeights(disliked_target=t, disliked_ref_weight=0.4, **kw))

    with torch.no_grad():
        kto_plain, _f = loss("kto")
        kto_extras, _f = loss("kto", **extras)
        plain, _f = loss(target)
        with_extras, _f = loss(target, **extras)
        seqs = pad_batch([(e.prompt_ids, e.completion_ids) for e in batch.unpaired], pad, "cpu")
        held = disliked_distillation(answer_logsoftmax(model, seqs), batch.unpaired, batch.ref_disliked, hold=True)
    added = float(kto_extras) - float(kto_plain)
    assert added > 0.1  # the liked answer's likelihood and end terms count
    assert float(with_extras) - float(plain) == pytest.approx(added, rel=1e-4)
    if target == "hold":
        assert float(held.mean()) > 0.0
        assert float(plain) == pytest.approx(float(kto_plain) + 0.4 * float(held.mean()), rel=1e-4)
