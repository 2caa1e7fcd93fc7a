"""Teacher-forced TokenRecords for any text: an old answer, a prompt, under any adapter.

A text is scored in passes of fixed places and shapes (``window_plan``): the model's first
window in blocks, each read on from the cache of those before it, and a text longer than the
window window by window after it (the strided evaluation of HF's perplexity guide), the last
pass padded past the text's end. A token's figures then depend only on the tokens up to it, so
a scoring can be cancelled between passes (what was scored is kept), reports its progress per
pass, and after an edit keeps every record before the first changed token: only the passes from
there on run again, and the result is the very one of scoring the new text from scratch.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field, replace
from typing import Callable

import torch

from desktop_app.core.decoding import IncrementalDecoder, records_from_logits, token_texts
from desktop_app.core.models import LoadedModel
from desktop_app.core.records import TokenRecord
from desktop_app.core.score_blocks import BlockCache, Stopped, StoppedPass
from desktop_app.core.score_passes import Pass, kept_passes
# the plan and the cache live in their own modules; callers and tests import them from here too
from desktop_app.core.score_plan import (  # noqa: F401
    Window, block_width, pass_of, planned_passes, previous_passes, reusable_records, window_plan)

CHUNK = 256  # positions per log_softmax block: bounds memory for long texts x big vocabularies
# a window predicting at least this many tokens reports its progress layer by layer and hears a
# cancel at every layer: one pass over a 7,000-token text took ~50 s on a busy CPU, with its bar
# at "Reading the text 100%" all along and Cancel unheard (usertest 6, F11)
LAYER_PROGRESS_MIN = 512
ENCODE_PIECE_CHARS = 10_000  # a long text is tokenized in pieces of about this many characters


@dataclass(frozen=True)
class ScoreProgress:
    """A scoring's progress: ``stage`` "scoring", after each window: tokens scored so far of
    ``total``; "reading", while a long text is tokenized: characters read of ``total``.
    A long window reports inside its pass too: ``done`` then counts its tokens in proportion
    to the layers it has passed (the work done, not tokens finished), below ``total`` until
    the last window's records are made."""

    done: int
    total: int
    stage: str = "scoring"


def score_ids(loaded: LoadedModel, context_ids: list[int], target_ids: list[int], alternatives: int = 10, *,
              cancel: threading.Event | None = None, progress: Callable[[ScoreProgress], None] | None = None,
              previous: tuple | None = None, detailed: int | None = None,
              passes: list | None = None, blocks: BlockCache | None = None) -> list[TokenRecord]:
    """Records for ``target_ids`` as they follow ``context_ids``.

    Texts are decoded from the start of the target, exactly as generation decodes an answer,
    so scoring a generated answer after its prompt gives back the same records (the figures to
    float rounding: generation reads one token a pass). The passes are ``window_plan``'s. ``cancel`` is checked before each window: a cancelled scoring returns
    the records of the windows done (fewer than the targets). ``progress`` hears a
    ScoreProgress after each window. ``previous`` is (context + target ids, records) of an
    earlier scoring with the same context length, model and ``alternatives``: the records of
    the windows it shares with this text are taken from it instead of run again.
    ``detailed``: only the windows that start within the first ``detailed`` targets keep
    ``alternatives``; later records have none (a million-token text's records would
    otherwise be ten million more Python objects, which the cycle collector walks).
    ``passes``: a list, filled with the score_passes.Pass of each run of records (``previous``
    may carry its own as a third item: those of the records kept from it).
    ``blocks``: the first window's cache an earlier scoring by this model, adapter and precision
    left (``kept_blocks.KeptBlocks``): the blocks this text begins with are not read again, and it
    holds this scoring's when it returns (an edit near the end then reads only its block on).
    """
    if passes is not None:
        passes.clear()
    if not target_ids:
        return []
    if not context_ids:
        raise ValueError("the first token has no prediction: give at least one context token")
    texts, tail = _texts(loaded, target_ids)
    full = list(context_ids) + list(target_ids)
    first = len(context_ids)
    records = _kept_from(previous, full, first, texts, passes)
    plan = [w for w in window_plan(len(full), first, loaded.context_window) if w.stop > first + len(records)]
    with loaded.lock, torch.inference_mode():
        whole = _read_windows(loaded, full, first, texts, plan, records, alternatives=alternatives, detailed=detailed,
                              cancel=cancel, progress=progress, passes=passes,
                              cache=blocks if blocks is not None else BlockCache())
    return _with_tail(records, texts, tail) if whole else records  # cancelled: the windows done


