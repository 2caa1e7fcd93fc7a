"""Our KTO and DPO(+SFT) losses give TRL's numbers on the same batch, and the token term
does what it says."""

from __future__ import annotations

import math

import pytest
import torch

from desktop_app.core import train_losses as L
from desktop_app.core.train_logps import pad_batch, per_token_logps, sequence_logps
from desktop_app.core.train_measure import distinct_sequence_logps
from desktop_app.core.train_objectives import dpo_loss, kto_kl, kto_loss, token_loss
from desktop_app.core.train_references import kl_sequences, reference_logps


LORA = dict(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM")


def _base_tiny(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    tokenizer.pad_token = tokenizer.eos_token
    return AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32), tokenizer


def _perturb(model):
    """LoRA B matrices non-zero, so the policy differs from the reference (the adapter
    disabled); a fresh LoRA equals the base and every log-ratio would be 0."""
    torch.manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.2)
    model.eval()
    return model


PROMPTS = ["User: Hello, how are you?\nAssistant:", "User: What is the capital of France?\nAssistant:",
           "User: Say something nice\nAssistant:", "User: Numbers please\nAssistant:"]
ANSWERS = [" I am fine, thank you.", " The capital of France is Paris.", " A stitch in time saves nine.",
           " 0123456789"]


def _split(batch, prefix=""):
    """(prompt_ids, completion_ids) rows back from a right-padded collated batch."""
    rows = []
    for ids, att, comp in zip(batch[f"{prefix}input_ids"], batch[f"{prefix}attention_mask"],
                              batch[f"{prefix}completion_mask"]):
        n = int(att.sum())
        start = int(comp.nonzero()[0])
        rows.append((ids[:start].tolist(), ids[start:n].tolist()))
    return rows


def test_kto_loss_equals_trl(tiny_model_dir, tmp_path):
    from datasets import Dataset
    from trl import KTOConfig, KTOTrainer

    from peft import LoraConfig

    base, tokenizer = _base_tiny(tiny_model_dir)
    labels = [True, False, True, False]
    data = Dataset.from_dict({"prompt": PROMPTS, "completion": ANSWERS, "label": labels})
    args = KTOConfig(output_dir=str(tmp_path), per_device_train_batch_size=4, beta=0.1, report_to=[],
                     desirable_weight=1.0, undesirable_weight=1.3, use_cpu=True, logging_steps=1)
    trainer = KTOTrainer(model=base, args=args, train_dataset=data, processing_class=tokenizer,
                         peft_config=LoraConfig(**LORA))
    model = _perturb(trainer.model)
    batch = next(iter(trainer.get_train_dataloader()))
    with torch.no_grad():
        trl_loss = float(trainer.compute_loss(model, batch))

    seqs, kl_seqs = _split(batch), _split(batch, "KL_")
    pad = tokenizer.pad_token_id
    with torch.no_grad():
        logps = sequence_logps(model, seqs, pad, "cpu")
        kl_logps = sequence_logps(model, kl_seqs, pad, "cpu")
        with model.disable_adapter():
            ref = sequence_logps(model, seqs, pad, "cpu")
            ref_kl = sequence_logps(model, kl_seqs, pad, "cpu")
    assert not torch.allclose(logps, ref)  # the check means something
    kl = kto_kl(kl_logps, ref_kl)
    ours, figures = kto_loss(logps, ref, batch["label"], kl, 0.1, 1.0, 1.3)
    assert float(ours) == pytest.approx(trl_loss, rel=1e-4, abs=1e-6)
    assert set(figures) >= {"kl", "reward_chosen", "reward_rejected"}


