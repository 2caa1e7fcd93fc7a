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

Counting the ratings without building examples (the Fine-tune tab's counts, what is new since the
previous run) is ``train_counts.py``'s.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field, replace

from desktop_app.core import text_training
from desktop_app.core.decoding import IncrementalDecoder
from desktop_app.core.prompts import Turn, answer_ids, build_prompt, thread_turns
from desktop_app.core.text_pieces import layout_of, trained_ratings

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
        drawable = drawable_groups(groups)
        n_hold = min(n_hold, len(drawable))
        if earlier is not None:
            drawn = earlier.draw(drawable, n_hold, rng)
        else:
            drawn = rng.sample(drawable, n_hold) if n_hold > 0 else []
        spare = [g for g in drawable if g not in drawn and (earlier is None or g not in earlier.trained)]
        held = self._held_groups(groups, drawn, spare, max_items)

        def part(keep: bool) -> TrainingData:
            return TrainingData([e for e in self.unpaired if (e.group in held) == keep],
                                [e for e in self.pairs if (e.group in held) == keep],
                                [e for e in self.tokens if (e.group in held) == keep])

        return part(False), part(True)

    def _held_groups(self, groups: list[int], drawn: list[int], spare: list[int], max_items: int | None) -> set[int]:
        """The drawn groups held out, in the order drawn (a prefix of the same draw as without ``max_items``), but
        never every group of a kind (``drawable_groups``) nor one that would take the held-out examples past half
        of them all, leaving fewer to train than to judge: a text's place with its siblings and their pairs is
        one group of many examples (a writer's 4 continuations at one place: 9 of 11 examples held out, 2
        trained, discarded). A group passed over is replaced by the next of ``spare`` (drawable, not drawn), in
        order: no new random draw."""
        held: set[int] = set()
        sizes, total = self._group_sizes(), self.rated()
        for group in [*drawn, *spare]:
            full = max_items is not None and held and sum(sizes[g] for g in held) >= max_items
            if len(held) == len(drawn) or full:
                break
            same_kind = sum(_text_group(h) == _text_group(group) for h in held) + 1
            if same_kind < _kind_count(groups, group) and sum(sizes[g] for g in held) + sizes[group] <= total / 2:
                held.add(group)
        return held


def _text_group(group: int) -> bool:
    return group < 0  # a Text mode place (text_training.place_groups); a chat question's group is its message id


def _kind_count(groups: list[int], group: int) -> int:
    return sum(_text_group(g) == _text_group(group) for g in groups)


def drawable_groups(groups: list[int]) -> list[int]:
    """The groups a held-out split may draw: not the only one of its kind (Text mode or chat), and of a kind
    at most all but one (``split``): what the person rated in the Text tab, or in a chat, keeps something to
    train on. A writer's ratings all in one text, beside a chat answer or two, were held out whole by a draw
    and the run trained on the chat alone, so their text could only read worse (a user test: discarded)."""
    return [g for g in groups if _kind_count(groups, g) > 1]


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