def _kept_from(previous: tuple | None, full: list[int], first: int, texts, passes: list | None) -> list:
    """The records of an earlier scoring that hold for ``full`` (none without one), their passes added to ``passes``."""
    records = [] if previous is None else _reused_records(previous, full, first, texts)
    if passes is not None:
        passes += kept_passes(previous_passes(previous), len(records))
    return records


def _read_windows(loaded: LoadedModel, full: list[int], first: int, texts: list, plan: list, records: list, *,
                  alternatives: int, detailed: int | None, cancel, progress, cache: BlockCache,
                  passes: list | None) -> bool:
    """``score_ids``' windows of ``plan`` read, each one's new records added to ``records`` (its pass to ``passes``,
    its count to ``progress``); False where it was cancelled before one."""
    for w in plan:
        k = alternatives if detailed is None or w.start - first < detailed else 0
        new = _window_records(loaded, full, w, first, texts, k, cancel, progress, cache)
        if new is None:
            return False
        records += new[first + len(records) - w.start:]  # (a window begun before: its reused part stays)
        if passes is not None:
            passes.append(pass_of(w, len(records)))
        if progress is not None:
            progress(ScoreProgress(len(records), len(full) - first))
    return True


def _reused_records(previous: tuple, full: list[int], first: int, texts: list[str]) -> list[TokenRecord]:
    """The records an earlier scoring (``previous``: its ids and records) shares with this one,
    with this text's pieces (a token's text can change with what follows it)."""
    old_full, old_records = previous[:2]
    kept = reusable_records(list(old_full), len(old_records), full, first)
    return [r if r.text == texts[i] else replace(r, text=texts[i]) for i, r in enumerate(old_records[:kept])]


def _window_records(loaded: LoadedModel, full: list[int], w: Window, first: int, texts: list[str], alternatives: int,
                    cancel: threading.Event | None, progress: Callable[[ScoreProgress], None] | None,
                    cache: BlockCache) -> list[TokenRecord] | None:
    """The records of one window's pass over ``full`` (the targets start at ``first``); None when
    ``cancel`` was set before it or stopped it inside."""
    if cancel is not None and cancel.is_set():
        return None
    try:
        if w.cached:
            cache.read_to(loaded, full, w.fed, cancel)
        with _inside_window(loaded, w, w.start - first, len(full) - first, cancel, progress), \
                _resumable(loaded, full, w, cache):
            return _score_window(loaded, full, w, texts[w.start - first:w.stop - first], alternatives, cache)
    except Stopped:
        return None


@contextlib.contextmanager
def _resumable(loaded: LoadedModel, full: list[int], w: Window, cache: BlockCache):
    """Around a later window's pass that hears a cancel between layers (``_inside_window``): the layers a
    StoppedPass of it ran are not run again (each returns that output), and a stop keeps the output of
    the last layer run in ``cache.stopped``. A pass of the first window reads on from a cache a stop
    leaves half grown, and a model whose repeated layers are not one stack keeps nothing."""
    from desktop_app.core.cancel_hooks import blocks

    layers = blocks(loaded.model) if w.begin != 0 and w.stop - w.start >= LAYER_PROGRESS_MIN else []
    if not layers or len(layers) != getattr(loaded.model.config, "num_hidden_layers", None):
        yield
        return
    fed, held = tuple(full[w.fed:w.fed + w.width]), cache.stopped
    # (another pass, of another text or scoring by this model, leaves it for the one it is of)
    skipped = layers[:held.layer + 1] if held is not None and (held.fed, held.window) == (fed, w) else []
    last: list = [len(skipped) - 1, held.output if skipped else None]
    handles = [layer.register_forward_hook(_noting_output(last, i, len(skipped))) for i, layer in enumerate(layers)]
    own = _skip_layers(skipped, held.output if skipped else None)
    try:
        yield
        if skipped:
            cache.stopped = None  # the pass is done
    except Stopped:
        if last[0] >= 0:
            cache.stopped = StoppedPass(fed, w, last[0], last[1])
        raise
    finally:
        for handle in handles:
            handle.remove()
        _unskip_layers(skipped, own)


