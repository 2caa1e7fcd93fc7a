"""What both front ends do with a model, written once: open a model, ask and answer (and
store the answer), score a text or a stored answer, switch adapters, run a fine-tune.

The command line calls these directly; the window calls them from its task lanes
(gui/tasks.py). So a message saved by ``gpt2-desk generate --save`` and one saved by the
window are the same row: the same stored settings, the same title, the same parent rule.

Nothing here keeps state between calls: the caller owns the ``LoadedModel`` and the
``Store``, and decides which thread runs what.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from desktop_app.core.errors import UserFacingError
from desktop_app.core.generation import Generation, SamplingSettings
from desktop_app.core.model_sources import ModelSource, Progress, resolve_spec
from desktop_app.core.models import LoadedModel, check_model_folder, load_model
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.records import TokenRecord, joined_text
from desktop_app.core.speed_words import kept_speed
from desktop_app.core.word_cut import clip_at_word

TITLE_CHARS = 48
DEFAULT_TITLE = "New conversation"
LAST = "last"  # add_prompt: after the conversation's newest message
ADAPTER_PROGRESS = "Putting on your fine-tuned adapter"


def short_title(text: str) -> str:
    """A conversation's title from its first prompt: one line, at most TITLE_CHARS, a longer one
    cut after a whole word with "…" ("… the stairs ev…" read as a typo; a first word longer than
    the title is cut where it must be): core/word_cut.py's rule."""
    return clip_at_word(text, TITLE_CHARS)


def _ignore(*_args) -> None:
    pass


# ---------------------------------------------------------------- the model

def open_model(spec: str | ModelSource | None, paths, device: str = "auto", *, store=None,
               progress: Progress = _ignore, notice: Callable[[str], None] = _ignore,
               precision: str = "auto") -> LoadedModel:
    """Resolve and load a model; with a ``store``, put on the adapter the person made active
    for it. ``notice`` hears why this model was chosen (the offline fallback); ``precision``
    is core.precision's auto | exact | fast | compact."""
    from desktop_app.core.adapters import attach_active

    source = spec if isinstance(spec, ModelSource) else resolve_spec(spec)
    if source.notice:
        notice(source.notice)
    if source.kind == "folder":  # a folder that holds no model is said at once, not after PyTorch's ~10 s start (cli63)
        check_model_folder(Path(source.location))
    # the first import of PyTorch and transformers took ~25 s on a busy CPU, under "Finding the
    # model" beside a banner that had found it (usertest 9): said as what it is
    progress(f"Starting PyTorch to run {source.display_name}", 0, 0)
    import transformers  # noqa: F401
    loaded = load_model(source, paths, device, progress, precision)
    if loaded.precision_note:  # e.g. Compact asked for where it cannot run
        notice(loaded.precision_note)
    if store is not None and store.active_adapter(loaded.model_id) is not None:
        progress(ADAPTER_PROGRESS, 0, 0)
        attach_active(loaded, store)
    return loaded


def sync_adapter(loaded: LoadedModel, store) -> int | None:
    """Make the loaded model wear the store's active adapter (or none); returns its id."""
    from desktop_app.core.adapters import attach_active

    attach_active(loaded, store)
    return loaded.adapter_id


def change_adapter(store, action: str, model_id: str | None = None, adapter_id: int | None = None) -> dict | None:
    """"activate" | "deactivate" | "rollback" | "delete" in the store (not on a loaded model:
    ``sync_adapter`` does that). ``model_id`` checks an activation against the base model;
    returns the adapter now active for it, when that is known."""
    from desktop_app.core import adapters

    if action == "activate":
        row = adapters.activate(store, adapter_id, model_id)
        from desktop_app.core.train_verdict import note_activated

        note_activated(store, row)  # a run's adapter that waited for the person's word has it now
        return row
    if action == "deactivate":
        adapters.deactivate(store, model_id)
        return None
    if action == "rollback":
        return adapters.rollback(store, model_id, adapter_id)
    if action == "delete":
        adapters.delete(store, adapter_id)
        return store.active_adapter(model_id) if model_id else None
    raise ValueError(f"unknown adapter action {action!r}")


