"""One token's figures as JSON text, what the inspector's "Copy figures" puts on the clipboard.

An ML engineer pastes them into a notebook or an issue beside a plain transformers run
(usertest 29: nothing could be copied, and the token id was shown nowhere)."""

from __future__ import annotations

import json
from typing import Callable

from desktop_app.core.records import TokenRecord


NOT_SAID = object()  # token_figures' adapter where the caller does not know it: no "adapter" key


def token_figures(record: TokenRecord, index: int, *, piece_hex: Callable[[int, str], str] | None = None,
                  cut: dict | None = None, message_id: int | None = None, adapter=NOT_SAID) -> dict:
    """The record's stored figures (``to_json``: id, text, prob, logprob (natural log, as transformers'
    log_softmax), rank, top alternatives with their ids) with its place in the text ("index" from 0, "token_number"
    from 1), and the entropy and
    surprisal in bits, as the inspector shows them. The stored entropy in nats is left out: beside
    "entropy_bits" an "entropy" in another unit read as the same figure (leftovers56). What the inspector
    says besides, where it says it: a split character's "bytes" (``piece_hex(id, text)``: its hex, "" for a
    whole character) and an alternative's "sampler" cut (``cut``: id -> why); a chat answer's ``message_id``, which
    the CLI's commands take with "index" as ``--token``; ``adapter``: whose figures they are, as the inspector's
    "adapter" row says it (core.adapters.figures_adapter: {"id", "name"}, None for the base model)."""
    # "token_number" counts from 1 as the inspector's "Token 66" does; "index" from 0, as scripts read it (textwords107)
    placed = {"index": index, "token_number": index + 1, **record.to_json()}
    if message_id is not None:  # a chat answer's: `gpt2-desk explain MESSAGE_ID --token INDEX` (usertest69)
        placed = {"message_id": message_id, **placed}
    figures = {key: value for key, value in placed.items() if key != "entropy"}
    figures["surprisal_bits"] = record.surprisal_bits
    if adapter is not NOT_SAID:
        figures["adapter"] = adapter
    if piece_hex is not None and piece_hex(record.id, record.text):
        figures["bytes"] = piece_hex(record.id, record.text)
    for alt in figures["top"]:
        said = piece_hex(alt["id"], alt["text"]) if piece_hex is not None else ""
        alt.update({"bytes": said} if said else {}, **({"sampler": cut[alt["id"]]} if alt["id"] in (cut or {}) else {}))
    return figures


def explanation_figures(explanation) -> dict:
    """"Why this token?"'s figures as the inspector shows them (an explanation of ``core.explain``, its
    attribution None while it runs): the layer grid one layer a row, its columns' tokens, where the chosen
    token leads, the sampler's figures, and what led here once its figures are in. A researcher had only a
    tooltip a cell to read the grid's 155 numbers by, and nothing to take them away with (usertest45)."""
    figures: dict = {}
    lens = explanation.lens
    if lens is not None:
        figures["lens_tokens"] = [{"id": i, "text": t} for i, t in zip(lens.token_ids, lens.token_texts)]
        figures["logit_lens"] = [{"layer": name, "probs": probs, "ranks": ranks,
                                  "top": {"id": top[0], "text": top[1], "prob": top[2]}}
                                 for name, probs, ranks, top in zip(lens.layer_names, lens.probs, lens.ranks,
                                                                    lens.layer_top)]
        figures["lens_first_top1"] = lens.first_top1  # a row of logit_lens; None: never the top guess
        figures["lens_leads_from"] = lens.leads_from(lens.token_ids[0])
    sampler = getattr(explanation, "told_sampler", None)
    if sampler is not None:  # the section's sampler lines' figures (usertest69: shown, and copied nowhere)
        figures["sampler"] = sampler_figures(sampler)
    attribution = explanation.attribution
    if attribution is not None:
        figures["what_led_here"] = [{"id": i, "text": t, "score": score, "source": attribution.source(n)}
                                    for n, (i, t, score) in enumerate(zip(attribution.token_ids,
                                                                          attribution.token_texts,
                                                                          attribution.scores))]
        figures["what_led_here_vs"] = {"id": attribution.other_id, "text": attribution.other_text,
                                       "difference": attribution.difference,
                                       "baseline_difference": attribution.baseline_difference, "sum": attribution.total,
                                       "gap": attribution.gap, "complete": attribution.complete}
    return figures


def sampler_figures(sampler) -> dict:
    """What the section's sampler lines say, as figures: the settings in words, as shown, then the keys of
    ``gpt2-desk explain --json``'s "sampler": the token's probability under the model ("raw_prob") and as
    sampled ("used_prob"), after each setting in the sampler's order ("stages"), the tokens kept and those
    holding 95% of the probability."""
    return {"settings": sampler.how, **sampler.to_json()}


def _one_line(value) -> str:
    # ensure_ascii=False keeps a token's own characters readable; json escapes a newline or tab
    return json.dumps(value, ensure_ascii=False)


def _value_text(value) -> str:
    """A list of objects (the alternatives) one object a line; anything else on one line."""
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "[\n  " + ",\n  ".join(_one_line(item) for item in value) + "\n ]"
    return _one_line(value)


def token_figures_text(record: TokenRecord, index: int, explanation=None, **said) -> str:
    """Valid JSON, one figure a line and one alternative a line: ``indent=1`` spread each
    alternative over five lines, so ten filled a screen (usertest 54). ``said``: ``token_figures``';
    ``explanation``: the token's "Why this token?" where it shows (``explanation_figures``), a layer a line."""
    figures = token_figures(record, index, **said)
    if explanation is not None:
        figures.update(explanation_figures(explanation))
    lines = [f" {_one_line(key)}: {_value_text(value)}" for key, value in figures.items()]
    return "{\n" + ",\n".join(lines) + "\n}"
