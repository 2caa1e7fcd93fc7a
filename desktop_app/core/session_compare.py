"""A stored answer, a better answer, a re-asked answer or a Text continuation scored with and
without the adapter the model wears, for the compare view; and the re-scorings a kept fine-tune
stores for it (core/session.py re-exports these names).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

from desktop_app.core.errors import UserFacingError
from desktop_app.core.models import LoadedModel
from desktop_app.core.session_scoring import blank_end_text, score_answer


def _ignore(*_args) -> None:
    pass


def _answer_to_score(store, loaded: LoadedModel, message_id: int) -> tuple[list[int], list[int], bool]:
    """The prompt ids generation used for a stored answer, the answer's ids (with the
    end-of-text token when the model ended it: train_data.scored_answer_ids) cut to the
    window, and whether the end token is there."""
    from desktop_app.core.train_data import scored_answer_ids

    return scored_answer_ids(store, loaded.tokenizer, message_id, loaded.context_window)



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


def compared_name(against: dict | None) -> str:
    """What the "before" scoring is read under, in a ComparePass's words: "the base model", "adapter 2"."""
    from desktop_app.core.adapters import label

    return "the base model" if against is None else label(against)


@contextlib.contextmanager
def reading_as(loaded: LoadedModel, against: dict | None):
    """Inside (``loaded.lock`` held): the model reads as the base model (``against`` None: PEFT's
    ``disable_adapter``) or as earlier adapter row ``against`` in place of the one in use."""
    from desktop_app.core.adapters import wearing_instead

    if against is None:
        with loaded.model.disable_adapter():
            yield
        return
    with wearing_instead(loaded, against):
        yield


def earlier_adapters(store, active: dict) -> list[dict]:
    """The adapters of ``active``'s model made before it, oldest first, their folders intact (the
    history's rows: ``adapters.list_adapters``): what the compare view can read "before" under
    instead of the base model, to see what the later runs changed."""
    from desktop_app.core.adapters import list_adapters

    return [row for row in list_adapters(store, active["base_model"]) if row["id"] < active["id"] and row["present"]]


def _score_both(loaded: LoadedModel, prompt_ids: list[int], ids: list[int], ended: bool,
                cancel: threading.Event | None, progress, against: dict | None = None) -> tuple[list, list]:
    """(records under ``against``: the base model, or an earlier adapter's row; the adapter in use's
    records), telling ``progress`` each pass and stopping between them once ``cancel`` is set
    (nothing half-scored comes back)."""
    report = progress or _ignore
    before_name = compared_name(against)

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise CompareCancelled()

    with loaded.lock:
        report(ComparePass(0, 2, "the adapter"))
        check()
        after = score_answer(loaded, prompt_ids, ids, ended)
        report(ComparePass(1, 2, before_name))
        check()
        with reading_as(loaded, against):
            before = score_answer(loaded, prompt_ids, ids, ended)
    report(ComparePass(2, 2, before_name))
    return before, after


def score_with_and_without_adapter(store, loaded: LoadedModel, message_id: int, *,
                                   cancel: threading.Event | None = None, progress=None,
                                   against: dict | None = None) -> tuple[list, list]:
    """A stored answer scored after its prompt by the base model and by the adapter the
    model wears: (before, after), its end token included (``split_end``). The model must
    wear an adapter. ``progress`` hears a ComparePass before each pass; ``cancel`` stops it
    between passes (CompareCancelled). ``against``: an earlier adapter's row, read in place of
    the base model for "before" (``reading_as``)."""
    prompt_ids, ids, ended = _answer_to_score(store, loaded, message_id)
    return _score_both(loaded, prompt_ids, ids, ended, cancel, progress, against)