def test_dpo_plus_sft_loss_equals_trl(tiny_model_dir, tmp_path):
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    from peft import LoraConfig

    base, tokenizer = _base_tiny(tiny_model_dir)
    data = Dataset.from_dict({"prompt": PROMPTS[:3], "chosen": ANSWERS[:3],
                              "rejected": [" No.", " I do not know, sorry.", " 0123"]})
    args = DPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=3, beta=0.1, report_to=[],
                     loss_type=["sigmoid", "sft"], loss_weights=[1.0, 0.7], use_cpu=True)
    trainer = DPOTrainer(model=base, args=args, train_dataset=data, processing_class=tokenizer,
                         peft_config=LoraConfig(**LORA))
    model = _perturb(trainer.model)
    batch = next(iter(trainer.get_train_dataloader()))
    with torch.no_grad():
        trl_loss = float(trainer.compute_loss(model, batch))

    rows = _split(batch)  # chosen rows, then rejected rows
    k = len(rows) // 2
    pad = tokenizer.pad_token_id
    with torch.no_grad():
        logps, mask = per_token_logps(model, pad_batch(rows, pad, "cpu"))
        with model.disable_adapter():
            ref = sequence_logps(model, rows, pad, "cpu")
    sums = logps.sum(-1)
    ours, figures = dpo_loss(sums[:k], sums[k:], ref[:k], ref[k:], 0.1, logps[:k], mask[:k], sft_weight=0.7)
    assert float(ours) == pytest.approx(trl_loss, rel=1e-4, abs=1e-6)
    assert "nll_chosen" in figures and "reward_margin" in figures


def test_per_token_logps_match_a_plain_forward(tiny_model):
    """The logits_to_keep shortcut changes nothing: same numbers as full logits."""
    model = tiny_model.model
    seqs = [([5, 6, 7, 8], [9, 10, 11]), ([5, 6], [12, 13, 14, 15])]
    batch = pad_batch(seqs, 0, "cpu")
    with torch.no_grad():
        logps, mask = per_token_logps(model, batch)
        for row, (p, c) in enumerate(seqs):
            full = torch.log_softmax(model(input_ids=torch.tensor([p + c])).logits[0].float(), -1)
            for i, token in enumerate(c):
                pos = len(p) + i - 1
                assert mask[row, pos] == 1
                assert float(logps[row, pos]) == pytest.approx(float(full[pos, token]), abs=1e-5)
            assert int(mask[row].sum()) == len(c)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_sequence_logps_match_one_example_at_a_time(tiny_model, reduce):
    """Batched in chunks of 2 (padding, a shared logits_to_keep, a short last chunk), each
    answer's summed or mean log-probability is what its own unpadded forward pass gives."""
    model = tiny_model.model
    seqs = [([5, 6, 7, 8], [9, 10, 11]), ([5, 6], [12, 13, 14, 15]), ([20], [21, 22]),
            ([30, 31, 32, 33, 34, 35], [36])]
    with torch.no_grad():
        got = sequence_logps(model, seqs, 0, "cpu", batch_size=2, reduce=reduce)
        expected = []
        for p, c in seqs:
            full = torch.log_softmax(model(input_ids=torch.tensor([p + c])).logits[0].float(), -1)
            token_logps = [float(full[len(p) + i - 1, token]) for i, token in enumerate(c)]
            expected.append(sum(token_logps) / (len(c) if reduce == "mean" else 1))
    assert got.shape == (len(seqs),)
    assert got.tolist() == pytest.approx(expected, abs=1e-4)
    assert sequence_logps(model, [], 0, "cpu", reduce=reduce).shape == (0,)


def test_token_loss_pushes_liked_up_and_disliked_down():
    lp = torch.log(torch.tensor([[0.5, 0.2, 0.9]])).requires_grad_(True)
    loss, _ = token_loss(lp, [(0, 0, 1), (0, 2, -1)])
    loss.backward()
    expected = (-math.log(0.5) - math.log(1 - 0.9)) / 2
    assert float(loss.detach()) == pytest.approx(expected, rel=1e-5)
    assert lp.grad[0, 0] < 0  # descending the loss raises the liked token's log-prob
    assert lp.grad[0, 2] > 0  # and lowers the disliked one's
    assert lp.grad[0, 1] == 0  # an unrated position is untouched


