"""What both front ends do with a model, written once: open a model, ask and answer (and
store the answer), score a text or a stored answer, switch adapters, run a fine-tune.

The command line calls these directly; the window calls them from its task lanes
(gui/tasks.py). So a message saved by ``gpt2-desk generate --save`` and one saved by the
window are the same row: the same stored settings, the same title, the same parent rule.

Nothing here keeps state between calls: the caller owns the ``LoadedModel`` and the
``Store``, and decides which thread runs what.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from desktop_app.core.generation import Generation, SamplingSettings
from desktop_app.core.model_sources import ModelSource, Progress, resolve_spec
from desktop_app.core.models import LoadedModel, check_model_folder, load_model
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.records import TokenRecord
from desktop_app.core.speed_words import kept_speed
from desktop_app.core.word_cut import clip_at_word

# scoring lives in session_scoring (a text or an answer) and session_compare (with and without the
# adapter, the compare view's re-scorings); their names stay importable from here
from desktop_app.core.session_compare import (  # noqa: F401
    CompareCancelled, ComparePass, ToScore, _answer_to_score, base_scored, earlier_adapters, rated_text_branches,
    rescore_and_store, rescore_group_and_store, rescore_groups, score_branch_with_and_without_adapter,
    score_correction_with_and_without_adapter, score_reask_with_and_without_adapter,
    score_with_and_without_adapter, store_rescored, weights_of)
from desktop_app.core.session_scoring import (  # noqa: F401
    ScoredText, analyse_text, continue_text, keep_scoring, kept_scoring, reusable, score_answer,
    score_whole_text, scoring_key, split_end, summarize_scored)

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