def fine_tune(store, model, paths, settings=None, *, progress=None, cancel: threading.Event | None = None,
              device: str = "auto", verdict=None, cancel_reason=None):
    """One fine-tune on the store's ratings (core.training.run_finetune): ``model`` is the
    chat model (a copy is trained) or a spec. Returns its RunResult; ``verdict(result)`` hears a
    kept run's result before the re-scoring for the compare view that follows it;
    ``cancel_reason()`` says why ``cancel`` was set."""
    from desktop_app.core.training import run_finetune

    return run_finetune(store, model, paths, settings, progress=progress, cancel=cancel, device=device,
                        verdict=verdict, cancel_reason=cancel_reason)


# ---------------------------------------------------------------- asking and answering

@dataclass(frozen=True)
class SharedPrefix:
    """The tokens a branch shares with the answer it branched from, and who wrote them.

    Attributes:
        records: the first answer's records before the token the person chose, kept with
            the figures they were written with.
        model_id, adapter_id: the first answer's writer (adapter None: the base model).
    """

    records: tuple[TokenRecord, ...]
    model_id: str | None
    adapter_id: int | None

    @classmethod
    def of(cls, message: dict, records, upto: int) -> "SharedPrefix":
        """The first ``upto`` ``records`` of the stored answer ``message``."""
        return cls(tuple(records[:upto]), message.get("model_id"), message.get("adapter_id"))


def written_by_its_writer(message: dict) -> bool:
    """Whether all of a stored answer's generated records are its own writer's figures: not a
    branch whose shared prefix another model or adapter wrote (kept with that writer's figures)."""
    first = (message.get("settings") or {}).get("prefix_writer")
    return first is None or (first.get("model_id"), first.get("adapter_id")) == (message.get("model_id"),
                                                                              message.get("adapter_id"))


@dataclass
class Answer:
    """One answer being made, then made: the generation and what it was made with.

    Attributes:
        generation: the streaming Generation (iterate ``run``); afterwards its records,
            text, seed, finish reason and speed.
        model_id: the model that wrote it.
        adapter_id: the adapter it wore then (None: the base model).
        system: the system text the prompt began with ("" for none).
        branched_at: for a branch, the index of the token chosen by the person.
        notice: why the prompt was shortened to fit the window, when it was.
        shared: for a branch, the prefix it shares with its first answer and who wrote it.
    """

    generation: Generation
    model_id: str
    adapter_id: int | None
    system: str = ""
    branched_at: int | None = None
    notice: str | None = None
    shared: SharedPrefix | None = None

    def run(self, on_token: Callable[[TokenRecord], None] | None = None) -> "Answer":
        on_token = on_token or _ignore
        for record in self.generation:
            on_token(record)
        return self

    def stored_settings(self) -> dict:
        """What the message row keeps about how it was made (the same from both front ends)."""
        g = self.generation
        stored = dict(g.settings.to_dict(), seed=g.seed, finish_reason=g.finish_reason,
                      tokens_per_s=kept_speed(g.tokens_per_s), branched_at=self.branched_at, system=self.system)
        if self.shared is not None:  # who wrote the tokens before ``branched_at`` (the card names both)
            stored["prefix_writer"] = {"model_id": self.shared.model_id, "adapter_id": self.shared.adapter_id}
        return stored


def prepare_answer(loaded: LoadedModel, turns: list[Turn], settings: SamplingSettings, *, system: str | None = None,
                   prefix_ids=(), branched_at: int | None = None, cancel: threading.Event | None = None,
                   shared: SharedPrefix | None = None) -> Answer:
    """The prompt built from ``turns`` (cut to fit the window), ready to stream. The stop
    sequences are the chat template's plus the settings' own. ``shared``: a branch's prefix,
    whose records are kept as written."""
    prompt = build_prompt(loaded.tokenizer, [t for t in turns if t.role in ("user", "assistant")],
                          system=system or None, context_window=loaded.context_window,
                          max_new_tokens=settings.max_new_tokens)
    run = replace(settings, max_new_tokens=prompt.max_new_tokens,
                  stop_sequences=tuple(prompt.stop_sequences) + tuple(settings.stop_sequences))
    generation = Generation(loaded, prompt.ids, run, cancel=cancel, prefix_ids=list(prefix_ids),
                            prefix_records=shared.records if shared else ())
    return Answer(generation, loaded.model_id, loaded.adapter_id, system or "", branched_at, prompt.notice, shared)