def test_batch_loss_is_kto_plus_the_liked_likelihood(tiny_model_dir):
    """batch_loss over thumbs is exactly kto_loss (TRL's numbers, above) when the likelihood
    term on liked answers is off, and adds the liked answers' mean token NLL when it is on."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import TrainingData, Unpaired

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"]) for p, a in zip(PROMPTS, ANSWERS)]
    data = TrainingData(unpaired=[Unpaired(p, c, i % 2 == 0, i, i) for i, (p, c) in enumerate(enc)])
    with model.disable_adapter():
        refs = reference_logps(model, data, tok.pad_token_id, "cpu")
    batch = L.Batch.select(data, refs, [("u", i) for i in range(4)], "cpu")
    with torch.no_grad():
        plain, _f = L.batch_loss(model, batch, tok.pad_token_id, "cpu", L.LossWeights(liked_sft_weight=0.0))
        with_sft, figures = L.batch_loss(model, batch, tok.pad_token_id, "cpu", L.LossWeights(liked_sft_weight=0.5))
        logps = sequence_logps(model, [(e.prompt_ids, e.completion_ids) for e in data.unpaired], tok.pad_token_id, "cpu")
        kl = kto_kl(sequence_logps(model, kl_sequences(data), tok.pad_token_id, "cpu"), refs.kl)
        expected, _ = kto_loss(logps, refs.unpaired, torch.tensor([True, False, True, False]), kl, 0.1)
        token_logps, mask = per_token_logps(model, pad_batch([enc[0], enc[2]], tok.pad_token_id, "cpu"))
        nll = -token_logps[mask.bool()].mean()
    assert float(plain) == pytest.approx(float(expected), abs=1e-6)
    assert float(with_sft) == pytest.approx(float(expected) + 0.5 * float(nll), abs=1e-5)


def test_sibling_likelihood_weight_leaves_sibling_rows_out(tiny_model_dir):
    """With ``sibling_sft_weight`` 0 the likelihood term of a batch of pairs covers only the
    corrections' chosen tokens; at 1 it is TRL's mean over every chosen token (above)."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import Pair, TrainingData

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"]) for p, a in zip(PROMPTS, ANSWERS)]
    data = TrainingData(pairs=[Pair(enc[0][0], enc[0][1], enc[1][1], "correction", 1, None, 1),
                               Pair(enc[2][0], enc[2][1], enc[3][1], "siblings", 3, 2, 2)])
    with model.disable_adapter():
        refs = reference_logps(model, data, tok.pad_token_id, "cpu")
    batch = L.Batch.select(data, refs, [("p", 0), ("p", 1)], "cpu")
    pad = tok.pad_token_id
    with torch.no_grad():
        every, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sibling_sft_weight=1.0))
        corrections_only, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sibling_sft_weight=0.0))
        dpo, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sft_weight=0.0))
        token_logps, mask = per_token_logps(model, pad_batch([enc[0], (enc[2][0], enc[2][1])], pad, "cpu"))
        nll_first = -token_logps[0][mask[0].bool()].mean()
        nll_all = -token_logps[mask.bool()].mean()
    assert float(corrections_only) == pytest.approx(float(dpo) + float(nll_first), abs=1e-5)
    assert float(every) == pytest.approx(float(dpo) + float(nll_all), abs=1e-5)


