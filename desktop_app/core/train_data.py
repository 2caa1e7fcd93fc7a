"""Ratings in the store -> token-level training examples for the fine-tune.

- A thumbs up/down on an answer -> ``Unpaired`` (prompt, completion, label): the KTO data.
- A correction -> ``Pair`` (chosen: the correction, rejected: the model's answer); a liked
  and a disliked sibling answer to the same prompt -> ``Pair`` too: the DPO data.
  (Which messages pair up is decided by ``exchange.dpo_examples``, the same code that
  exports TRL datasets, so the app and an export never disagree.)
- Token ratings -> ``TokenRated``: the answer's ids with +1/-1 at the rated positions only.

The prompt is formatted exactly as generation formats it (``prompts.build_prompt`` over the
message's thread, with the system text and answer budget it was generated with; a run keeps
only the last exchange before the rated question, ``recent_turns``) and the
answer ids are the ids the model produced (the stored generated records), else the answer
text tokenized on its own (``prompts.answer_ids``), as generation appends it. So position
``len(prompt_ids) + i - 1`` of the logits predicts answer token ``i``: the loss positions are
exactly the ones generation sampled (tests/test_training_data.py checks the boundary).
"""

from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from desktop_app.core import text_training
from desktop_app.core.decoding import IncrementalDecoder
from desktop_app.core.prompts import Turn, answer_ids, build_prompt, thread_turns
from desktop_app.core.text_pieces import layout_of, records_layout, trained_ratings

log = logging.getLogger(__name__)

DEFAULT_ANSWER_BUDGET = 128


@dataclass
class Unpaired:
    prompt_ids: list[int]
    completion_ids: list[int]
    label: bool
    message_id: int
    group: int  # the rated exchange (rating_group): held-out splits never cut one in two
    ends: bool = False  # the completion ends with the end-of-text token: the model ended this answer itself
    end_mark: bool = False  # ... and the token before it ends a sentence (".", "!", "?"): see ends_with_mark
    alone: bool = False  # the question-alone view of a later turn's rating (add_alone_views)


@dataclass
class Pair:
    prompt_ids: list[int]
    chosen_ids: list[int]
    rejected_ids: list[int]
    source: str  # "correction" | "siblings"
    rejected_message_id: int
    chosen_message_id: int | None
    group: int
    chosen_ends: bool = False  # a sibling the model ended itself: chosen ends with its end-of-text token
    chosen_end_mark: bool = False  # ... after a sentence's final mark
    alone: bool = False  # the question-alone view of a later turn's rating (add_alone_views)


@dataclass
class TokenRated:
    prompt_ids: list[int]
    completion_ids: list[int]
    ratings: dict[int, int]  # index into completion_ids -> +1 / -1
    message_id: int
    group: int
    alone: bool = False  # the question-alone view of a later turn's rating (add_alone_views)


@dataclass
class TrainingData:
    unpaired: list[Unpaired] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    tokens: list[TokenRated] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why some ratings could not be used

    def __len__(self) -> int:
        return len(self.unpaired) + len(self.pairs) + len(self.tokens)

    def counts(self) -> dict:
        """What the person rated (a rating's question-alone view is not counted again), and
        ``alone_views`` when there are any (a run's metrics and the model card list these)."""
        unpaired, pairs, tokens = ([e for e in part if not e.alone]
                                   for part in (self.unpaired, self.pairs, self.tokens))
        views = len(self) - self.rated()
        return {"thumbs_up": sum(e.label for e in unpaired),
                "thumbs_down": sum(not e.label for e in unpaired),
                "pairs": len(pairs),
                "corrections": sum(p.source == "correction" for p in pairs),
                "sibling_pairs": sum(p.source == "siblings" for p in pairs),
                "token_ratings": sum(len(t.ratings) for t in tokens),
                "token_rated_answers": len(tokens),
                **({"alone_views": views} if views else {})}

    def rated(self) -> int:
        """Examples without the question-alone views: one per rating, what the schedule sizes."""
        return sum(not e.alone for e in (*self.unpaired, *self.pairs, *self.tokens))

    def _group_sizes(self) -> dict[int, int]:
        sizes: dict[int, int] = {}
        for e in (*self.unpaired, *self.pairs, *self.tokens):
            sizes[e.group] = sizes.get(e.group, 0) + (not e.alone)
        return sizes

    def groups(self) -> list[int]:
        return sorted({e.group for e in (*self.unpaired, *self.pairs, *self.tokens)})

    def split(self, heldout_fraction: float, seed: int = 0, min_total: int = 4,
              max_items: int | None = None, earlier: "EarlierSplit | None" = None
              ) -> tuple["TrainingData", "TrainingData"]:
        """(train, held-out), split by rated exchange (``rating_group``). Nothing is held out when
        there are fewer than ``min_total`` examples or only one exchange: the gate then uses all
        ratings. ``max_items``: the held-out exchanges stop once they hold that many examples (the
        rest train): the gate's margin is measured on them before and after training, a cost
        that grew with the ratings (100 thumbs: 30 held out, 145 s of a 1,153 s run) for a
        mean that 16 items already read clearly. Smaller sets are split as without it.
        ``earlier``: the split of the run that made the adapter this run starts from (EarlierSplit)."""
        groups = self.groups()
        n_hold = int(round(len(groups) * heldout_fraction)) if heldout_fraction > 0 else 0
        if len(self) < min_total or len(groups) < 2:
            n_hold = 0
        n_hold = min(n_hold, len(groups) - 1)
        rng = random.Random(seed)
        if earlier is not None:
            drawn = earlier.draw(groups, n_hold, rng)
        else:
            drawn = rng.sample(groups, n_hold) if n_hold > 0 else []
        held: set[int] = set()
        sizes = self._group_sizes()
        for group in drawn:  # in the order drawn: a prefix of the same draw as without max_items
            if max_items is not None and held and sum(sizes[g] for g in held) >= max_items:
                break
            held.add(group)

        def part(keep: bool) -> TrainingData:
            return TrainingData([e for e in self.unpaired if (e.group in held) == keep],
                                [e for e in self.pairs if (e.group in held) == keep],
                                [e for e in self.tokens if (e.group in held) == keep])

        return part(False), part(True)