def turns_to(store, message_id: int) -> list[Turn]:
    """The conversation up to and including ``message_id`` (its branch, from the root)."""
    return [Turn(m["role"], m["text"]) for m in store.thread(message_id)]


def answer_prompt(store, loaded: LoadedModel, user_id: int, settings: SamplingSettings, *,
                  system: str | None = None, prefix_ids=(), branched_at: int | None = None,
                  cancel: threading.Event | None = None, on_token: Callable[[TokenRecord], None] = _ignore,
                  on_notice: Callable[[str], None] = _ignore, on_reading=None,
                  between: Callable[[], None] | None = None, shared: SharedPrefix | None = None) -> Answer:
    """Answer the stored prompt ``user_id`` with its branch of the conversation as context;
    streams to ``on_token``. Store the result with ``save_answer``. ``on_reading(read, total)``
    hears how much of the prompt the model has read before its first token: (0, total) once
    the prompt is built, then after every chunk of a long one (minutes on a CPU at 8,000 tokens).
    ``between()`` runs between two tokens (Generation.between). ``shared``: a branch's prefix
    (SharedPrefix), kept with its first figures and its writer named in the stored settings."""
    answer = prepare_answer(loaded, turns_to(store, user_id), settings, system=system, prefix_ids=prefix_ids,
                            branched_at=branched_at, cancel=cancel, shared=shared)
    if answer.notice:
        on_notice(answer.notice)
    answer.generation.between = between
    if on_reading is not None:
        g = answer.generation
        g.on_reading = on_reading
        on_reading(0, len(g.prompt_ids) + len(g.prefix_ids))
    return answer.run(on_token)


def distinct_title(title: str, taken) -> str:
    """``title``, or "title (2)", "(3)"...: two conversations that start alike stay apart in the list."""
    taken = set(taken)
    n = 2
    candidate = title
    while candidate in taken:
        candidate = f"{title} ({n})"
        n += 1
    return candidate


def new_title(store, text: str) -> str:
    return distinct_title(short_title(text), [c["title"] for c in store.list_conversations()])


def add_prompt(store, conversation_id: int | None, text: str, parent_id: int | None | str = LAST, *,
               unique_title: bool = False) -> tuple[int, int]:
    """Store the person's prompt; returns (conversation id, message id). A new conversation
    (``conversation_id`` None), or a fresh one still called DEFAULT_TITLE, is titled after
    the prompt. ``parent_id``: the message it follows (LAST: the conversation's newest).
    ``unique_title``: "title (2)" when another conversation has that title (the window's list)."""
    def title() -> str:
        return new_title(store, text) if unique_title else short_title(text)

    if conversation_id is None:
        conversation_id = store.create_conversation(title())
        previous = []
    else:
        conversation = store.get_conversation(conversation_id)  # a clear error when unknown
        previous = store.messages(conversation_id)
        if not previous and conversation["title"] == DEFAULT_TITLE:
            store.rename_conversation(conversation_id, title())
    if parent_id == LAST:
        parent_id = previous[-1]["id"] if previous else None
    return conversation_id, store.add_message(conversation_id, "user", text, parent_id=parent_id)


def save_answer(store, conversation_id: int, user_id: int, answer: Answer) -> int | None:
    """Store a finished answer under its prompt; None when it has no token to keep."""
    g = answer.generation
    if not g.records:
        return None
    return store.add_message(conversation_id, "assistant", g.text, parent_id=user_id, model_id=answer.model_id,
                             adapter_id=answer.adapter_id, settings=answer.stored_settings(), records=g.records)


# ---------------------------------------------------------------- scoring