def test_the_end_token_term_adds_the_end_tokens_mean_nll_of_liked_answers_that_ended(tiny_model_dir):
    """``end_weight`` adds the mean -log p of the last token of liked answers marked ``ends``
    (thumbs up and liked siblings), and nothing for a disliked answer or one not marked."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import Pair, TrainingData, Unpaired

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    eos = tok.eos_token_id
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"] + [eos]) for p, a in zip(PROMPTS, ANSWERS)]
    data = TrainingData(unpaired=[Unpaired(enc[0][0], enc[0][1], True, 0, 0, ends=True),
                                  Unpaired(enc[1][0], enc[1][1], False, 1, 1, ends=True),
                                  Unpaired(enc[2][0], enc[2][1], True, 2, 2, ends=False)],
                        pairs=[Pair(enc[3][0], enc[3][1], enc[2][1], "siblings", 3, 4, 3, chosen_ends=True)])
    with model.disable_adapter():
        refs = reference_logps(model, data, tok.pad_token_id, "cpu")
    pad = tok.pad_token_id
    kto = L.Batch.select(data, refs, [("u", 0), ("u", 1), ("u", 2)], "cpu")
    pair = L.Batch.select(data, refs, [("p", 0)], "cpu")
    with torch.no_grad():
        def end_logp(prompt, answer):
            logps, _m = per_token_logps(model, pad_batch([(prompt, answer)], pad, "cpu"))
            return float(logps[0, len(prompt) + len(answer) - 2])

        kto_off, _f = L.batch_loss(model, kto, pad, "cpu", L.LossWeights())
        kto_on, _f = L.batch_loss(model, kto, pad, "cpu", L.LossWeights(end_weight=2.0))
        pair_off, _f = L.batch_loss(model, pair, pad, "cpu", L.LossWeights(sibling_sft_weight=0.0))
        pair_on, _f = L.batch_loss(model, pair, pad, "cpu", L.LossWeights(sibling_sft_weight=0.0, end_weight=2.0))
        first_end, pair_end = end_logp(*enc[0]), end_logp(*enc[3])
    assert float(kto_on) == pytest.approx(float(kto_off) - 2.0 * first_end, abs=1e-5)  # the liked one that ended only
    assert float(pair_on) == pytest.approx(float(pair_off) - 2.0 * pair_end, abs=1e-5)


def test_the_end_term_with_marks_trains_the_final_mark_and_the_end_token_of_answers_that_end_a_sentence(
        tiny_model_dir):
    """``end_mark``: the term is the mean -log p over the final mark and the end token of liked
    answers marked ``end_mark``; a liked answer that ended after a word gets none (with the end
    token alone it got its end token trained); no qualifying answer adds nothing."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import TrainingData, Unpaired

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    eos, pad = tok.eos_token_id, tok.pad_token_id
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"] + [eos]) for p, a in zip(PROMPTS, ANSWERS)]
    data = TrainingData(unpaired=[Unpaired(*enc[0], True, 0, 0, ends=True, end_mark=True),  # "... thank you."
                                  Unpaired(*enc[3], True, 3, 3, ends=True, end_mark=False)])  # " 0123456789"
    with model.disable_adapter():
        refs = reference_logps(model, data, pad, "cpu")
    both = L.Batch.select(data, refs, [("u", 0), ("u", 1)], "cpu")
    plain = L.Batch.select(data, refs, [("u", 1)], "cpu")
    with torch.no_grad():
        logps, _m = per_token_logps(model, pad_batch([enc[0]], pad, "cpu"))
        end = len(enc[0][0]) + len(enc[0][1]) - 2
        mark_and_end = float(logps[0, end - 1] + logps[0, end]) / 2
        off, _f = L.batch_loss(model, both, pad, "cpu", L.LossWeights())
        on, _f = L.batch_loss(model, both, pad, "cpu", L.LossWeights(end_weight=2.0, end_mark=True))
        eos_only, _f = L.batch_loss(model, plain, pad, "cpu", L.LossWeights(end_weight=2.0))
        none, _f = L.batch_loss(model, plain, pad, "cpu", L.LossWeights(end_weight=2.0, end_mark=True))
        plain_off, _f = L.batch_loss(model, plain, pad, "cpu", L.LossWeights())
    assert float(on) == pytest.approx(float(off) - 2.0 * mark_and_end, abs=1e-5)
    assert float(none) == pytest.approx(float(plain_off), abs=1e-6)
    assert float(eos_only) > float(plain_off) + 1e-4  # the end token alone did train it