@dataclass(frozen=True)
class EarlierSplit:
    """How the run that made the adapter in use split its ratings (its metrics' ``trained_groups`` and
    ``heldout_groups``), which a run starting from that adapter keeps: held-out questions stay held out
    and trained ones stay trained, as a validation set stays fixed across a model's versions. A random
    split of all the ratings drew held-out questions the adapter in use had trained on, and the gate then
    read that adapter's margin on them as what it had learned, a margin it had memorised
    (bench/second_run.py, thumbs 4 + 2: 5.22 in use, 1.58 for the base model, the new run 1.64: refused).
    Kept this way, every held-out question is one no adapter of the line trained on, so each figure
    the gate compares there (base, in use, new) reads generalisation."""

    trained: frozenset[int]
    held: frozenset[int]

    def draw(self, groups: list[int], n_hold: int, rng: random.Random) -> list[int]:
        """The held-out groups, in order: those held out before first, then new questions drawn up to
        ``n_hold`` in all, one new question at least left to train (else the run learns nothing new)."""
        if n_hold <= 0:
            return []
        kept = [g for g in groups if g in self.held][:len(groups) - 1]
        fresh = [g for g in groups if g not in self.held and g not in self.trained]
        more = max(0, min(n_hold - len(kept), len(fresh) - 1))
        return kept + (rng.sample(fresh, more) if more else [])


# ------------------------------------------------------------------ formatting

def prompt_for_message(store, tokenizer, message_id: int, context_window: int,
                       alone: bool = False, history: int | None = None) -> tuple[list[int], dict]:
    """The prompt ids generation used for this answer, and the message row. ``alone``: the
    prompt of its question asked on its own, in a new conversation (``add_alone_views``).
    ``history``: keep only that many exchanges before the question (``recent_turns``)."""
    thread = store.thread(message_id)
    message = thread[-1]
    settings = message.get("settings") or {}
    turns, system = thread_turns(thread)
    if not turns or turns[-1].role != "user":
        raise ValueError(f"message {message_id} does not answer a user prompt")
    if alone or history is not None:
        turns = recent_turns(turns, 0 if alone else history)
    budget = int(settings.get("max_new_tokens") or DEFAULT_ANSWER_BUDGET)
    prompt = build_prompt(tokenizer, turns, system=system, context_window=context_window, max_new_tokens=budget)
    return prompt.ids, message


# A training prompt's history. The prompt of a rating made in the 8th turn of a chat held the 7
# exchanges before it (~600 tokens against ~40 for a question asked alone), and every phase of a
# run reads every prompt: the reference pass, each update, the gate's margins before and after,
# its re-asks of rated questions. 8 "Answer: X." corrections made in one chat cost 371 CPU-s,
# the same made apart 109. What a rating teaches is the answer to its question; the turns just
# before it are what a follow-up ("and of Italy?") needs to mean anything, older ones only make
# the prompt long. So a run's examples keep the last ``FineTuneSettings.history_exchanges``
# question-and-answer exchanges before the rated question (the system text always), whatever
# generation saw: the answer ids and loss positions are unchanged, only older turns go. A
# conversation of one question has no history: its examples are the same either way. The
# compare view still scores an answer in its whole conversation (``scored_answer_ids``).

def recent_turns(turns: list[Turn], exchanges: int) -> list[Turn]:
    """``turns`` (ending with the question) from the ``exchanges``-th user turn before the
    question on: the question and up to ``exchanges`` exchanges before it, whole."""
    users = [i for i, t in enumerate(turns) if t.role == "user"]
    return turns[users[-(exchanges + 1)]:] if len(users) > exchanges else list(turns)