@dataclass(frozen=True)
class ScoredText:
    """A text scored token by token.

    Attributes:
        ids: all its token ids.
        unscored_prefix: the start of the text nothing predicts, exactly as it stands in the
            text: "" when the model reads plain text after a start token (the first token is
            scored too), else its first token.
        records: one TokenRecord for each of ``ids[first:]`` (only those of the windows
            done when the scoring was cancelled: see ``complete``).
        model_key: what made the records (``scoring_key``): an earlier scoring is reused
            only under the same key.
        stopped: cancelled before its last window (or while the text was read: no ids).
        first: the index in ``ids`` of the first record (core.scoring.first_scored: 0, or 1
            for a model without a start token).
    """

    ids: list
    unscored_prefix: str
    records: list
    model_key: tuple | None = field(default=None, compare=False)
    stopped: bool = field(default=False, compare=False)
    first: int = 1
    passes: tuple = field(default=(), compare=False)  # core.score_passes.Pass: which pass made which records

    @property
    def scorable(self) -> int:
        """How many of its tokens get a record once the scoring is complete."""
        return max(0, len(self.ids) - self.first)

    @property
    def complete(self) -> bool:
        return not self.stopped and len(self.records) >= self.scorable


def scoring_key(loaded: LoadedModel, alternatives: int, detailed: int | None = None, base: bool = False) -> tuple:
    """The model, adapter, precision and alternatives behind a scoring: records made under
    another key are not reused. ``base``: made with the adapter set aside."""
    adapter = None if base else loaded.adapter_id
    return (id(loaded.model), loaded.model_id, adapter, loaded.precision, alternatives, detailed)


def score_whole_text(loaded: LoadedModel, text: str, alternatives: int = 10, *, previous: ScoredText | None = None,
                     cancel: threading.Event | None = None, progress=None, detailed: int | None = None,
                     base: bool = False, ids: list[int] | None = None) -> ScoredText:
    """Score a text (any length). ``previous``: an earlier scoring (of this or another text):
    the windows before the first changed token are reused when the same model made it, so
    an edit re-runs only the windows from the edit on. ``cancel`` stops it between windows
    (the result is then not ``complete``); ``progress`` hears a core.scoring.ScoreProgress
    after each window. ``detailed``: only about the first so many tokens keep their
    alternatives (core.scoring.score_ids). ``base``: under the base model, the adapter the model
    wears set aside (PEFT's ``disable_adapter``) for the pass. ``ids``: the text's ids from another
    scoring of it (its ScoredText's), not read again. The first window's cache is kept for the next
    scoring under the same model, adapter and precision (``LoadedModel.kept_blocks``), so an edit
    reads only the block it falls in on, not the blocks before it again."""
    from desktop_app.core.scoring import BlockCache, first_scored, score_text

    base = base and loaded.adapter_id is not None
    key = scoring_key(loaded, alternatives, detailed, base)
    passes: list = []
    blocks = loaded.kept_blocks.get(key[:4], BlockCache)  # (keys and values hang on neither alternatives nor detail)
    with _adapter_aside(loaded) if base else contextlib.nullcontext():
        ids, records = score_text(loaded, text, alternatives, cancel=cancel, progress=progress,
                                  previous=reusable(previous, key), detailed=detailed, passes=passes, ids=ids,
                                  blocks=blocks)
    with loaded.lock:  # (no scoring reads on from a kept cache meanwhile)
        loaded.kept_blocks.trim(loaded.context_window)
    first = first_scored(loaded.tokenizer)
    stopped = cancel is not None and cancel.is_set() and (len(records) < len(ids) - first or (not ids and bool(text)))
    joined = joined_text(records)
    if joined and text.endswith(joined):
        prefix = text[: len(text) - len(joined)]
    else:
        prefix = loaded.tokenizer.decode(ids[:first]) if ids and first else ""
    return ScoredText(ids, prefix, records, key, stopped, first, tuple(passes))


def reusable(previous: ScoredText | None, key: tuple) -> tuple | None:
    """What a scoring under ``key`` may keep of ``previous`` (core.scoring.score_text's
    ``previous``: its ids, records and passes), None when another key made it."""
    if previous is None or previous.model_key != key:
        return None
    return previous.ids, previous.records, previous.passes or None


