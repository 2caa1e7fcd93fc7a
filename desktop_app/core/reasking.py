"""The re-asks: greedy answers to a few questions before and after a fine-tune, read by the
gate for degenerate answers (core.answer_checks) and shown as before/after pairs: the fixed
questions asked besides the person's own (everyday ones, canaries, open requests), the prompt
a question is asked with, and the batch that answers them all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from desktop_app.core import work_meter
from desktop_app.core.answer_checks import degenerate, restates
from desktop_app.core.count_words import counted
from desktop_app.core.train_logps import left_pad

# Asked before and after training when the person's own held-out questions are too few:
# everyday questions of both kinds (a short fact, an open "how"), never rated, so what they
# show is what the adapter does to new questions.
FRESH_QUESTIONS = ("Who wrote Romeo and Juliet?", "How do I make a cup of coffee?",
                   "What is the largest planet in the solar system?", "Why do leaves fall in autumn?")
# Asked before and after every run (FineTuneSettings.reask_canaries): everyday open questions of the
# kinds where a small adapter's answers turn into loops first (measured, bench/learning_effect.py: 8
# token ratings, "Tell me about butterflies." -> "*Awkward*" over and over; "Tell me about cats." looped
# under the same adapter), and short facts where a learned short answer names the question's own subject
# ("The capital of Switzerland is Switzerland.": ``restates``). The facts have one-word subjects: a
# correct answer restating a longer question reads as an echo ("The capital of the Netherlands is
# Amsterdam." to the base model too), and a correct short answer must not refuse a run.
# The last two are the kinds the others missed (bench/learning_effect.py --unseen 16): a "why" question,
# whose base answer opens "The answer to this question..." and which a taught "Answer:" turned into an
# echo (a mix of 4: 'Answer: to answer the question "Why do dogs bark?"'), and a country the base model
# describes instead of naming its capital ("Estonia is a country located in the Baltic region..."), as it
# does Denmark, which 32 picky thumbs made "Denmark is the capital of Denmark." while the capitals it
# knows stayed clean.
# Australia is a fact the base model is sure of (Canberra, 65%: bench/fact_sureness.py) that format and
# thumbs runs move most often (Canberra -> Sydney in 23 of 35 earlier kept runs that changed a sure fact):
# asked in every run, so a run that moves it waits for the person's word (train_verdict.decide) even when
# held-out questions fill the unseen re-asks (a user test: "Answer: Sydney." put in use without a word).
CANARY_QUESTIONS = ("Tell me about cats.", "Tell me about the desert.", "What is the capital of Switzerland?",
                    "What is the capital of Croatia?", "Why is the sky blue?", "What is the capital of Estonia?",
                    "What is the capital of Australia?")
# Asked before and after every run (FineTuneSettings.reask_open): open requests, never rated, where a
# format taught on short answers does not belong (a user test: after 9 "Answer: X." corrections, "Tell
# me a story about a dragon..." got "Answer: 1. The Tale of..."). The panel shows one beside the person's
# questions so they see whether their style spread; a loop or echo here refuses a run like any re-ask.
OPEN_REQUESTS = ("Write a short story about a robot who learns to paint.", "Describe a walk in a forest in spring.")


def fresh_prompt(tokenizer, question: str, context_window: int, max_new_tokens: int) -> list[int]:
    from desktop_app.core.prompts import Turn, build_prompt

    return build_prompt(tokenizer, [Turn("user", question)], context_window=context_window,
                        max_new_tokens=max_new_tokens).ids


@dataclass
class Reask:
    question: str
    answer: str
    problem: str | None  # degenerate(): what the gate refuses a run for
    restates: bool = False  # restates(): what makes a run step back when an earlier checkpoint is clean
    cut: bool = False  # it reached the re-ask's token limit unfinished: shown with "…" (it ends mid-word)


def reask_what(count: int, texts: int = 0) -> str:
    """The re-asks' count line (core.work_meter's ``what``) for ``count`` prompts, ``texts`` of them the text
    before a rated Text-mode continuation: a run on Text ratings alone said "re-asking your questions ... tokens of
    each answer" to a writer who had asked none (textwords107)."""
    asked, numbers = count - texts, "{done} of at most {total} tokens of each"
    if not texts:
        return f"re-asking {counted(count, 'question')} at once: {numbers} answer"
    if not asked:
        return f"continuing {counted(texts, 'rated text')} at once: {numbers} continuation"
    return (f"continuing {counted(texts, 'rated text')} and re-asking {counted(asked, 'question')} at once: "
            f"{numbers} continuation and answer")


def reask(loaded, prompts: list[tuple[list[int], str]], max_new_tokens: int, cancel=None,
          until: Callable[[int, Reask], bool] | None = None, texts: tuple = ()) -> list[Reask]:
    """Greedy answers to ``(prompt_ids, question)`` under ``loaded``'s current weights.

    All prompts are decoded as one left-padded batch (core.greedy_batch: ``generate``'s
    answers, a row leaving the batch once it ended): on a CPU, decoding five answers
    together costs little more than one, where one by one it was the largest part of a
    small run's time. Each answer is cut at the end-of-text token and at the first
    stop sequence, as the chat cuts it.

    ``until(i, answer)``: called once for each answer that has ended (its end-of-text token
    came) while the others go on; True stops decoding there, and the answers still going are
    returned cut short. For a caller whose verdict one finished answer settles: the answers
    that ended are those of the whole batch, token for token (a row's greedy tokens do not
    depend on when the batch stops), and a step back's search for a clean checkpoint stopped
    after a few tokens where a short restated answer ended (``train_verdict.clean_check``).
    ``texts``: per prompt, whether it is a Text continuation's (``finetune_effect.Reasks.texts``), for the count's words."""
    from desktop_app.core.greedy_batch import greedy_rows
    from desktop_app.core.prompts import stop_sequences_for

    if not prompts or (cancel is not None and cancel.is_set()):
        return []
    tok = loaded.tokenizer
    eos = tok.eos_token_id
    pad = tok.pad_token_id if tok.pad_token_id is not None else (eos if eos is not None else 0)
    batch, mask = left_pad([ids for ids, _q in prompts], pad, loaded.device)
    stops = stop_sequences_for(tok)
    settles = None if until is None or eos is None else (
        lambda i, row: until(i, _answer(tok, prompts[i][1], row, eos, stops)))
    # all at once, token by token: a count of questions would stand still, then jump
    what = reask_what(len(prompts), sum(map(bool, texts[:len(prompts)])))
    work_meter.advance(what, 0, max_new_tokens)
    with loaded.lock:
        rows = greedy_rows(loaded.model, batch, mask, max_new_tokens, eos, ended=settles,
                           stepped=lambda n: work_meter.advance(what, n, max_new_tokens))
    return [_answer(tok, question, row, eos, stops) for (_ids, question), row in zip(prompts, rows)]


def _answer(tok, question: str, row: list[int], eos: int | None, stops) -> Reask:
    """A generated row as the chat shows it: cut at end-of-text and the first stop sequence;
    ``cut`` when neither came (the token limit, or the batch stopped early, ended it)."""
    ended = eos is not None and eos in row
    if ended:
        row = row[:row.index(eos)]
    text = tok.decode(row, skip_special_tokens=True)
    for stop in stops:
        if stop and stop in text:
            text, ended = text[:text.index(stop)], True
    return Reask(question, text, degenerate(question, text, row), restates(question, text), cut=not ended)
