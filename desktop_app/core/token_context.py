"""The token to explain and what the model saw before it: an answer's token with the prompt
generation made, or a Text mode token after the text the analysis read."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.explain_errors import ExplainError, not_an_answer, prompt_not_rebuilt
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.models import LoadedModel
from desktop_app.core.prompt_sources import CONVERSATION, START, prompt_sources
from desktop_app.core.prompts import plain_text_start, thread_turns
from desktop_app.core.text_pieces import piece_texts, token_at


@dataclass(frozen=True)
class TokenContext:
    """``ids`` ends with the explained token; everything before it is what the model saw."""

    ids: list[int]
    prompt_len: int
    settings: SamplingSettings
    settings_known: bool = True  # False: the message stored no sampling settings (defaults shown)
    forced: bool = False  # put there by a branch (the person's choice), not sampled
    message_id: int | None = None
    written_with_adapter: int | None = None
    recorded_prob: float | None = None  # the probability stored when the answer was written
    written_precision: str | None = None  # the weights that wrote it (core.precision names; None: not recorded)
    in_text: bool = False  # a token of a Text mode text (no message): everything before it is "the text"
    unwritten: bool = False  # an answer no model wrote here (imported: core/unwritten.py): nobody sampled it
    # the model that wrote the answer with another tokenizer's tokens: the explained token is this model's
    # token at the clicked token's place in the text, which this model did not sample (None: its own tokens)
    other_writer: str | None = None
    # per prompt token: core.prompt_sources' CONVERSATION, SYSTEM or TEMPLATE (None: not known)
    prompt_sources: tuple[str, ...] | None = None
    # where the tokens the sampler had already written begin in ``ids`` (None: at ``prompt_len``): a Text
    # mode continuation's, which its repetition penalty saw, while the whole text before it is the prompt
    sampled_from: int | None = None
    # where ``ids[0]`` lies in the ids a scoring read (a long text's later window starts past 0): the token
    # is read in that scoring's pass (core.scoring.TokenPass), so its figures are the heatmap's
    read_from: int = 0
    # a Text continuation's first token, the alternative the person picked ("Continue with this
    # alternative"): the person's choice, not the sampler's draw (``forced`` too)
    picked_alternative: bool = False

    @property
    def position(self) -> int:
        return len(self.ids) - 1

    @property
    def index(self) -> int:
        return self.position - self.prompt_len

    @property
    def chosen(self) -> int:
        return self.ids[-1]

    @property
    def sampled_before(self) -> list[int]:
        """The tokens the sampler had written before this one, which a repetition penalty lowered."""
        return self.ids[self.prompt_len if self.sampled_from is None else self.sampled_from:-1]


def context_for_message(store, loaded: LoadedModel, message_id: int, index: int, use: str = "explain") -> TokenContext:
    """Token ``index`` (0-based) of an assistant message, with the prompt generation used; a question's token is
    refused in the words of ``use`` (core.explain_errors.TOKEN_USES).

    ``index`` counts the answer's stored tokens, as its card shows them. When another model wrote
    them (another tokenizer's: ``train_data.written_with``), the text is read in this model's tokens
    and the token explained is the one at the clicked token's first character (``other_writer``)."""
    from desktop_app.core.train_data import fit, generated_ids, prompt_for_message, written_with

    message = store.get_message(message_id)
    if message["role"] != "assistant":
        raise not_an_answer(message_id, message["role"], use)
    try:
        prompt_ids, message = prompt_for_message(store, loaded.tokenizer, message_id, loaded.context_window)
    except ValueError as exc:
        raise prompt_not_rebuilt(message_id, str(exc), use) from exc
    prompt_ids, answer = fit(prompt_ids, generated_ids(store, message, loaded.tokenizer), loaded.context_window)
    records = store.token_records(message_id)
    foreign = bool(records) and not written_with(loaded.tokenizer, records, message["text"])
    index = _answer_token(loaded, message_id, message, records, answer, index, foreign)
    stored = message.get("settings") or {}
    branched_at = stored.get("branched_at")
    unwritten = not records and not message.get("model_id")  # imported: no model here sampled its tokens
    recorded = (records[index].prob if not foreign and index < len(records) and records[index].id == answer[index]
                else None)
    turns, system = thread_turns(store.thread(message_id))  # as the answer's prompt was made
    sources = prompt_sources(loaded.tokenizer, turns, system, piece_texts(loaded.tokenizer, prompt_ids))
    return TokenContext(ids=list(prompt_ids) + answer[:index + 1], prompt_len=len(prompt_ids),
                        settings=SamplingSettings.from_dict(stored), settings_known="temperature" in stored,
                        forced=unwritten or foreign or (branched_at is not None and index <= int(branched_at)),
                        unwritten=unwritten, other_writer=(message.get("model_id") or "another model") if foreign
                        else None, message_id=message_id,
                        written_with_adapter=writer_of(message, index), recorded_prob=recorded,
                        written_precision=None if foreign else next((r.precision for r in records if r.precision),
                                                                    None),
                        prompt_sources=None if sources is None else tuple(sources))


def _answer_token(loaded: LoadedModel, message_id: int, message: dict, records: list, answer: list[int],
                  index: int, foreign: bool) -> int:
    """The clicked token ``index`` of the stored ``records`` as an index into ``answer``, this model's
    tokens of the message: the same where this model's tokenizer wrote them, else the token at the
    clicked one's first character. A token that is not there is an ``ExplainError``."""
    if foreign:
        if not 0 <= index < len(records):
            raise ExplainError(f"Message {message_id} has {len(records)} tokens (0 to {len(records) - 1}); "
                               f"there is no token {index}.")
        index = token_at(piece_texts(loaded.tokenizer, answer), sum(len(r.text) for r in records[:index]))
        if index is None:
            raise ExplainError(f"Message {message_id} was written by another model ({message.get('model_id')}); "
                               "the clicked token lies past what this model's window holds of it.")
    if not 0 <= index < len(answer):
        raise ExplainError(f"Message {message_id} has {len(answer)} tokens (0 to {len(answer) - 1}); "
                           f"there is no token {index}.")
    return index


def context_for_text(loaded: LoadedModel, ids: list[int], index: int, settings: SamplingSettings, *,
                     by_model: bool, recorded_prob: float | None = None, scored_with_adapter: int | None = None,
                     written_precision: str | None = None, written_from: int | None = None,
                     settings_known: bool = False, picked: bool = False) -> TokenContext:
    """Token ``index`` of an analysed Text mode text, whose ``ids`` are the analysis's (record
    ``index`` is ``ids[index + core.scoring.first_scored]``: the first token, or the second for
    a model without a start token), after the text before it as far as the analysis's window
    read it (core.scoring.window_plan). ``by_model``: a continuation wrote it (sampled with
    ``settings``: those the continuation stored, ``settings_known``, or where it stored none the ones now);
    else the person did.
    ``picked``: the token is the alternative the person picked to start that continuation with (not sampled).
    ``written_from``: the record where that continuation begins, whose tokens before ``index`` its
    repetition penalty lowered (as core.generation's sampler did: without them, a token it wrote read
    as "min-p 0.1 left it out; it was drawn at 0.0%"). The analysis read the text after the start
    token plain text is read after (core.scoring.score_text), so this reads it so too."""
    from desktop_app.core.scoring import first_scored, window_plan

    skip = first_scored(loaded.tokenizer)
    if not 0 <= index < len(ids) - skip:
        raise ExplainError(f"The text has {max(0, len(ids) - skip)} scored tokens; there is no token {index}.")
    full = plain_text_start(loaded.tokenizer) + list(ids)
    first = len(full) - len(ids) + skip
    position = index + first
    # the text before it as the analysis read it: a long text is scored window by window
    begin = next(w.begin for w in window_plan(len(full), first, loaded.context_window) if w.start <= position < w.stop)
    seen = full[begin:position + 1]
    sampled_from = None if written_from is None or not by_model else min(max(0, written_from + first - begin),
                                                                          len(seen) - 1)
    starts = max(0, len(full) - len(ids) - begin)  # the start token, where this window reads it
    sources = (START,) * starts + (CONVERSATION,) * (len(seen) - 1 - starts)
    return TokenContext(ids=list(seen), prompt_len=len(seen) - 1, settings=settings, settings_known=settings_known,
                        prompt_sources=sources,
                        forced=picked or not by_model, written_with_adapter=scored_with_adapter,
                        recorded_prob=recorded_prob, written_precision=written_precision, in_text=True,
                        sampled_from=sampled_from, read_from=begin, picked_alternative=picked and by_model)


def writer_of(message: dict, index: int) -> int | None:
    """The adapter whose figures token ``index`` of a stored answer carries: a branch keeps its
    shared prefix (before ``branched_at``) as the first answer's writer wrote it."""
    settings = message.get("settings") or {}
    first = settings.get("prefix_writer")
    if first is not None and index < int(settings.get("branched_at") or 0):
        return first.get("adapter_id")
    return message.get("adapter_id")