def _noting_output(last: list, index: int, skipped: int):
    """A forward hook for layer ``index`` that notes (the last layer run, its output) in ``last``."""
    def hook(_module, _args, output):
        last[:] = [max(index, skipped - 1), output]  # a skipped layer's output is the last one's
    return hook


def _skip_layers(skipped: list, output) -> list:
    """Each layer of ``skipped`` returns ``output`` instead of running; their own ``forward`` attributes
    before (None where the class's serves), for ``_unskip_layers``."""
    own = [layer.__dict__.get("forward") for layer in skipped]  # (an accelerate hook sets its own)
    for layer in skipped:
        layer.forward = lambda *_args, _out=output, **_kwargs: _out
    return own


def _unskip_layers(skipped: list, own: list) -> None:
    """The layers ``_skip_layers`` made skip run again, with the ``forward`` each had."""
    for layer, forward in zip(skipped, own):
        del layer.forward
        if forward is not None:
            layer.forward = forward


@dataclass
class ScoredPart:
    """How far a scoring in parts (``score_ids_in_parts``) went: its records so far, and the model's
    key/value cache of the blocks it read for them, which the next pass reads on from."""

    records: list = field(default_factory=list)
    cache: BlockCache = field(default_factory=BlockCache)


def score_ids_in_parts(loaded: LoadedModel, context_ids: list[int], target_ids: list[int], done: ScoredPart, *,
                       alternatives: int = 10, cancel: threading.Event | None = None,
                       progress: Callable[[ScoreProgress], None] | None = None) -> list[TokenRecord]:
    """``score_ids`` of a text that fits the window, a part a pass of its plan (``window_plan``:
    blocks of at most PASS_TOKENS_MAX tokens), so its records are the very ones ``score_ids`` and
    the Text tab's analysis give: each pass reads on from ``done``'s cache, and ``done`` grows
    after it. ``cancel`` is heard between passes: the records so far come back (fewer than the
    targets) and ``done`` keeps them, so a call with the same ``done`` goes on from there and ends
    with the records an unbroken run gives (the same passes over the same cache)."""
    if not context_ids:
        raise ValueError("the first token has no prediction: give at least one context token")
    if len(context_ids) + len(target_ids) > loaded.context_window:
        raise ValueError("a scoring in parts reads one window: cut the text to it first")
    texts, tail = _texts(loaded, target_ids)
    full, first = list(context_ids) + list(target_ids), len(context_ids)
    with loaded.lock, torch.inference_mode():
        for w in window_plan(len(full), first, loaded.context_window):
            if w.stop <= first + len(done.records):
                continue
            if cancel is not None and cancel.is_set():
                return list(done.records)
            _score_part(loaded, full, first, done, w, texts, alternatives)
            if progress is not None:
                progress(ScoreProgress(len(done.records), len(target_ids)))
    return _with_tail(list(done.records), texts, tail)


def _score_part(loaded: LoadedModel, full: list[int], first: int, done: ScoredPart, w: Window, texts: list[str],
                alternatives: int) -> None:
    """One pass: the records of window ``w``'s targets. A pass that fails leaves ``done`` empty."""
    try:
        if w.cached:
            done.cache.read_to(loaded, full, w.fed, None)
        records = _score_window(loaded, full, w, texts[w.start - first:w.stop - first], alternatives, done.cache)
        done.records += records[first + len(done.records) - w.start:]
    except BaseException:
        done.records, done.cache = [], BlockCache()
        raise


