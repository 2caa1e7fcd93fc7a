"""Practice in the person's letter case: the base model's own answers, upper-cased.

A person who corrects answers into ALL CAPS teaches a style that small models cannot spell:
their tokenizers split upper-case words into rare fragments (" Bangkok" -> " B|ANG|K|OK"),
and trained on the person's handful of sentences alone, the adapter's caps answers to new
questions misspell the very words they must copy from the question ("What is the capital of
Switzerland?" -> "THE CAPITAL OF WHITISH IS BELGIUM.") and loop. Measured (bench/learning_effect.py,
notes in docs/measurements.md): a DPO form, a loop term and distillation on the rated texts did
not change that, because all of them only ever show the adapter the few texts the person rated.

So this gives the adapter many more texts to learn the spelling from, none of which the person
had to write: questions the base model makes up itself in the manner of the rated ones (a
numbered list of those questions, continued by sampling), plus the rated questions; the base's
greedy answer to each, cut after its first sentence (the corrections are short), upper-cased.
A plain likelihood term on them, a few per update in turn, beside the ratings' own loss.

It switches on only when the person's corrections are detectably in capitals (``in_capitals``):
most of the corrections have at least ``CAPS_SHARE`` of their letters upper-case. Any other
style gets nothing from it, and the term's texts never include the gate's own questions
(reasking.FRESH_QUESTIONS, CANARY_QUESTIONS, OPEN_REQUESTS), so the gate still sees whether
the style loops on questions training never showed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import torch

from desktop_app.core.train_anchor import greedy_answers
from desktop_app.core.train_logps import pad_batch

CAPS_SHARE = 0.8  # a correction "in capitals": this share of its letters upper-case (and >= 3 letters)
MIN_LETTERS = 3
QUESTION_TOKENS = 24  # a made-up question's budget
ANSWER_TOKENS = 40  # the base's answer before its first sentence end is taken
PER_UPDATE = 4  # practice texts per update, in turn: each costs a forward and backward of ~40-60 tokens
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= MIN_LETTERS and sum(c.isupper() for c in letters) / len(letters) >= CAPS_SHARE


def in_capitals(tokenizer, pairs) -> bool:
    """True when more than half of the corrections among ``pairs`` are written in capitals."""
    corrections = [p for p in pairs if p.source == "correction"]
    caps = sum(is_capitals(tokenizer.decode(p.chosen_ids, skip_special_tokens=True)) for p in corrections)
    return bool(corrections) and caps * 2 > len(corrections)


@dataclass
class CasePractice:
    seqs: list[tuple[list[int], list[int]]]  # (prompt ids, the upper-cased answer's ids)
    texts: list[tuple[str, str]]  # (question, upper-cased answer): shown in the run's metrics
    per_update: int = PER_UPDATE

    def __len__(self) -> int:
        return len(self.seqs)

    def loss(self, model, step: int, pad_id: int, device) -> torch.Tensor:
        """Mean negative log-likelihood of this update's practice answers' tokens."""
        n = len(self.seqs)
        picks = [(step * self.per_update + k) % n for k in range(min(self.per_update, n))]
        batch = pad_batch([self.seqs[i] for i in picks], pad_id, device)
        first = min(batch["prompt_lens"]) - 1
        width = batch["input_ids"].shape[1]
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False,
                       logits_to_keep=width - first).logits.float()[:, :-1]
        targets = batch["input_ids"][:, first + 1:]
        mask = batch["completion_mask"][:, first + 1:].float()
        logps = torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        return -(logps * mask).sum() / mask.sum().clamp(min=1)


@torch.no_grad()
def build_case_practice(model, tokenizer, window: int, device, pad_id: int, questions: list[str], *,
                        made_up: int, eos_suffix: list[int], seed: int = 0, per_update: int = PER_UPDATE,
                        exclude=()) -> CasePractice | None:
    """Under ``model`` as it is (the caller disables the adapter): up to ``made_up`` new
    questions in the manner of ``questions`` (the rated ones), then the base's first answer
    sentence to each of them and to ``questions``, upper-cased. None when nothing is left."""
    from desktop_app.core import reasking

    rated = list(dict.fromkeys(q.strip() for q in questions if q.strip()))
    banned = {q.lower() for q in (*rated, *exclude, *reasking.FRESH_QUESTIONS, *reasking.CANARY_QUESTIONS,
                                  *reasking.OPEN_REQUESTS)}
    new = [q for q in make_up_questions(model, tokenizer, device, pad_id, rated, made_up, seed)
           if q.lower() not in banned]
    asked = rated + new
    if not asked:
        return None
    prompts = [reasking.fresh_prompt(tokenizer, q, window, ANSWER_TOKENS) for q in asked]
    answers = greedy_answers(model, prompts, ANSWER_TOKENS, pad_id, device, tokenizer.eos_token_id)
    texts = [tokenizer.decode(ids, skip_special_tokens=True) for ids in answers]
    practice = practice_rows(tokenizer, list(zip(asked, prompts, texts)), eos_suffix, per_update)
    return practice if len(practice) else None


def practice_rows(tokenizer, answered: list[tuple[str, list[int], str]], eos_suffix: list[int],
                  per_update: int = PER_UPDATE) -> CasePractice:
    """(question, prompt ids, the base's answer) -> practice texts: the answer's first sentence
    upper-cased; answers cut before any sentence ended, or without letters, are left out."""
    from desktop_app.core.prompts import answer_ids

    seqs, texts = [], []
    for question, prompt, answer in answered:
        sentence = first_sentence(answer)
        if not any(c.isalpha() for c in sentence):
            continue
        upper = sentence.upper()
        seqs.append((prompt, answer_ids(tokenizer, upper) + list(eos_suffix)))
        texts.append((question, upper))
    return CasePractice(seqs, texts, per_update)


def first_sentence(text: str) -> str:
    """``text`` up to and with its first sentence mark; "" when none comes (a cut answer)."""
    text = text.strip()
    end = _SENTENCE_END.search(text)
    return text[:end.end()] if end else ""


def make_up_questions(model, tokenizer, device, pad_id: int, rated: list[str], count: int, seed: int) -> list[str]:
    """Up to ``count`` distinct questions the base model writes as the next item of a numbered
    list of the rated ones (shuffled differently for each batch of samples)."""
    if count <= 0 or not rated:
        return []
    rng = random.Random(seed)
    torch.manual_seed(seed)
    out: list[str] = []
    for _attempt in range(4):
        shown = rng.sample(rated, min(len(rated), 8))
        text = "Questions:\n" + "".join(f"{i}. {q}\n" for i, q in enumerate(shown, 1)) + f"{len(shown) + 1}."
        ids = torch.tensor([tokenizer(text)["input_ids"]], device=device)
        sampled = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True, top_p=0.9,
                                 temperature=1.0, max_new_tokens=QUESTION_TOKENS, num_return_sequences=count,
                                 pad_token_id=pad_id)
        for row in sampled[:, ids.shape[1]:].tolist():
            line = tokenizer.decode(row, skip_special_tokens=True).split("\n")[0].strip()
            if 3 <= len(line.split()) <= 20 and line.endswith("?") and line not in out:
                out.append(line)
        if len(out) >= count:
            break
    return out[:count]
