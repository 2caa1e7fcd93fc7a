"""Unlikelihood on the model's own repeats, during a run: training that does not make loops.

A small adapter that learns a style can start answering in loops ("THE DESERT IS A STRANGE
STRANGE STRANGE ...") well before the end of its run; the gate then rightly refuses it, or
steps back to a checkpoint before the style (bench/learning_effect.py, ALL CAPS corrections,
token ratings). This is the sequence-level token penalty of Welleck et al. 2019 ("Neural Text
Generation with Unlikelihood Training"): every ``every`` updates the current adapter answers a
few everyday questions greedily (no gradients); every answer token that completes an n-gram
already seen earlier in the same answer is a "loop token", and the updates that follow, until
the next look, add ``-log(1 - p)`` at those positions (``loss``), which lowers exactly the
continuations that repeat and nothing else.

The questions are their own set, never the gate's (reasking.CANARY_QUESTIONS, OPEN_REQUESTS,
FRESH_QUESTIONS): the gate's re-asks then stay an independent check of what the run does to
questions it never trained on, this term included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from desktop_app.core import answer_checks, reasking
from desktop_app.core.train_anchor import greedy_answers
from desktop_app.core.train_logps import pad_batch, per_token_logps
from desktop_app.core.train_objectives import token_loss

# Everyday open questions and requests of the kinds where a small adapter's answers loop first
# (measured through the gate's canaries: "Tell me about ..." and descriptions), and a few short facts;
# taken in turn, ``per_look`` at a time, so a run sees most of them.
LOOP_QUESTIONS = ("Tell me about the ocean.", "Tell me about dogs.", "Describe a city at night.",
                  "What is the capital of Peru?", "Tell me about the moon.", "How do I bake bread?",
                  "Tell me about volcanoes.", "Why do birds sing?", "Describe a rainy afternoon.",
                  "What is the capital of Norway?", "Tell me about trains.", "What do bees make?")


def repeat_positions(ids: list[int], n: int = 4) -> list[int]:
    """Indices into ``ids`` of the tokens that complete an n-gram already seen earlier in
    ``ids`` (Welleck et al.'s candidates C_t for the sequence-level penalty): in
    ``a b c d a b c d e`` with n 2, the second ``b``, ``c`` and ``d``."""
    seen: set[tuple[int, ...]] = set()
    out = []
    for end in range(n, len(ids) + 1):
        gram = tuple(ids[end - n:end])
        if gram in seen:
            out.append(end - 1)
        seen.add(gram)
    return out


def loop_loss(logps: torch.Tensor, positions: list[tuple[int, int]]) -> torch.Tensor:
    """Mean ``-log(1 - p)`` of the tokens at ``positions`` ((row, column) into ``logps``,
    ``train_logps.per_token_logps``'s layout): the unlikelihood term, as the token ratings'
    disliked tokens have it."""
    return token_loss(logps, [(row, col, -1) for row, col in positions])[0]


@dataclass
class LoopPenalty:
    """The loop tokens of the latest look, and the term they give each update until the next one."""
    prompts: list[list[int]]  # the questions, as the model's input (core.prompts)
    eos_id: int | None
    pad_id: int
    every: int = 4
    per_look: int = 4
    tokens: int = 40
    n: int = 4
    only_loops: bool = False  # penalise only answers the gate calls a loop (answer_checks.looping), not every repeat
    # the term stays off until a look finds an answer the gate would call a loop (answer_checks.looping); from then on
    # every repeat is penalised. A run whose looks never loop trains exactly as without the term
    wait_for_loop: bool = False
    armed_at: int | None = None  # the update before which a look first found a loop (wait_for_loop)
    seqs: list[tuple[list[int], list[int]]] = field(default_factory=list)  # (prompt, answer) with loop tokens
    positions: list[tuple[int, int]] = field(default_factory=list)  # (row in seqs, column in per-token logps)
    looks: int = 0
    found: int = 0  # loop tokens found over all looks
    penalised: int = 0  # loop tokens summed over the updates that penalised them
    history: list = field(default_factory=list)  # loop tokens found at each look, in order

    def due(self, step: int) -> bool:
        """Look before updates every, 2 * every, ...: the first updates cannot have made a loop yet
        (the base model's own repeats are not this term's business), and a look costs about two
        updates (measured on the bundled model, one thread: 4 questions x 40 tokens ~6 CPU-s)."""
        return step % max(1, self.every) == 0

    @property
    def armed(self) -> bool:
        return not self.wait_for_loop or self.armed_at is not None

    @torch.no_grad()
    def look(self, model, device, step: int = 0) -> int:
        """Greedy answers of the current weights to the next ``per_look`` questions, kept by
        ``take``. Returns the loop tokens kept."""
        count = min(self.per_look, len(self.prompts))
        start = self.looks * count
        chosen = [self.prompts[(start + i) % len(self.prompts)] for i in range(count)]
        self.looks += 1
        return self.take(chosen, greedy_answers(model, chosen, self.tokens, self.pad_id, device, self.eos_id), step)

    def take(self, prompts: list[list[int]], answers: list[list[int]], step: int = 0) -> int:
        """The latest look's answers: those with loop tokens are kept for ``loss`` (once armed:
        ``wait_for_loop`` arms the term at the first look with an answer answer_checks.looping calls a loop)."""
        self.seqs, self.positions = [], []
        if not self.armed and any(answer_checks.looping(a) for a in answers):
            self.armed_at = step
        if not self.armed:
            self.history.append(0)
            return 0
        for prompt, answer in zip(prompts, answers):
            repeats = repeat_positions(answer, self.n)
            if not repeats or (self.only_loops and not answer_checks.looping(answer)):
                continue
            row = len(self.seqs)
            self.seqs.append((prompt, answer))
            # per_token_logps' column len(prompt) + i - 1 holds the log-probability of answer token i
            self.positions += [(row, len(prompt) + i - 1) for i in repeats]
        self.found += len(self.positions)
        self.history.append(len(self.positions))
        return len(self.positions)

    def loss(self, model, device) -> torch.Tensor | None:
        """The term for one update: None when the latest look found no loop."""
        if not self.positions:
            return None
        logps, _mask = per_token_logps(model, pad_batch(self.seqs, self.pad_id, device))
        self.penalised += len(self.positions)
        return loop_loss(logps, self.positions)

    def summary(self) -> dict:
        out = {"loop_looks": self.looks, "loop_tokens_found": self.found, "loop_tokens_penalised": self.penalised,
               "loop_tokens_per_look": self.history}
        if self.wait_for_loop:
            out["loop_armed_at"] = self.armed_at  # None: no look found a loop, the term never ran
        return out


def build_loop_penalty(tokenizer, context_window: int, pad_id: int, *, every: int, per_look: int, tokens: int,
                       n: int, only_loops: bool = False, wait_for_loop: bool = False) -> LoopPenalty:
    prompts = [reasking.fresh_prompt(tokenizer, q, context_window, tokens) for q in LOOP_QUESTIONS]
    return LoopPenalty(prompts, tokenizer.eos_token_id, pad_id, every=every, per_look=per_look, tokens=tokens, n=n,
                       only_loops=only_loops, wait_for_loop=wait_for_loop)