@contextlib.contextmanager
def _adapter_aside(loaded: LoadedModel):
    """Inside: the model reads as its base, under its lock (no switch of adapter meanwhile)."""
    with loaded.lock, loaded.model.disable_adapter():
        yield


def _answer_to_score(store, loaded: LoadedModel, message_id: int) -> tuple[list[int], list[int], bool]:
    """The prompt ids generation used for a stored answer, the answer's ids (with the
    end-of-text token when the model ended it: train_data.scored_answer_ids) cut to the
    window, and whether the end token is there."""
    from desktop_app.core.train_data import scored_answer_ids

    return scored_answer_ids(store, loaded.tokenizer, message_id, loaded.context_window)


def score_answer(loaded: LoadedModel, prompt_ids: list[int], ids: list[int], ended: bool) -> list:
    """Teacher-forced records of an answer; its end-of-text token (``ended``: the last id)
    gets an empty text, so the records' text is still the answer's text (``split_end``)."""
    from desktop_app.core.scoring import score_ids

    return _end_text(score_ids(loaded, prompt_ids, ids), ended)


def split_end(records: list, tokenizer) -> tuple[list, TokenRecord | None]:
    """A re-scored answer's token records and, apart, the record of the end-of-text token
    that ended it (None when the answer was cut, or for records stored before the end was
    scored): the token that tells whether the model learned where to stop."""
    eos = getattr(tokenizer, "eos_token_id", None)
    if records and records[-1].id == eos and records[-1].text == "":
        return list(records[:-1]), records[-1]
    return list(records), None


@dataclass(frozen=True)
class ComparePass:
    """Progress of scoring one text under both models: pass ``done`` of ``total`` begins,
    under ``under`` ("the adapter" or "the base model"); ``done == total``: finished."""

    done: int
    total: int
    under: str


class CompareCancelled(UserFacingError):
    """Cancel was pressed, or another answer picked: the scoring stopped between passes."""

    def __init__(self, message: str = "The scoring was cancelled."):
        super().__init__(message)


def _score_both(loaded: LoadedModel, prompt_ids: list[int], ids: list[int], ended: bool,
                cancel: threading.Event | None, progress) -> tuple[list, list]:
    """(base model's records, adapter's records), telling ``progress`` each pass and stopping
    between them once ``cancel`` is set (nothing half-scored comes back)."""
    report = progress or _ignore

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise CompareCancelled()

    with loaded.lock:
        report(ComparePass(0, 2, "the adapter"))
        check()
        after = score_answer(loaded, prompt_ids, ids, ended)
        report(ComparePass(1, 2, "the base model"))
        check()
        with loaded.model.disable_adapter():
            before = score_answer(loaded, prompt_ids, ids, ended)
    report(ComparePass(2, 2, "the base model"))
    return before, after


def score_with_and_without_adapter(store, loaded: LoadedModel, message_id: int, *,
                                   cancel: threading.Event | None = None, progress=None) -> tuple[list, list]:
    """A stored answer scored after its prompt by the base model and by the adapter the
    model wears: (before, after), its end token included (``split_end``). The model must
    wear an adapter. ``progress`` hears a ComparePass before each pass; ``cancel`` stops it
    between passes (CompareCancelled)."""
    prompt_ids, ids, ended = _answer_to_score(store, loaded, message_id)
    return _score_both(loaded, prompt_ids, ids, ended, cancel, progress)