def score_correction_with_and_without_adapter(store, loaded: LoadedModel, message_id: int, *,
                                              cancel: threading.Event | None = None,
                                              progress=None, against: dict | None = None) -> tuple[list, list]:
    """The better answer the person wrote for stored answer ``message_id`` (its correction),
    scored after that answer's prompt as its fine-tune pair sees it (its end-of-text token
    included: ``train_data.scored_correction_ids``) by the base model and by the adapter the
    model wears: (before, after). ``cancel``, ``progress``, ``against``: as for
    ``score_with_and_without_adapter``."""
    from desktop_app.core.train_data import scored_correction_ids

    try:
        prompt_ids, ids, ended = scored_correction_ids(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise UserFacingError(f"There is no better answer to compare: {exc}.") from exc
    if not ids:
        raise UserFacingError("This better answer has no tokens to compare.")
    return _score_both(loaded, prompt_ids, ids, ended, cancel, progress, against)


def score_reask_with_and_without_adapter(loaded: LoadedModel, question: str, answer: str, max_new_tokens: int, *,
                                         cancel: threading.Event | None = None,
                                         progress=None, against: dict | None = None) -> tuple[list, list]:
    """A fine-tune's re-asked answer (``finetune_effect.taught``: stored with the run as text,
    a never-rated question's answer before or after the run) scored after the question's prompt
    as the re-ask built it (``reasking.fresh_prompt``) by the base model and by the adapter the
    model wears: (before, after). No end token: the re-ask may have been cut at its budget.
    ``cancel``, ``progress``, ``against``: as for ``score_with_and_without_adapter``."""
    from desktop_app.core import reasking

    tok = loaded.tokenizer
    prompt_ids = reasking.fresh_prompt(tok, question, loaded.context_window, max_new_tokens)
    lead = "" if tok.decode(prompt_ids[-1:]).endswith((" ", "\n")) else " "  # as generated (fact_sureness)
    ids = tok(lead + answer.strip(), add_special_tokens=False)["input_ids"] if answer.strip() else []
    if not prompt_ids or not ids:
        raise UserFacingError("This answer has no tokens to compare.")
    return _score_both(loaded, prompt_ids, ids, False, cancel, progress, against)


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
                                          better: bool = False, against: dict | None = None) -> tuple[list, list]:
    """A Text mode continuation scored after the text before it, as continuing reads it (plain
    text, cut to the window; its fine-tune examples keep only the end of it,
    text_training.TEXT_CONTEXT_TOKENS: the effect shown is where the person writes), by the base
    model and by the adapter the model wears: (before, after); ``better``: the better continuation the person wrote for it
    instead (its correction, as its pair trains it). The model must wear an adapter.
    ``cancel``, ``progress``, ``against``: as for ``score_with_and_without_adapter``."""
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
    return _score_both(loaded, prompt_ids, ids, False, cancel, progress, against)


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
        if not base_scored(store, item.message_id, item.ids, loaded.model_id, loaded.precision):
            with loaded.model.disable_adapter():
                before = score_answer(loaded, item.prompt_ids, item.ids, item.ended)
    store_rescored(store, item.message_id, adapter_id, before, after, model_id=loaded.model_id)


def base_scored(store, message_id: int, ids: list[int], model_id: str | None, precision: str | None = None) -> bool:
    """Base model ``model_id``'s scoring of exactly these tokens is stored (none yet, or one stored
    before the answer's end token was scored, is not), read with ``precision``'s weights where that is
    given. A base scoring by other weights is not this one: on Fast a kept run re-scores with its float32
    training copy, and a later scoring with the chat's bfloat16 weights, kept beside that float32 "before",
    made a pair whose change was partly the weights' rounding (fast108)."""
    stored = store.token_records(message_id, adapter_id=None, kind="rescored", model_id=model_id)
    if precision is not None and any(r.precision != precision for r in stored):
        return False
    return [r.id for r in stored] == list(ids)


def weights_of(records) -> str | None:
    """The precision that made a set of records (one model made them all); None where none is recorded."""
    return next((r.precision for r in records or () if r.precision), None)


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
        unscored = [k for k, i in enumerate(group)
                    if not base_scored(store, i.message_id, i.ids, loaded.model_id, loaded.precision)]
        before = {}
        if unscored:
            with loaded.model.disable_adapter():
                before = dict(zip(unscored, score_spans(loaded, full, [spans[k] for k in unscored])))
    for k, item in enumerate(group):
        base = blank_end_text(before[k], item.ended) if k in before else None
        store_rescored(store, item.message_id, adapter_id, base, blank_end_text(after[k], item.ended),
                       model_id=loaded.model_id)



def store_rescored(store, message_id: int, adapter_id: int, before: list | None, after: list, *,
                   model_id: str, against_id: int | None = None) -> None:
    """Keep both scorings by model ``model_id`` (under the adapter, and without it) for the compare
    view (the base model's only once; ``before`` may be None when a base scoring is already stored).
    ``against_id``: ``before`` was read under that earlier adapter, kept under its id as a kept run's
    re-scoring is, so the compare view finds it next time without a pass."""
    store.set_token_records(message_id, after, adapter_id=adapter_id, kind="rescored", model_id=model_id)
    if before is not None and against_id is not None:
        store.set_token_records(message_id, before, adapter_id=against_id, kind="rescored", model_id=model_id)
    elif before is not None and not base_scored(store, message_id, [r.id for r in before], model_id,
                                                weights_of(before)):
        store.set_token_records(message_id, before, adapter_id=None, kind="rescored", model_id=model_id)