def test_reference_logps_compute_each_distinct_sequence_once_with_the_same_values(tiny_model_dir):
    """A thumbed sibling is also half of a sibling pair, and KTO's mismatched (prompt i, answer
    i - 1) repeats a thumb when both answer one question: the reference pass (and the gate's
    margin) computes each distinct sequence once, in batches of similar length, and gives
    every example the value it gets on its own."""
    from desktop_app.core.train_data import Pair, TrainingData, Unpaired

    base, tok = _base_tiny(tiny_model_dir)
    pad = tok.pad_token_id
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"]) for p, a in zip(PROMPTS, ANSWERS)]
    same_q = enc[1][0]
    liked, disliked = tok(" Paris.")["input_ids"], tok(" It is a city in the north, I think.")["input_ids"]
    data = TrainingData(unpaired=[Unpaired(same_q, liked, True, 0, 0), Unpaired(same_q, disliked, False, 1, 0),
                                  Unpaired(*enc[0], True, 2, 1)],
                        pairs=[Pair(same_q, liked, disliked, "siblings", 1, 0, 0), Pair(*enc[2], enc[3][1], "siblings", 3, 4, 2)])
    rows = []
    hook = base.register_forward_pre_hook(lambda _m, args, kwargs: rows.append(kwargs["input_ids"].shape[0]),
                                          with_kwargs=True)
    refs = reference_logps(base, data, pad, "cpu", batch_size=2)
    hook.remove()
    seqs = ([(e.prompt_ids, e.completion_ids) for e in data.unpaired] + kl_sequences(data)
            + [(p.prompt_ids, p.chosen_ids) for p in data.pairs] + [(p.prompt_ids, p.rejected_ids) for p in data.pairs])
    distinct = {(tuple(p), tuple(c)) for p, c in seqs}
    assert sum(rows) == len(distinct) < len(seqs)  # 10 sequences, each distinct one through the model once
    with torch.no_grad():
        alone = [float(sequence_logps(base, [s], pad, "cpu")[0]) for s in seqs]
    got = torch.cat([refs.unpaired, refs.kl, refs.chosen, refs.rejected]).tolist()
    assert got == pytest.approx(alone, abs=1e-4)
    means = distinct_sequence_logps(base, seqs, pad, "cpu", batch_size=3, reduce="mean").tolist()
    assert means == pytest.approx([a / len(c) for a, (_p, c) in zip(alone, seqs)], abs=1e-4)


def test_length_normalised_dpo_divides_each_answers_log_ratio_by_its_length(tiny_model_dir):
    """``pair_norm_beta`` > 0: DPO on each answer's log-ratio per token, with that beta; a long
    rejected answer no longer weighs by its length (the summed form with the same beta differs)."""
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.train_data import Pair, TrainingData

    base, tok = _base_tiny(tiny_model_dir)
    model = _perturb(get_peft_model(base, LoraConfig(**LORA)))
    enc = [(tok(p)["input_ids"], tok(a)["input_ids"]) for p, a in zip(PROMPTS, ANSWERS)]
    long_rejected = enc[3][1] * 4  # the rambling answer a correction replaces is long
    data = TrainingData(pairs=[Pair(enc[0][0], enc[0][1], long_rejected, "correction", 1, None, 1),
                               Pair(enc[2][0], enc[2][1], enc[1][1], "correction", 3, None, 2)])
    with model.disable_adapter():
        refs = reference_logps(model, data, tok.pad_token_id, "cpu")
    batch = L.Batch.select(data, refs, [("p", 0), ("p", 1)], "cpu")
    pad = tok.pad_token_id
    with torch.no_grad():
        normed, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sft_weight=0.0, pair_norm_beta=0.5))
        summed, _f = L.batch_loss(model, batch, pad, "cpu", L.LossWeights(sft_weight=0.0, beta=0.5))
        chosen = sequence_logps(model, [(p.prompt_ids, p.chosen_ids) for p in data.pairs], pad, "cpu")
        rejected = sequence_logps(model, [(p.prompt_ids, p.rejected_ids) for p in data.pairs], pad, "cpu")
    n_chosen = torch.tensor([len(p.chosen_ids) for p in data.pairs], dtype=torch.float32)
    n_rejected = torch.tensor([len(p.rejected_ids) for p in data.pairs], dtype=torch.float32)
    margin = (chosen - refs.chosen) / n_chosen - (rejected - refs.rejected) / n_rejected
    expected = -torch.nn.functional.logsigmoid(0.5 * margin).mean()
    assert float(normed) == pytest.approx(float(expected), abs=1e-5)
    assert abs(float(normed) - float(summed)) > 1e-3