def _with_tail(records: list[TokenRecord], texts: list[str], tail: str) -> list[TokenRecord]:
    """A dangling partial character shows on the first token still waiting for it."""
    if tail and records:
        first_pending = max((i for i, t in enumerate(texts) if t), default=-1) + 1
        first_pending = min(first_pending, len(records) - 1)
        records[first_pending] = replace(records[first_pending], text=records[first_pending].text + tail)
    return records


def score_spans(loaded: LoadedModel, full: list[int], spans: list[tuple[int, int]],
                alternatives: int = 10) -> list[list[TokenRecord]] | None:
    """Records of several targets lying in one text, read once: span ``(start, stop)`` is the
    target ``full[start:stop]`` after the context ``full[:start]``, each the very records
    ``score_ids(loaded, full[:start], full[start:stop])`` gives. The text is read from the first
    span's start to the last one's end in ``score_ids``' passes (``window_plan``: a token's pass
    has a fixed place and shape, whatever the target it is scored in), so a grouped re-scoring for
    the compare view shows the figures of scoring each answer alone, and of the Text tab's
    analysis of the same text. Answers rated in one conversation are such spans of its last
    answer's text: their re-scoring for the compare view read the conversation once per answer
    (8 answers of one chat, 16 passes of up to 600 tokens for the base model and the adapter).
    None when a span is empty or starts at 0."""
    if not spans or any(not 0 < a < b <= len(full) for a, b in spans):
        return None
    first, end = min(a for a, _b in spans), max(b for _a, b in spans)
    records = _records_at(loaded, full[:end], first, {i - first for a, b in spans for i in range(a, b)}, alternatives)
    out = []
    for a, b in spans:
        texts, tail = _texts(loaded, full[a:b])
        own = [replace(records[i - first], text=t) for i, t in zip(range(a, b), texts)]
        out.append(_with_tail(own, texts, tail))
    return out


def _records_at(loaded: LoadedModel, full: list[int], first: int, keep: set[int],
                alternatives: int) -> dict[int, TokenRecord]:
    """The records of the targets ``full[first:]`` numbered in ``keep`` (counted from ``first``),
    by number, made in ``score_ids``' passes; a window with none of them is not run (texts empty:
    the caller's target decodes its own)."""
    texts, records, cache = [""] * (len(full) - first), {}, BlockCache()
    with loaded.lock, torch.inference_mode():
        for w in window_plan(len(full), first, loaded.context_window):
            if not keep.intersection(range(w.start - first, w.stop - first)):
                continue
            if w.cached:
                cache.read_to(loaded, full, w.fed, None)
            new = _score_window(loaded, full, w, texts[w.start - first:w.stop - first], alternatives, cache)
            records.update((w.start - first + k, r) for k, r in enumerate(new) if w.start - first + k in keep)
    return records


