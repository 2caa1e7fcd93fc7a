"""Why this token? For one token of a stored answer: what each layer predicted (the logit
lens), which earlier tokens pushed it ahead of an alternative (integrated gradients), and
what the sampler did with it (temperature, top-k, top-p as the answer was written).

Everything runs on the model as it is loaded, at its precision (under Compact the int8
weights, the attribution's gradient passes included; when the answer was written at another
precision, ``Explanation.precision_note`` says so), with its active adapter on, but for an
answer the base model wrote: that one is explained with the adapter switched off (PEFT's
``disable_adapter``, as the compare view scores the base), so the explanation is of the model that
wrote it (usertest 14: a base answer was explained with adapter 1's weights, said in small print).
An answer another adapter wrote is explained with the one on now, and ``Explanation.adapter_on``
lets the words say so. The stored message gives the context (its
prompt formatted as generation formatted it, and the answer's own token ids) and the
sampling settings it was written with, so old answers are explained with their settings.

The parts: ``token_context`` (the token and what came before it), ``lens`` (the logit lens),
``attribution`` (integrated gradients), ``sampler_facts``; this module puts them together.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, replace
from typing import Callable

import torch

from desktop_app.core.attribution import IG_MAX_STEPS, IG_STEPS, Attribution, integrated_gradients
from desktop_app.core.decoding import token_texts
from desktop_app.core.explain_errors import ExplainError, check_cancel
from desktop_app.core.lens import LogitLens, final_logits, logit_lens
from desktop_app.core.models import LoadedModel
from desktop_app.core.sampler_facts import SamplerFacts, sampler_facts, shifted_to
from desktop_app.core.token_context import TokenContext

# weights whose sums round by the order they are done in, enough to move a probability by
# points (bfloat16: 8 bits of mantissa), so a token scored later differs from its record
ROUNDING_PRECISIONS = ("bfloat16", "float16", "int8")


@dataclass(frozen=True)
class Explanation:
    context: TokenContext
    token_text: str
    lens: LogitLens | None
    lens_error: str | None
    attribution: Attribution | None  # None: still being worked out (the part reported first)
    sampler: SamplerFacts
    adapter_id: int | None  # the adapter on the model that explained it
    precision: str | None = None  # the weights that explained it (LoadedModel.precision: int8 under Compact)
    adapter_on: int | None = None  # the adapter on the chat model then (set aside for a base model's answer)
    # the sampler worked from the answer's record (core.sampler_facts.shifted_to), where it differs from
    # the re-read's figure: what ``told_sampler`` gives where the words lead with the record's figure
    recorded_sampler: SamplerFacts | None = None

    @property
    def precision_note(self) -> str | None:
        """Words for an explanation made with other weights than the answer (None: the same,
        or the answer's were not recorded)."""
        from desktop_app.core.precision import label

        written = self.context.written_precision
        if written is None or self.precision is None or written == self.precision:
            return None
        made, whose = ("Analysed", "the heatmap's") if self.context.in_text else ("Written", "the answer's")
        return (f"{made} with {label(written)} weights; explained with {label(self.precision)} weights (the "
                f"precision loaded now): the figures can differ a little from {whose}.")

    @property
    def recorded_note(self) -> str | None:
        """Why the probability here differs from the one stored when the answer was written
        (what the inspector shows), or None when they agree. With 16-bit weights it is rounding:
        writing goes token by token, this reads the whole text at once, and bfloat16 rounds the
        two sums differently (measured on the bundled model: up to 4.8 points, 1.2 on average;
        float32 agrees exactly)."""
        from desktop_app.core.precision import label

        c, now = self.context, self.sampler.raw_prob
        if c.recorded_prob is None or abs(c.recorded_prob - now) < 5e-4:
            return None
        if c.in_text:  # a text's token was scored by its analysis, whoever wrote it (the person, often)
            written = f"When the text was analysed: {c.recorded_prob * 100:.2f}% (the figure the heatmap and the " \
                      "inspector show)"
        else:
            written = f"When written: {c.recorded_prob * 100:.2f}% (the figure the answer and the inspector show)"
        if c.written_with_adapter != self.adapter_id:
            return f"{written}; the adapter has changed since."
        if self.precision_note:
            return f"{written}; other weights {'analysed' if c.in_text else 'wrote'} it."
        # a text's token is read in the very pass its analysis read it in (scoring.TokenPass): the same
        # weights give it the same figure, so only an answer's (written token by token) rounds apart
        if self.precision in ROUNDING_PRECISIONS and not c.in_text:
            how = "differently when they read the whole text at once than when they write it token by token"
            return f"{written}. The same {label(self.precision)} weights round {how}; Exact precision gives one figure."
        return f"{written}; the model has changed since."

    @property
    def rounded_apart(self) -> bool:
        """The stored figure (the inspector's) differs from this one by rounding alone: the same model
        and 16-bit weights wrote the answer token by token and read it here as a whole text. Then the
        stored figure is the token's chance, and this one a re-read's ("The model alone gave it 16.7%"
        had stood beside the inspector's 17.1%: two chances for one token)."""
        c = self.context
        return (self.recorded_note is not None and c.written_with_adapter == self.adapter_id
                and not self.precision_note and self.precision in ROUNDING_PRECISIONS and not c.in_text)

    @property
    def told_sampler(self) -> SamplerFacts:
        """The sampler's figures the words tell: worked from the inspector's chance where they lead with it
        (``rounded_apart``), else the re-read's. "The model alone gave it 15.7% (read again as a whole text:
        16.2%); temperature 0.4 raised that to 45.4%" had worked the 45.4% from the 16.2%: a sentence whose
        figures did not follow from the one it began with."""
        if self.rounded_apart and self.recorded_sampler is not None:
            return self.recorded_sampler
        return self.sampler

    @property
    def recorded_reason(self) -> str | None:
        """The why of ``recorded_note`` in a few words, to stand by the figure (usertest 13:
        5.4% here against the inspector's 5.11% was explained only at the bottom)."""
        from desktop_app.core.precision import label

        if not self.recorded_note:
            return None
        c = self.context
        if c.written_with_adapter != self.adapter_id:
            return "the adapter has changed since"
        if self.precision_note:
            return f"other weights {'analysed' if c.in_text else 'wrote'} it"
        if self.precision in ROUNDING_PRECISIONS and not c.in_text:
            return f"{label(self.precision)} weights round a little differently reading the whole text than " \
                   "writing it token by token"
        return "the model has changed since"

    def to_json(self) -> dict:
        c = self.context
        return {"message_id": c.message_id, "token_index": c.index, "token": {"id": c.chosen, "text": self.token_text},
                "adapter_id": self.adapter_id, "adapter_on": self.adapter_on,
                "written_with_adapter": c.written_with_adapter,
                "precision": self.precision, "written_precision": c.written_precision,
                "recorded_prob": c.recorded_prob, "lens": self.lens.to_json() if self.lens else None,
                "lens_error": self.lens_error,
                "attribution": self.attribution.to_json() if self.attribution else None,
                "sampler": self.sampler.to_json(),
                "sampler_as_recorded": self.told_sampler.to_json() if self.rounded_apart else None}


def runner_up(logits: torch.Tensor, chosen: int) -> int:
    """The most likely token other than the chosen one."""
    top = torch.topk(logits.float(), 2).indices.tolist()
    return top[1] if top[0] == chosen else top[0]


def explain(loaded: LoadedModel, context: TokenContext, *, vs: int | None = None, steps: int = IG_STEPS,
            max_steps: int = IG_MAX_STEPS, cancel: threading.Event | None = None,
            report: Callable[[object], None] | None = None) -> Explanation:
    """The lens (where the architecture allows), the attribution against ``vs`` (default:
    the runner-up) and the sampler facts for the last token of ``context.ids``.

    ``report`` hears the cheap part first (this Explanation without its attribution: the
    lens and the sampler, one forward pass), then an ExplainProgress after every batch of
    the attribution's passes, with the contributions so far once the path's two ends are in
    (the first batch: two passes)."""
    first, other = explain_layers(loaded, context, vs=vs, cancel=cancel)
    if report is not None:
        report(first)
    return explain_attribution(loaded, first, other, steps=steps, max_steps=max_steps, cancel=cancel, report=report)


def explain_layers(loaded: LoadedModel, context: TokenContext, *, vs: int | None = None,
                   cancel: threading.Event | None = None) -> tuple[Explanation, int]:
    """The cheap part (one forward pass, a fraction of a second): the Explanation without its
    attribution, and the token the attribution compares with (``vs``, default the runner-up).
    It reads the model and changes nothing, so the window runs it between an answer's tokens."""
    seen, chosen = context.ids[:-1], context.chosen
    check_cancel(cancel)
    with as_written(loaded, context):
        try:
            lens, logits = logit_lens(loaded, seen, chosen, cancel=cancel, read_from=context.read_from)
            lens_error = None
        except ExplainError as exc:
            lens, lens_error, logits = None, str(exc), final_logits(loaded, seen, context.read_from)
    other = runner_up(logits, chosen) if vs is None else vs
    if other == chosen:
        raise ExplainError("The alternative to compare with is the chosen token itself; pick another token.")
    if not 0 <= other < logits.shape[-1]:
        raise ExplainError(f"Token id {other} is outside this model's vocabulary (0 to {logits.shape[-1] - 1}).")
    texts = token_texts(loaded.tokenizer).text

    def facts(scores: torch.Tensor) -> SamplerFacts:
        return sampler_facts(scores, chosen, context.settings, settings_known=context.settings_known,
                             forced=context.forced, answer_before=context.sampled_before, texts=texts)

    recorded = context.recorded_prob
    as_recorded = None if recorded is None or context.in_text else facts(shifted_to(logits, chosen, recorded))
    first = Explanation(context, texts(chosen), lens, lens_error, None, facts(logits),
                        explaining_adapter(loaded, context), loaded.precision, adapter_on=loaded.adapter_id,
                        recorded_sampler=as_recorded)
    return first, other


def _base_wrote_it(loaded: LoadedModel, context: TokenContext) -> bool:
    """An answer the base model wrote, on a model with an adapter on now (a Text mode token is
    explained as its analysis read it, with the model as it is)."""
    return (not context.in_text and context.written_with_adapter is None and loaded.adapter_id is not None
            and hasattr(loaded.model, "disable_adapter"))


def explaining_adapter(loaded: LoadedModel, context: TokenContext) -> int | None:
    """The adapter an explanation of ``context`` reads the model with: none for an answer the base
    model wrote, else the one on now."""
    return None if _base_wrote_it(loaded, context) else loaded.adapter_id


@contextlib.contextmanager
def as_written(loaded: LoadedModel, context: TokenContext):
    """Inside: ``loaded`` reads as ``explaining_adapter`` says: its adapter off for an answer the base
    model wrote. The model lane is the only one that runs the chat model, and an answer being written
    reads PEFT's state again at its next token, after this has switched the adapter back on."""
    if not _base_wrote_it(loaded, context):
        yield
        return
    with loaded.lock, loaded.model.disable_adapter():
        yield


def explain_attribution(loaded: LoadedModel, first: Explanation, other: int, *, steps: int = IG_STEPS,
                        max_steps: int = IG_MAX_STEPS, cancel: threading.Event | None = None,
                        report: Callable[[object], None] | None = None, points: dict | None = None) -> Explanation:
    """``first`` (from ``explain_layers`` on this model) with its attribution against ``other``:
    minutes on a CPU. ``report`` hears an ExplainProgress after every batch of passes.
    ``points``: the path's points so far, kept across a pause (core.attribution.integrated_gradients)."""
    context = first.context
    if (loaded.adapter_id != first.adapter_on or explaining_adapter(loaded, context) != first.adapter_id
            or loaded.precision != first.precision):
        raise ExplainError("The model changed since the layers were read; explain this token again.")

    def placed(attribution: Attribution) -> Attribution:  # where each token came from
        return replace(attribution, prompt_len=context.prompt_len, sources=context.prompt_sources)

    def progress(item) -> None:
        report(item if item.estimate is None else replace(item, estimate=placed(item.estimate)))

    # Not read on from the first window's kept keys and values (LoadedModel.kept_blocks, the Text tab's
    # analysis's): each pass of the path feeds every earlier token a blend of its embedding and the blank
    # one, so their keys and values differ from the kept ones at every point but the last, and the
    # gradients must run back through those tokens' own embeddings; a kept cache is a constant to them.
    with as_written(loaded, context):
        attribution = integrated_gradients(loaded, context.ids[:-1], context.chosen, other, steps=steps,
                                           max_steps=max_steps, cancel=cancel,
                                           progress=None if report is None else progress, points=points)
    return replace(first, attribution=placed(attribution))