def generated_ids(store, message: dict, tokenizer) -> list[int]:
    """The ids the model wrote for this answer (its generated records), else the text tokenized."""
    records = store.token_records(message["id"])
    if records and written_with(tokenizer, records, message["text"]):
        return [r.id for r in records]
    return answer_ids(tokenizer, message["text"])


def written_with(tokenizer, records, text: str) -> bool:
    """Whether ``records`` are this tokenizer's tokens of ``text``: decoded here as generation
    decoded them, they give the text back. Another model's answer (the bundled model's, rated, then
    a fine-tune of a GPT-2) holds ids of another vocabulary: past this one's end they stopped the
    run ("IndexError: index out of range", usertest16), within it they trained other tokens."""
    if "".join(r.text for r in records) != text or any(not 0 <= r.id < len(tokenizer) for r in records):
        return False
    decoder = IncrementalDecoder(tokenizer)
    return "".join(decoder.push(r.id) for r in records) + decoder.flush() == text


def fit(prompt_ids: list[int], completion: list[int], window: int) -> tuple[list[int], list[int]]:
    """Keep the whole prompt (as generation saw it) and cut the completion's end to fit."""
    room = window - len(prompt_ids)
    if room < 1:
        prompt_ids = prompt_ids[-(window // 2):]
        room = window - len(prompt_ids)
    return prompt_ids, completion[:room]


def scored_answer_ids(store, tokenizer, message_id: int, context_window: int) -> tuple[list[int], list[int], bool]:
    """What re-scoring an answer for the compare view reads: the prompt ids generation used,
    the answer's ids and, when the model ended the answer itself, the end-of-text token
    after them (what thumbs for short answers teach: ``ended_by_itself``), all cut to the
    window; and whether that end token is in the ids (a cut can drop it)."""
    prompt_ids, message = prompt_for_message(store, tokenizer, message_id, context_window)
    ids = generated_ids(store, message, tokenizer)
    end = eos_suffix(tokenizer, ended_by_itself(message, ids))
    prompt_ids, fitted = fit(prompt_ids, ids + end, context_window)
    return prompt_ids, fitted, bool(end) and len(fitted) == len(ids) + 1


def scored_correction_ids(store, tokenizer, message_id: int, context_window: int) -> tuple[list[int], list[int], bool]:
    """What the compare view scores of the better answer the person wrote for answer
    ``message_id`` (its correction): the prompt ids of the answer it replaces and the
    correction's ids as its pair trains them, the end-of-text token after them (the person
    wrote it whole: it ends where they ended it), cut to the window; and whether the end
    token is in the ids. ValueError when the answer has no correction (or no prompt)."""
    text = store.correction(message_id)
    if text is None:
        raise ValueError(f"answer {message_id} has no better answer")
    prompt_ids, _message = prompt_for_message(store, tokenizer, message_id, context_window)
    ids = answer_ids(tokenizer, text)
    end = eos_suffix(tokenizer, True)
    prompt_ids, fitted = fit(prompt_ids, ids + end, context_window)
    return prompt_ids, fitted, bool(end) and len(fitted) == len(ids) + 1


def corrections_after_run(store, run_id: int) -> set[int]:
    """The answers (message ids) whose better answer was written or changed after run
    ``run_id`` started: that run did not learn from those better answers."""
    started = store.get_run(run_id)["started"]
    return {c["message_id"] for c in store.corrections() if c["created"] > started}


def eos_suffix(tokenizer, end_with_eos: bool) -> list[int]:
    eos = getattr(tokenizer, "eos_token_id", None)
    return [int(eos)] if end_with_eos and isinstance(eos, int) else []


TRAINING_WINDOW = 1024  # tokens of prompt + answer one training example may hold

ENDED = ("eos", "stop")  # finish reasons of an answer the model ended itself


def ended_by_itself(message: dict, ids: list[int]) -> bool:
    """Did the model end this answer (end-of-text or a stop sequence), rather than the token
    budget, the context window or the person cutting it off? Only such an answer's end is
    part of what was rated: an answer cut at the budget gets no end-of-text token in
    training, or a liked ramble would teach stopping mid-sentence (and a disliked one,
    pushing the end-of-text token down, rambling on). Messages stored without a finish
    reason count as cut when they filled their budget."""
    settings = message.get("settings") or {}
    reason = settings.get("finish_reason")
    if reason is not None:
        return reason in ENDED
    return len(ids) < int(settings.get("max_new_tokens") or DEFAULT_ANSWER_BUDGET)


SENTENCE_MARKS = (".", "!", "?", "\u2026")


def ends_with_mark(tokenizer, ids: list[int]) -> bool:
    """Does the answer's last token end a sentence ("Nairobi." / "late!")? The
    end-of-text term (train_objectives.end_nll) trains that mark with the end token: a liked
    answer teaches "finish the sentence, then stop", not "stop after any word"."""
    if not ids:
        return False
    text = tokenizer.decode(ids[-1:], skip_special_tokens=True).rstrip()  # the mark is the token trained
    return text.endswith(SENTENCE_MARKS)


# ------------------------------------------------------------------ building

def build_training_data(store, tokenizer, context_window: int, *, end_with_eos: bool = True,
                        paired_thumbs_kto: bool = True, alone_views: bool = False,
                        history: int | None = None) -> TrainingData:
    """Every usable rating in the store as examples (see the module docstring).

    ``end_with_eos`` appends the end-of-text token to whole answers so the model also learns
    where a liked answer (or a correction) stops: to corrections, and to answers the model
    ended itself (``ended_by_itself``), not to answers cut at the token budget; token
    ratings never include it.

    ``alone_views``: a rating of a later turn also trains with its question asked alone
    (``add_alone_views``).

    ``history``: a prompt keeps at most that many exchanges before the rated question
    (``recent_turns``; None: the whole conversation, as generation saw it).

    Examples hold at most ``TRAINING_WINDOW`` tokens, whatever the model's window: a rated
    answer to a pasted 8,000-token text would otherwise need the logits of every position at
    once (8,192 x 49,152 floats for SmolLM2, 1.6 GB, several times over for the reference
    pass, the loss and its gradient) and took a 24 GB machine out of memory. What was rated is
    the answer, so the answer is kept and the oldest part of its prompt is cut.
    """
    context_window = min(context_window, TRAINING_WINDOW)
    data = TrainingData()
    answers = _Answers(store, tokenizer, context_window, history)
    eos = eos_suffix(tokenizer, end_with_eos)
    _add_pairs(data, store, answers, tokenizer, eos, context_window)
    paired = set() if paired_thumbs_kto else {m for p in data.pairs if p.source == "siblings"
                                               for m in (p.chosen_message_id, p.rejected_message_id)}
    _add_thumbs(data, store, answers, eos, context_window, paired)
    _add_token_ratings(data, store, answers, context_window)
    if alone_views:
        add_alone_views(data, answers)
    text_training.add_text_examples(data, store, tokenizer, context_window)  # text mode: plain text, no template
    for reason in data.skipped:
        log.info("training data: skipped: %s", reason)
    return data


class _Answers:
    """(prompt ids, message row, answer ids) of a message, each worked out once."""

    def __init__(self, store, tokenizer, context_window: int, history: int | None = None):
        self.store, self.tokenizer, self.window, self.history = store, tokenizer, context_window, history
        self.cache: dict[int, tuple[list[int], dict, list[int]]] = {}

    def __call__(self, message_id: int):
        if message_id not in self.cache:
            prompt_ids, message = prompt_for_message(self.store, self.tokenizer, message_id, self.window,
                                                     history=self.history)
            self.cache[message_id] = (prompt_ids, message, generated_ids(self.store, message, self.tokenizer))
        return self.cache[message_id]

    def alone(self, message_id: int) -> list[int] | None:
        """The prompt of the answer's question asked alone, when that differs from its prompt
        in the conversation and the question reads as complete on its own (``stands_alone``)."""
        in_thread, _message, _ids = self(message_id)
        question = next((m["text"] for m in reversed(self.store.thread(message_id)[:-1]) if m["role"] == "user"), "")
        if not stands_alone(question):
            return None
        ids, _message = prompt_for_message(self.store, self.tokenizer, message_id, self.window, alone=True)
        return ids if ids != in_thread else None


# The question-alone view. A rating of the 4th answer in a conversation trained only in the
# context of the 3 questions and answers before it, and people ask their next questions in new
# conversations: a user test's 8 "Answer: X." corrections made in one conversation were learnt
# there (the 4th, "Answer: Jupiter.", rose to -0.9 nats in its place) but not one of 4 new
# questions asked in a new conversation, nor the rated question itself asked anew, took the
# format; only the 1st turn's (no history) did. So a later turn's rating also trains with its
# question as the first message of a conversation (the system text kept), beside the view in
# place; the two share the rating's exchange (group), so a held-out split keeps both apart.
#
# A follow-up does not stand alone: "and of Italy?" or "make it shorter" asked first is
# another question, and training "Answer: Rome." on it teaches an answer to text that means
# nothing without the turn before. Such questions get no alone view (``stands_alone``): they
# start with a word that continues ("and", "what about") or refer back ("it", "that", "the
# same"). The rule is crude on purpose and errs towards leaving a view out: a complete
# question it misses still trains in place, as before; a follow-up it let through would
# teach nonsense. A view adds no rating: the schedule counts ratings (``TrainingData.rated``)
# and training visits the two views of a rating in turn (train_steps.batch_order), each at
# half the visits, so a run costs what it did.

FOLLOW_UP_STARTS = ("and", "but", "also", "or", "so", "then", "now", "no", "yes", "ok", "okay", "what about",
                    "how about", "what else", "why not", "are you sure", "thanks", "thank you", "same", "instead")
BACK_REFERENCES = {"it", "its", "it's", "that", "this", "these", "those", "them", "they", "their", "he", "she",
                   "him", "her", "his", "above", "previous", "same", "again", "else", "former", "latter"}


def stands_alone(question: str) -> bool:
    """Does the question read as complete as the first message of a conversation? Not when it
    is shorter than three words ("why?"), starts like a follow-up ("and of Italy?", "what
    about Spain?") or refers back ("make it shorter", "is that right?"); see the note above
    ``add_alone_views``."""
    words = re.findall(r"[a-z0-9']+", question.lower())
    if len(words) < 3:  # "why?", "go on", "in French?": hardly a question of its own
        return False
    start = " ".join(words[:3])
    if any(start == s or start.startswith(s + " ") for s in FOLLOW_UP_STARTS):
        return False
    return not BACK_REFERENCES.intersection(words)


def add_alone_views(data: TrainingData, answer: "_Answers") -> None:
    """Append to each list of ``data`` the question-alone view of its examples whose
    question follows earlier turns (see the note above): the same completion and labels,
    the prompt of the question asked alone, ``alone`` set. After the in-place views, so the
    gate's re-asks of rated questions (the first distinct prompts) are asked as before.
    Token ratings get none: a disliked word is taught in place as well as alone (measured,
    bench/learning_effect.py --one-conversation, tokens x 8: 1.00 of new answers either way),
    and with the alone views one new answer of 16 looped ("you'll need a few ingredients" x 3)."""
    for part in (data.pairs, data.unpaired):
        views = []
        for e in part:
            mid = e.rejected_message_id if isinstance(e, Pair) else e.message_id
            if mid < 0 or e.alone:
                continue
            try:
                prompt = answer.alone(mid)
            except ValueError:
                continue
            if prompt is not None:
                views.append(replace(e, prompt_ids=prompt, alone=True))
        part.extend(views)


def rating_group(message: dict) -> int:
    """The exchange a rated answer belongs to, the unit a held-out split keeps whole: its question
    (the user message it answers), so sibling answers and their pairs stay on one side. Not the
    conversation: people ask their questions one after another in one chat (user tests), and a
    chat was one group, so 8 ratings made in it held nothing out and the gate judged the run on
    the very ratings it trained on. A held-out answer's text is never a training target; a later
    turn's prompt may hold its question and the model's own answer as context (one exchange of
    it by default, ``history_exchanges``), not the person's correction."""
    return message.get("parent_id") or message["id"]


def _add_thumbs(data: TrainingData, store, answer, eos: list[int], window: int, paired: set[int]) -> None:
    from desktop_app.core.exchange import kto_examples

    for ex in kto_examples(store, with_ids=True):
        if ex["source"] != "rating" or ex["message_id"] in paired:  # corrections train as pairs (DPO)
            continue
        mid = ex["message_id"]
        try:
            prompt_ids, message, ids = answer(mid)
        except ValueError as exc:
            data.skipped.append(str(exc))
            continue
        ended = bool(eos) and ended_by_itself(message, ids)
        p, c = fit(prompt_ids, ids + (eos if ended else []), window)
        if c:
            whole = ended and len(c) == len(ids) + 1
            data.unpaired.append(Unpaired(p, c, bool(ex["label"]), mid, rating_group(message), whole,
                                          whole and ends_with_mark(answer.tokenizer, ids)))


def _add_pairs(data: TrainingData, store, answer, tokenizer, eos: list[int], window: int) -> None:
    from desktop_app.core.exchange import dpo_examples

    for ex in dpo_examples(store, with_ids=True):
        rid = ex["rejected_message_id"]
        try:
            prompt_ids, message, rejected = answer(rid)
        except ValueError as exc:
            data.skipped.append(str(exc))
            continue
        ended, mark = False, False
        if ex["source"] == "correction":  # the person wrote it whole: it ends where they ended it
            chosen = answer_ids(tokenizer, ex["chosen"][0]["content"]) + eos
        else:
            _p, chosen_message, chosen = answer(ex["chosen_message_id"])
            ended = bool(eos) and ended_by_itself(chosen_message, chosen)
            mark = ended and ends_with_mark(tokenizer, chosen)
            chosen = chosen + (eos if ended else [])
        p, ch = fit(prompt_ids, chosen, window)
        p2, rj = fit(prompt_ids, rejected + (eos if ended_by_itself(message, rejected) else []), window)
        if ch and rj and p == p2 and ch != rj:
            whole = ended and len(ch) == len(chosen)
            data.pairs.append(Pair(p, ch, rj, ex["source"], rid, ex["chosen_message_id"], rating_group(message),
                                   whole, whole and mark))


def _add_token_ratings(data: TrainingData, store, answer, window: int) -> None:
    by_message: dict[int, list[tuple[int, int]]] = {}
    for rating in sorted(store.ratings(), key=lambda r: (r["created"], r["id"])):  # oldest first: the newest counts
        if rating["token_index"] is not None:
            by_message.setdefault(rating["message_id"], []).append((rating["token_index"], rating["value"]))
    for mid, rated in sorted(by_message.items()):
        try:
            prompt_ids, message, ids = answer(mid)  # generated_ids: the records' ids where written with them
        except ValueError as exc:
            data.skipped.append(str(exc))
            continue
        # token_index counts generated records; an answer no model wrote here has none, and its
        # index counts its text's tokens, which its card showed scored (core/unwritten.py)
        records = store.token_records(mid)
        if records and ids != [r.id for r in records]:  # generated_ids read the text instead: not this model's
            data.skipped.append(f"message {mid}: its token ratings count another model's tokens")
            continue
        if not ids:
            data.skipped.append(f"message {mid} has token ratings but no tokens")
            continue
        p, c = fit(prompt_ids, ids, window)
        kept = {i: v for i, v in on_chosen_tokens(answer.tokenizer, ids, rated).items() if i < len(c)}
        if kept:
            data.tokens.append(TokenRated(p, c, kept, mid, rating_group(message)))


def on_chosen_tokens(tokenizer, ids: list[int], rated: list[tuple[int, int]]) -> dict[int, int]:
    """Token ratings (index, value; oldest first) at the token where the model chose their character.

    A rating of a character split over several byte-level tokens (an emoji, "é", CJK) was stored on
    the token the person clicked, the one that shows the character and finishes its bytes, and trained
    there: a "bad" pushed down the byte that completes the character, teaching the model to leave
    characters broken (invalid UTF-8) rather than to avoid them. The window, the CLI, Text mode and an
    import now store it on the character's first token, and every rating, stored then or before, is
    moved here, when read, to the token holding the character's first byte (core/text_pieces.py). Not
    rewritten in the database: where a character began needs the tokenizer's bytes (the bundled model's
    " 😀" began in the token that shows " "), which training has and the store does not; and an older
    version reading the database still finds each rating on a token of its character."""
    return trained_ratings(layout_of(tokenizer, ids), rated)


def rated_characters(store, tokenizer=None, after: str | None = None) -> int:
    """The answers' token ratings as training keeps them: two on one character (an old database's,
    stored on two of its tokens before a rating went to the character's first) train as one, the newer
    (``on_chosen_tokens``), so they count one. Where the character began is read from the answer's
    stored tokens: by their bytes where ``tokenizer`` reads their ids as their texts, else by their
    texts (which miss a character begun in a token that shows another, as the bundled model's " 😀");
    an answer with one token rating, or without stored tokens, counts its ratings. ``after``: only
    the ratings given after that time (a run's start: what is new since it)."""
    by_message: dict[int, set[int]] = {}
    for r in store.ratings():
        if r["token_index"] is not None and (after is None or r["created"] > after):  # as SQL's "created > ?"
            by_message.setdefault(r["message_id"], set()).add(r["token_index"])
    return sum(len(indices) if len(indices) == 1 else _characters(store.token_records(mid), indices, tokenizer)
               for mid, indices in by_message.items())


def _characters(records, indices: set[int], tokenizer) -> int:
    if not records:
        return len(indices)
    layout = records_layout(records, tokenizer)
    return len({layout.trained(i) for i in indices})


def rated_message_ids(store) -> list[int]:
    """Answers that carry any rating or a correction (what a kept run re-scores)."""
    ids = {r["message_id"] for r in store.ratings()} | {c["message_id"] for c in store.corrections()}
    out = []
    for mid in sorted(ids):
        try:
            if store.get_message(mid)["role"] == "assistant":
                out.append(mid)
        except Exception:  # deleted meanwhile
            continue
    return out


# what a run did not learn from: ratings and better texts given or changed after it started (a
# run reads them when it starts); the rated answers' message ids, then the Text continuations' ids
_ANSWERS_AFTER = ("SELECT message_id FROM ratings WHERE created > ?",
                  "SELECT message_id FROM corrections WHERE created > ?")
_BRANCHES_AFTER = ("SELECT branch_id FROM text_ratings WHERE created > ?",
                   "SELECT id FROM text_branches WHERE correction IS NOT NULL AND corrected > ?")


def rated_after_run(store, run_id: int) -> tuple[set[int], set[int]]:
    """The answers (message ids) and Text continuations (branch ids) rated or given a better
    text after run ``run_id`` started: what that run did not learn from (a run reads the
    ratings when it starts: ``since_last_run``'s rule)."""
    started = store.get_run(run_id)["started"]
    answers, branches = (store._rows(" UNION ".join(queries), (started,) * len(queries))
                         for queries in (_ANSWERS_AFTER, _BRANCHES_AFTER))
    return {r[0] for r in answers}, {r[0] for r in branches}


def previous_run(store, parent: dict | None, model_id: str):
    """The run row that ratings are "new since", for the run card and the Fine-tune tab alike: the run
    that made ``parent``, the adapter in use, which a new run starts from and is compared with (a
    discarded run after it changed nothing the person chats with, so what it read is still new to the
    model in use: the tab counted since that discarded run while the card said "new since" the run
    before it); else (the base model in use, or an adapter no run here made) the newest finished (kept or
    discarded) run of ``model_id``, the model in use (another model's run taught this one nothing: it
    had counted since any model's newest run); None when there is none."""
    run_id = parent.get("run_id") if parent else None
    row = store._one(_PREVIOUS_RUN + "WHERE id = ?", (run_id,)) if run_id is not None else None
    return row or store._one(_PREVIOUS_RUN + "WHERE base_model = ? AND status IN ('kept', 'discarded') "
                             "ORDER BY id DESC LIMIT 1", (model_id,))


_PREVIOUS_RUN = "SELECT id, started, finished, metrics, settings FROM finetune_runs "


def new_since_previous(store, parent: dict | None, model_id: str) -> tuple[int | None, frozenset[int]]:
    """The run a new run of ``model_id`` has its ratings new since (``previous_run``; ``parent``: the
    adapter in use) and what was rated or given a better text after that run started, as training data
    names them: message ids, and a Text continuation's branch id negated (core/text_training.py). A
    run's card shows these first (usertest 13: the two answers just corrected were not re-asked)."""
    row = previous_run(store, parent, model_id)
    if row is None:
        return None, frozenset()
    answers, branches = rated_after_run(store, row["id"])
    return row["id"], frozenset(answers | {-b for b in branches})


def readiness(store, model_id: str | None = None, tokenizer=None) -> dict:
    """Counts of usable examples, without running a model (fast: for the GUI's button), and what is
    new since the previous run of ``model_id`` (``since_last_run``). Token ratings count as training
    keeps them (``rated_characters``); ``tokenizer`` (the loaded model's, optional) tells where a split
    character began by its bytes."""
    from desktop_app.core.exchange import dpo_examples, kto_examples

    kto = [e for e in kto_examples(store, with_ids=True) if e["source"] == "rating"]
    dpo = dpo_examples(store, with_ids=True)
    token_ratings = rated_characters(store, tokenizer)
    counts = {"thumbs_up": sum(1 for e in kto if e["label"]),
              "thumbs_down": sum(1 for e in kto if not e["label"]),
              "token_ratings": token_ratings,
              "corrections": sum(1 for e in dpo if e["source"] == "correction"),
              "pairs": len(dpo),
              "sibling_pairs": sum(1 for e in dpo if e["source"] == "siblings")}
    counts["total"] = len(kto) + len(dpo) + token_ratings
    # a thumb on an answer that also has a better answer trains twice: as the thumb and in the pair
    corrected = {e["rejected_message_id"] for e in dpo if e["source"] == "correction"}
    counts["thumbs_on_corrected"] = sum(1 for e in kto if e["message_id"] in corrected)
    # a thumbs-up there conflicts with its pair: one says "more likely", the other "less than yours"
    counts["liked_and_corrected"] = sum(1 for e in kto if e["message_id"] in corrected and e["label"])
    # a thumbs-down there is one gesture with the better answer to the person ("this one is bad, here is
    # a better one"), though it trains apart too: the tab counts the two once (usertest 13: "16" for 8)
    counts["disliked_and_corrected"] = counts["thumbs_on_corrected"] - counts["liked_and_corrected"]
    for key, value in text_training.readiness(store, tokenizer).items():  # text mode's ratings count alike
        counts[key] += value
        counts[f"text_{key}"] = value  # and are named apart: a continuation is no answer (usertest 12)
    # the ratings as the person gave them: a liked and a disliked answer to one question also train
    # as a pair (build_training_data makes the two thumbs and their pair: 3 examples of 2 ratings),
    # and a thumbs-down with a better answer is one gesture (above)
    counts["ratings"] = counts["total"] - counts["sibling_pairs"] - counts["disliked_and_corrected"]
    counts["ready"] = counts["total"] > 0
    counts.update(since_last_run(store, model_id, tokenizer))
    return counts


def since_last_run(store, model_id: str | None = None, tokenizer=None) -> dict:
    """What the previous run (``previous_run``: the one that made ``model_id``'s adapter in use, as a
    new run's card counts it) did not see: ``last_run`` (its id, or None when no run finished) and
    ``new_since_run``, the ratings and better answers given or changed after it started. A run reads
    the ratings when it starts, so anything later is new. ``model_id`` None: the model the newest
    finished run trained. Also how that run used them and how long it took (``last_run_trained``,
    ``last_run_heldout``: examples learned from and kept aside to test the result;
    ``last_run_seconds``; ``last_run_settings``, the settings it ran with), so a panel can say what a
    second click on the same ratings would cost and whether it would repeat that run; None where it did
    not record it. And a newer finished run of the model, if any (``newer_run``). Token ratings count as
    training keeps them (``rated_characters``, by the bytes with ``tokenizer``), as the tab's total does."""
    if model_id is None:
        newest = store._one("SELECT base_model FROM finetune_runs WHERE status IN ('kept', 'discarded') "
                            "ORDER BY id DESC LIMIT 1")
        model_id = newest["base_model"] if newest else None
    row = previous_run(store, store.active_adapter(model_id), model_id) if model_id is not None else None
    if row is None:
        return {"last_run": None, "new_since_run": None}
    return {**_run_new_count(store, row, tokenizer), **_run_use(row),
            **newer_run(store, model_id, row["id"], tokenizer)}


def newer_run(store, model_id: str | None, previous_id: int, tokenizer=None) -> dict:
    """The newest finished run of ``model_id`` after the previous run ``previous_id`` (a discarded run
    that started from the adapter in use, or a kept one whose adapter the person stepped back from):
    ``newer_run`` (its id), ``new_since_newer`` (what it did not see: 0 when a new run would train on
    exactly the ratings it had), ``newer_run_status``, ``newer_run_reason``, ``newer_run_adapter`` (the
    one it made, if kept), ``newer_run_from`` (the adapter it started from), ``newer_run_seconds``,
    ``newer_run_settings`` and ``newer_run_heldout`` (the ratings it kept out, for its reason's words); {}
    when the previous run is the newest."""
    row = store._one("SELECT id, started, finished, metrics, settings, status, reason, adapter_id, "
                     "parent_adapter_id FROM finetune_runs WHERE base_model = ? AND status IN ('kept', 'discarded') "
                     "AND id > ? ORDER BY id DESC LIMIT 1", (model_id, previous_id))
    if row is None:
        return {}
    use = _run_use(row)
    return {"newer_run": row["id"], "new_since_newer": _run_new_count(store, row, tokenizer)["new_since_run"],
            "newer_run_status": row["status"], "newer_run_reason": row["reason"],
            "newer_run_adapter": row["adapter_id"], "newer_run_from": row["parent_adapter_id"],
            "newer_run_seconds": use["last_run_seconds"], "newer_run_settings": use["last_run_settings"],
            "newer_run_heldout": use["last_run_heldout"]}


def _run_use(row) -> dict:
    """A finished run row's examples (trained on, held out), its length in seconds and the settings it
    ran with (as recorded: a click with others is no repeat of it)."""
    metrics, settings = (_json_dict(row[column]) for column in ("metrics", "settings"))
    try:
        seconds = (datetime.fromisoformat(row["finished"]) - datetime.fromisoformat(row["started"])).total_seconds()
    except (TypeError, ValueError):
        seconds = None
    return {"last_run_trained": metrics.get("train_size"), "last_run_heldout": metrics.get("heldout_size"),
            "last_run_seconds": seconds, "last_run_settings": settings}


def _json_dict(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _run_new_count(store, row, tokenizer=None) -> dict:
    """The ratings and better answers given or changed after the run row started; token ratings as
    training keeps them (two on one split character: one)."""
    started = row["started"]
    added = " + ".join(f"(SELECT COUNT(*) FROM ({q}))" for q in _WHOLE_AFTER)
    once = " + ".join(f"(SELECT COUNT(*) FROM ({q}))" for q in _DISLIKED_AND_CORRECTED_AFTER)  # each "?": ``started``
    params = (started,) * (len(_WHOLE_AFTER) + 2 * len(_DISLIKED_AND_CORRECTED_AFTER))
    new = store._one(f"SELECT {added} - ({once})", params)[0]
    tokens = rated_characters(store, tokenizer, started) + text_training.rated_characters(store, tokenizer, started)
    return {"last_run": row["id"], "new_since_run": int(new) + tokens}


# the thumbs and better texts given or changed after a run started (each "?": its start); its token
# ratings are counted by character (``rated_characters``)
_WHOLE_AFTER = ("SELECT 1 FROM ratings WHERE token_index IS NULL AND created > ?", _ANSWERS_AFTER[1],
                "SELECT 1 FROM text_ratings WHERE token_index IS NULL AND created > ?", _BRANCHES_AFTER[1])


# a thumbs-down and a better answer (or continuation) for one answer (or continuation), both given after a
# run started: one new rating to the person, as the ready line counts them (``readiness``:
# ``disliked_and_corrected``)
_DISLIKED_AND_CORRECTED_AFTER = (
    "SELECT r.message_id FROM ratings r JOIN corrections c ON c.message_id = r.message_id "
    "WHERE r.token_index IS NULL AND r.value = -1 AND r.created > ? AND c.created > ?",
    "SELECT r.branch_id FROM text_ratings r JOIN text_branches b ON b.id = r.branch_id "
    "WHERE r.token_index IS NULL AND r.value = -1 AND b.correction IS NOT NULL AND r.created > ? AND b.corrected > ?")