def score_correction_with_and_without_adapter(store, loaded: LoadedModel, message_id: int, *,
                                              cancel: threading.Event | None = None,
                                              progress=None) -> tuple[list, list]:
    """The better answer the person wrote for stored answer ``message_id`` (its correction),
    scored after that answer's prompt as its fine-tune pair sees it (its end-of-text token
    included: ``train_data.scored_correction_ids``) by the base model and by the adapter the
    model wears: (before, after). ``cancel``, ``progress``: as for
    ``score_with_and_without_adapter``."""
    from desktop_app.core.train_data import scored_correction_ids

    try:
        prompt_ids, ids, ended = scored_correction_ids(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise UserFacingError(f"There is no better answer to compare: {exc}.") from exc
    if not ids:
        raise UserFacingError("This better answer has no tokens to compare.")
    return _score_both(loaded, prompt_ids, ids, ended, cancel, progress)


def score_reask_with_and_without_adapter(loaded: LoadedModel, question: str, answer: str, max_new_tokens: int, *,
                                         cancel: threading.Event | None = None,
                                         progress=None) -> tuple[list, list]:
    """A fine-tune's re-asked answer (``finetune_effect.taught``: stored with the run as text,
    a never-rated question's answer before or after the run) scored after the question's prompt
    as the re-ask built it (``reasking.fresh_prompt``) by the base model and by the adapter the
    model wears: (before, after). No end token: the re-ask may have been cut at its budget.
    ``cancel``, ``progress``: as for ``score_with_and_without_adapter``."""
    from desktop_app.core import reasking

    tok = loaded.tokenizer
    prompt_ids = reasking.fresh_prompt(tok, question, loaded.context_window, max_new_tokens)
    lead = "" if tok.decode(prompt_ids[-1:]).endswith((" ", "\n")) else " "  # as generated (fact_sureness)
    ids = tok(lead + answer.strip(), add_special_tokens=False)["input_ids"] if answer.strip() else []
    if not prompt_ids or not ids:
        raise UserFacingError("This answer has no tokens to compare.")
    return _score_both(loaded, prompt_ids, ids, False, cancel, progress)


def rated_text_branches(store) -> list[dict]:
    """The Text mode's rated continuations (what a fine-tune learns from beside the rated
    answers), oldest first, each with ``thumbs`` (1, -1 or None), ``tokens_rated`` (whether any of
    its tokens is rated) and ``prompt`` (the text before it)."""
    from desktop_app.core.text_training import _Rated

    rated = _Rated(store)
    return [dict(b, thumbs=rated.ratings[b["id"]]["thumbs"], tokens_rated=bool(rated.ratings[b["id"]]["tokens"]),
                 prompt=rated.prompt(b)) for b in rated.rated]


def score_branch_with_and_without_adapter(store, loaded: LoadedModel, branch_id: int, *,
                                          cancel: threading.Event | None = None, progress=None,
                                          better: bool = False) -> tuple[list, list]:
    """A Text mode continuation scored after the text before it, as its fine-tune examples
    see it (plain text, cut to the window), by the base model and by the adapter the model
    wears: (before, after); ``better``: the better continuation the person wrote for it
    instead (its correction, as its pair trains it). The model must wear an adapter.
    ``cancel``, ``progress``: as for ``score_with_and_without_adapter``."""
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import get_document
    from desktop_app.core.prompts import encode
    from desktop_app.core.text_training import completion_ids, fit_text, plain_ids

    branch = tb.get_branch(store, branch_id)
    by_id = {b["id"]: b for b in tb.branches(store, branch["document_id"])}
    before_text = tb.prefix_text(get_document(store, branch["document_id"])["text"], by_id, by_id[branch_id])
    if better and not branch.get("correction"):
        raise UserFacingError("This continuation has no better continuation to compare.")
    completion = encode(loaded.tokenizer, branch["correction"]) if better else completion_ids(loaded.tokenizer, branch)
    prompt_ids, ids = fit_text(plain_ids(loaded.tokenizer, before_text), completion, loaded.context_window)
    if not prompt_ids or not ids:
        raise UserFacingError("This continuation has no tokens to compare, or no text before it to follow.")
    return _score_both(loaded, prompt_ids, ids, False, cancel, progress)


def rescore_and_store(store, loaded: LoadedModel, message_id: int, adapter_id: int) -> bool:
    """Score a stored answer under the adapter the model wears and keep it for the compare
    view; the base model scores it only when no base scoring of these tokens is stored yet
    (fine-tuning re-scores after every kept run, the base model's scores do not change).
    False, and nothing stored, for an answer with no prompt before it or no tokens."""
    try:
        prompt_ids, ids, ended = _answer_to_score(store, loaded, message_id)
    except ValueError:  # no prompt before it: nothing to score after
        return False
    if not ids:
        return False
    _rescore_one(store, loaded, ToScore(message_id, prompt_ids, ids, ended), adapter_id)
    return True


def _rescore_one(store, loaded: LoadedModel, item: "ToScore", adapter_id: int) -> None:
    before = None
    with loaded.lock:
        after = score_answer(loaded, item.prompt_ids, item.ids, item.ended)
        if not base_scored(store, item.message_id, item.ids, loaded.model_id):
            with loaded.model.disable_adapter():
                before = score_answer(loaded, item.prompt_ids, item.ids, item.ended)
    store_rescored(store, item.message_id, adapter_id, before, after, model_id=loaded.model_id)


def base_scored(store, message_id: int, ids: list[int], model_id: str | None) -> bool:
    """Base model ``model_id``'s scoring of exactly these tokens is stored (none yet, or one stored
    before the answer's end token was scored, is not)."""
    return [r.id for r in store.token_records(message_id, adapter_id=None, kind="rescored",
                                              model_id=model_id)] == list(ids)


@dataclass(frozen=True)
class ToScore:
    """A stored answer as re-scoring reads it (``_answer_to_score``)."""
    message_id: int
    prompt_ids: list
    ids: list
    ended: bool

    @property
    def full(self) -> list:
        return list(self.prompt_ids) + list(self.ids)


def rescore_groups(store, loaded: LoadedModel, message_ids: list[int]) -> list[list[ToScore]]:
    """``message_ids``' answers (those with a prompt and tokens) grouped by the text they lie
    in: each group's answers are prefixes of its first one's prompt and answer (the answers of
    one conversation, its last one first), so ``rescore_group_and_store`` reads the
    conversation once for all of them. An answer whose text is no other's prefix (another
    conversation, or one whose earlier answers tokenize differently in the later prompts)
    is a group of its own."""
    items = []
    for mid in message_ids:
        try:
            prompt_ids, ids, ended = _answer_to_score(store, loaded, mid)
        except ValueError:  # no prompt before it: nothing to score after
            continue
        if ids:
            items.append(ToScore(mid, prompt_ids, ids, ended))
    groups: list[list[ToScore]] = []
    for item in sorted(items, key=lambda i: -len(i.full)):
        full = item.full
        host = next((g for g in groups if g[0].full[:len(full)] == full), None)
        if host is None:
            groups.append([item])
        else:
            host.append(item)
    return groups


def rescore_group_and_store(store, loaded: LoadedModel, group: list[ToScore], adapter_id: int) -> None:
    """``rescore_and_store`` for each answer of a group (``rescore_groups``), the group's text
    read once under the adapter and once under the base model (for the answers with no base
    scoring stored yet) instead of once per answer; answer by answer where that cannot be
    (``scoring.score_spans``: a text longer than the window)."""
    from desktop_app.core.scoring import score_spans

    full = group[0].full
    spans = [(len(i.prompt_ids), len(i.prompt_ids) + len(i.ids)) for i in group]
    with loaded.lock:
        after = score_spans(loaded, full, spans) if len(group) > 1 else None
        if after is None:
            for item in group:
                _rescore_one(store, loaded, item, adapter_id)
            return
        unscored = [k for k, i in enumerate(group) if not base_scored(store, i.message_id, i.ids, loaded.model_id)]
        before = {}
        if unscored:
            with loaded.model.disable_adapter():
                before = dict(zip(unscored, score_spans(loaded, full, [spans[k] for k in unscored])))
    for k, item in enumerate(group):
        base = _end_text(before[k], item.ended) if k in before else None
        store_rescored(store, item.message_id, adapter_id, base, _end_text(after[k], item.ended),
                       model_id=loaded.model_id)


def _end_text(records: list, ended: bool) -> list:
    """``score_answer``'s records: the end-of-text token (``ended``: the last id) with an empty text."""
    if ended and records:
        records[-1] = replace(records[-1], text="")
    return records


def store_rescored(store, message_id: int, adapter_id: int, before: list | None, after: list, *,
                   model_id: str) -> None:
    """Keep both scorings by model ``model_id`` (under the adapter, and without it) for the compare
    view (the base model's only once; ``before`` may be None when a base scoring is already stored)."""
    store.set_token_records(message_id, after, adapter_id=adapter_id, kind="rescored", model_id=model_id)
    if before is not None and not base_scored(store, message_id, [r.id for r in before], model_id):
        store.set_token_records(message_id, before, adapter_id=None, kind="rescored", model_id=model_id)


def probe_word(store, loaded: LoadedModel, message_id: int, index: int, text: str):
    """How likely was ``text`` in place of token ``index`` of stored answer ``message_id``
    (core.word_probe.WordProbe): the inspector's "How likely was…" and the CLI's ``probe``."""
    from desktop_app.core.word_probe import probe_word as probe

    return probe(store, loaded, message_id, index, text)


def probe_text_word(loaded: LoadedModel, context, index: int, text: str):
    """``probe_word`` for token ``index`` of a Text mode text, whose ``context`` (core.token_context.context_for_text)
    is the text before it as its analysis read it."""
    from desktop_app.core.word_probe import probe_in_context

    return probe_in_context(loaded, context, text, index=index)


# ---------------------------------------------------------------- text mode

def analyse_text(loaded: LoadedModel, text: str, *, previous: ScoredText | None = None,
                 cancel: threading.Event | None = None, progress=None, detailed: int | None = None,
                 model_spans=()):
    """A text scored (``score_whole_text``: any length, reusing ``previous``, cancellable,
    with progress, alternatives for the first ``detailed`` tokens) and GLTR's summary of it:
    (ScoredText, documents.TextSummary). ``model_spans``: the (start, end) characters a model's
    continuation wrote; the summary then also has the person's own text's (``yours``)."""
    scored = score_whole_text(loaded, text, previous=previous, cancel=cancel, progress=progress, detailed=detailed)
    return scored, summarize_scored(scored, model_spans)


def kept_scoring(loaded: LoadedModel, text: str, cache_path, alternatives: int = 10,
                 detailed: int | None = None) -> tuple[ScoredText | None, str | None]:
    """The analysis of ``text`` kept in ``cache_path`` (core/analysis_cache.py) under this model,
    adapter and precision, as a ScoredText of this model (so the next analysis goes on from it), or
    None; and the model's identity, under which a new analysis is kept (None: not to be kept)."""
    from desktop_app.core import analysis_cache

    identity = analysis_cache.model_identity(loaded, alternatives, detailed)
    kept = None if identity is None else analysis_cache.read(cache_path, text, identity)
    if kept is None:
        return None, identity
    key = scoring_key(loaded, alternatives, detailed)
    return ScoredText(kept.ids, kept.unscored_prefix, kept.records, key, False, kept.first, kept.passes), identity


def keep_scoring(cache_path, text: str, identity: str, scored: ScoredText, document_id: int | None = None) -> bool:
    """Keep a complete analysis of ``text`` for the next start (``kept_scoring`` reads it back)."""
    from desktop_app.core import analysis_cache

    if not scored.complete:
        return False
    kept = analysis_cache.KeptAnalysis(list(scored.ids), scored.unscored_prefix, list(scored.records),
                                       scored.first, tuple(scored.passes))
    return analysis_cache.write(cache_path, text, identity, kept, document_id)


def summarize_scored(scored: ScoredText, model_spans=()):
    """GLTR's summary of a scoring (documents.TextSummary), with the person's own text's
    (``yours``) when ``model_spans`` (the characters a model's continuation wrote) are in it."""
    from desktop_app.core.documents import summarize_authored, written_by_model

    written = written_by_model(scored.unscored_prefix, scored.records, model_spans)
    return summarize_authored(scored.records, written)


def continue_text(loaded: LoadedModel, text: str, settings: SamplingSettings, *,
                  cancel: threading.Event | None = None, on_token: Callable[[TokenRecord], None] | None = None):
    """Stream the model's continuation of ``text`` from its end (no chat template; an empty
    text starts from the start token or is refused in words); returns the Generation."""
    from desktop_app.core.documents import continue_text as continue_document

    return continue_document(loaded, text, settings, cancel=cancel, on_token=on_token or _ignore)