def _inside_window(loaded: LoadedModel, w: Window, scored: int, total: int, cancel: threading.Event | None,
                   progress: Callable[[ScoreProgress], None] | None):
    """For a long window: as each layer starts, a cancel stops the pass and the progress hears
    the share of the window's tokens that the layers passed stand for (the last share is the
    records, made after the pass)."""

    from desktop_app.core.cancel_hooks import blocks, stoppable

    size = w.stop - w.start
    layers = blocks(loaded.model) if size >= LAYER_PROGRESS_MIN and (cancel or progress) else []
    if not layers:
        return contextlib.nullcontext()
    passed = [0]

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise Stopped()
        if progress is not None:
            progress(ScoreProgress(scored + size * passed[0] // (len(layers) + 1), total))
        passed[0] += 1

    return stoppable(layers, check)


def _texts(loaded: LoadedModel, target_ids: list[int]) -> tuple[list[str], str]:
    """Each target token's display text, and what a dangling partial character decodes to."""
    decoder = IncrementalDecoder(loaded.tokenizer)
    texts = [decoder.push(t) for t in target_ids]
    return texts, decoder.flush()


def _score_window(loaded: LoadedModel, full: list[int], w: Window, texts: list[str],
                  alternatives: int, cache: BlockCache) -> list[TokenRecord]:
    """The records of one window's predicted positions (the log_softmax in CHUNK blocks)."""
    table = token_texts(loaded.tokenizer)
    first_row = w.start - 1 - w.fed - (w.width - w.rows)  # the row that predicts w.start
    logits = _pass_logits(loaded, full, w, cache)[first_row:first_row + w.stop - w.start]
    chosen = torch.tensor(full[w.start:w.stop])
    records: list[TokenRecord] = []
    for a in range(0, w.stop - w.start, CHUNK):
        b = a + CHUNK
        records += records_from_logits(logits[a:b], chosen[a:b], texts[a:b], table, alternatives, loaded.precision)
    return records


def _pass_logits(loaded: LoadedModel, full: list[int], w: Window, cache: BlockCache) -> torch.Tensor:
    """The logits of one window's pass, fed its ``width`` tokens (padded past the text's end, so
    the pass has its plan's shape); a block of the first window reads on from ``cache`` (which
    ``read_to`` brought to ``w.fed``) and leaves its own there."""
    return _run_pass(loaded, full[w.fed:w.fed + w.width], w, cache).logits[0]


def _run_pass(loaded: LoadedModel, ids: list[int], w: Window, cache: BlockCache):
    """The model's output of window ``w``'s pass fed ``ids`` (its tokens from ``w.fed``: padded to
    its width here), its cache in ``cache`` for a block of the first window."""
    ids = ids + [ids[-1]] * (w.width - len(ids))  # padding: read after every token scored, so it changes none
    if w.begin == 0:  # the first window's blocks read on from the cache; later windows read whole
        if not w.cached:
            cache.take()
        return cache.read(loaded, ids, logits_to_keep=w.rows)
    return loaded.model(input_ids=torch.tensor([ids], device=loaded.device), cache=None, use_cache=False,
                        logits_to_keep=w.rows)


@dataclass
class TokenPass:
    """``score_ids``' pass that predicts the token after ``seen`` (``seen[0]``: token ``read_from``
    of the ids the scoring read: the start token's place, or a later window's start in a long
    text), ready to run: "Why this token?" reads a token in it, so its figures are the very ones
    of the Text tab's heatmap and of the compare view's scoring (a pass of the token's own length
    gave it others on 16-bit weights: bench/same_figures.py's explain). Made by ``of``."""

    loaded: LoadedModel
    window: Window
    fed: list[int]
    cache: BlockCache
    position: int

    @classmethod
    def of(cls, loaded: LoadedModel, seen: list[int], read_from: int = 0) -> "TokenPass":
        """The pass for the token after ``seen``; a block of the first window has the blocks before
        it read into its cache now (under ``loaded.lock``, in inference mode, as the caller holds)."""
        position = read_from + len(seen)
        (w,) = window_plan(position + 1, position, loaded.context_window)
        if w.begin != read_from:
            raise ValueError(f"token {position} is read from token {w.begin}, not {read_from}")
        cache = BlockCache()
        if w.cached:
            cache.read_to(loaded, list(seen), w.fed, None)
        return cls(loaded, w, list(seen[w.fed - read_from:w.fed - read_from + w.width]), cache, position)

    @property
    def row(self) -> int:
        """Where the token's prediction is among the pass's positions."""
        return self.position - 1 - self.window.fed

    def logits(self) -> torch.Tensor:
        """Run the pass: the logits [V] that predict the token."""
        w = self.window
        return _run_pass(self.loaded, self.fed, w, self.cache).logits[0, self.row - (w.width - w.rows)]


def first_scored(tokenizer) -> int:
    """The index of a plain text's first scored token: 0 when the model has the start token
    plain text is read after (``prompts.plain_text_start``: the first token is predicted from
    it), else 1 (nothing predicts the first token)."""
    from desktop_app.core.prompts import plain_text_start

    return 0 if plain_text_start(tokenizer) else 1


def score_text(loaded: LoadedModel, text: str, alternatives: int = 10, *, cancel: threading.Event | None = None,
               progress: Callable[[ScoreProgress], None] | None = None,
               previous: tuple | None = None, detailed: int | None = None,
               passes: list | None = None, ids: list[int] | None = None,
               blocks: BlockCache | None = None) -> tuple[list[int], list[TokenRecord]]:
    """Score a whole text: each token read after the text before it and the start token plain
    text is read after (``prompts.plain_text_start``), the first token too (its prediction is
    the start token's); a model without such a token leaves the first token unscored.

    Returns (all token ids, records for ids[first_scored(tokenizer):]; fewer when ``cancel``
    stopped it). ``previous``: (ids, records[, passes]) of an earlier ``score_text`` by the same
    model; ``passes``: filled with the records' passes (see score_ids); ``ids``: the text's ids
    (``encode_long``'s) when another scoring of it has them, so it is not read again; ``blocks``:
    see score_ids."""
    if passes is not None:
        passes.clear()
    if ids is None:
        ids = encode_long(loaded.tokenizer, text, cancel=cancel, progress=progress)
    if ids is None:  # cancelled while reading
        return [], []
    read = _text_read(loaded, ids, previous)
    if read is None:
        return ids, []
    context, targets, previous = read
    return ids, score_ids(loaded, context, targets, alternatives, cancel=cancel, progress=progress,
                          previous=previous, detailed=detailed, passes=passes, blocks=blocks)


def planned_text_passes(loaded: LoadedModel, ids: list[int], previous: tuple | None = None) -> list[Pass]:
    """The Passes ``score_text`` makes for a text of ``ids`` given ``previous`` (as it takes
    it: ids, records, passes), without running one."""
    read = _text_read(loaded, ids, previous)
    if read is None:
        return []
    context, targets, previous = read
    return planned_passes(context + targets, len(context), loaded.context_window, previous)


def _text_read(loaded: LoadedModel, ids: list[int], previous: tuple | None) -> tuple | None:
    """How ``score_text`` reads a text of ``ids``: (the context before its first scored token: the
    start token plain text is read after, else the text's first token; the scored targets;
    ``previous`` with that start before its ids), None when no token is scored. One rule for the
    scoring and for ``planned_text_passes``, which must predict its passes exactly."""
    from desktop_app.core.prompts import plain_text_start

    start = plain_text_start(loaded.tokenizer)
    skip = 0 if start else 1  # without a start token the first token is only read
    if len(ids) <= skip:
        return None
    if previous is not None:
        previous = (start + list(previous[0]), *previous[1:])
    return start + list(ids[:skip]), list(ids[skip:]), previous


def encode_long(tokenizer, text: str, *, cancel: threading.Event | None = None,
                progress: Callable[[ScoreProgress], None] | None = None) -> list[int] | None:
    """The text's token ids, as ``prompts.encode`` gives them. A long text and a byte-level
    BPE tokenizer (GPT-2's kind): in pieces of about ENCODE_PIECE_CHARS cut before a single
    space between two words, where the tokenizer's own pre-tokenizer splits too, so the ids
    are the same; the tokenizer then never holds Python's lock for long (a 5 MB text in one
    call froze the window for seconds), and ``cancel`` / ``progress`` work while it reads.
    None when cancelled."""
    from desktop_app.core.decoding import token_texts
    from desktop_app.core.prompts import encode

    if len(text) <= 2 * ENCODE_PIECE_CHARS or not token_texts(tokenizer).byte_level:
        return encode(tokenizer, text)
    ids: list[int] = []
    start = 0
    while start < len(text):
        if cancel is not None and cancel.is_set():
            return None
        stop = _piece_end(text, start + ENCODE_PIECE_CHARS)
        ids += encode(tokenizer, text[start:stop])
        start = stop
        if progress is not None:
            progress(ScoreProgress(start, len(text), "reading"))
    return ids


def _piece_end(text: str, at: int) -> int:
    """The first position from ``at`` holding a single space between two non-space
    characters (the end of the text when there is none)."""
    while at < len(text) - 1:
        at = text.find(" ", at)
        if at < 0 or at >= len(text) - 1:
            return len(text)
        if not text[at - 1].isspace() and not text[at + 1].isspace():
            return at
        at += 1
    return len(text)
