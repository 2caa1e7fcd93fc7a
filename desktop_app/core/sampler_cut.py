"""Which of a token's stored alternatives the sampler could not have picked, from the stored figures
alone (no model run): the answer's sampling settings against the model's own top probabilities.

The sampler (core.generation) applies, in order, the repetition penalty, the temperature, top-k,
min-p and top-p. From the top alternatives' probabilities p (the model's own, most likely first)
and the rest of the mass R = 1 - sum(p):

- greedy keeps the most likely token alone;
- top-k keeps the k most likely: an alternative's place in the list is its rank;
- min-p keeps p_i^(1/T) >= min_p * p_1^(1/T) (the ratio of two chances needs no normaliser);
- top-p keeps a token while the tempered mass before it is under top_p. The mass of the tokens
  above an alternative is known (they are all in the list); the normaliser's part past the list is
  not, only bounded (each such token is at most as likely as the last listed, at most R together,
  at most k - listed of them under top-k, none past min-p's floor). An alternative the bounds do
  not decide "may have been cut".
- The repetition penalty lowered the answer's earlier tokens by an amount that depends on their raw
  logits, which are not stored: only the cuts that hold whatever it did are said (top-k: enough
  untouched tokens above; min-p: below the floor of the likeliest untouched one), and top-p's not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from desktop_app.core.generation import SamplingSettings

MAY = "may have been cut by top-p"


@dataclass(frozen=True)
class SamplerCut:
    """``cut``: alternative id -> why the sampler could not have picked it ("cut by top-p 0.95"), or
    where the stored figures do not tell, why it may not have been ("may have been cut by top-p 0.95");
    ``note``: what holds for the whole list (the set cannot be known, or only in part), or ""."""

    cut: dict
    note: str = ""
    settings: SamplingSettings | None = None  # the sampler's, where it drew the token (a probed word's cut)
    penalised: bool = False  # its repetition penalty lowered earlier tokens by amounts not stored
    seen: tuple = ()  # the ids written before the token (the penalty's), and the vocabulary's size: what a
    vocab: int = 1 << 18  # longer list of the token's alternatives is cut with again (cut_of_longer_list)


def sampler_cut(top, settings: SamplingSettings | None, *, seen=(), vocab: int = 1 << 18,
                sampled: bool = True, writer: str = "answer") -> SamplerCut:
    """``top``: the stored alternatives (ids and probabilities); ``seen``: the ids the answer had
    written before this token (its repetition penalty's); ``sampled``: False for a token nobody
    sampled (a branch's forced token, an imported answer's); ``writer``: what wrote it, as the notes
    name it ("answer", or a Text tab's "continuation")."""
    seen = tuple(seen)
    return replace(_cut_of(top, settings, seen, vocab, sampled, writer), seen=seen, vocab=vocab)


def _cut_of(top, settings: SamplingSettings | None, seen: tuple, vocab: int, sampled: bool,
            writer: str) -> SamplerCut:
    if not sampled:
        return SamplerCut({}, "This token was not sampled (put there by a branch or imported): no sampler cut.")
    if settings is None:
        return SamplerCut({}, f"This {writer} stored no sampling settings: which alternatives the sampler could "
                              "have picked cannot be known.")
    alts = sorted(top, key=lambda a: -a.prob)
    if not alts:
        return SamplerCut({})
    if settings.is_greedy:
        return SamplerCut({a.id: "cut by greedy decoding" for a in alts[1:]}, settings=settings)
    penalised = settings.repetition_penalty != 1.0 and bool(seen)
    seen = set(seen) if penalised else set()
    cut = _top_k_cut(alts, settings, seen)
    cut.update({k: v for k, v in _min_p_cut(alts, settings, seen).items() if k not in cut})
    if penalised:
        # "answer" in the Text tab too had told a writer of an answer nobody asked for (usertest51)
        return SamplerCut(cut, f"The repetition penalty ({settings.repetition_penalty:g}) lowered tokens this "
                               f"{writer} had written by amounts not stored: top-p's cut cannot be known here.",
                          settings, penalised=True)
    cut.update({k: v for k, v in _top_p_cut(alts, settings, cut, vocab).items() if k not in cut})
    return SamplerCut(cut, settings=settings)


def cut_of_longer_list(found: SamplerCut, record, alternatives) -> SamplerCut:
    """``found`` (token ``record``'s cut over the alternatives its record keeps) over a longer list of them (the
    inspector's "Show 40 more", core.more_alternatives): the same rule on the same stored settings and earlier
    tokens. The record's own keep the verdicts they were shown with (the longer list's figures come from another
    pass and differ in the last digits), so only the rows it adds get new ones; the written token is never cut."""
    if found.settings is None:  # not sampled, or no settings stored: its note holds for every row
        return found
    longer = sampler_cut(alternatives, found.settings, seen=found.seen, vocab=found.vocab)
    kept = {a.id for a in record.top} | {record.id}
    added = {k: why for k, why in longer.cut.items() if k not in kept}
    return replace(found, cut={**added, **found.cut})


def cut_below_the_list(found: SamplerCut, top, rank: int, prob: float) -> str | None:
    """Why the sampler could not have picked (or may not have) a token ranked ``rank`` in the whole vocabulary,
    below every listed alternative (a probed word outside the top), or None where it could or it is not known.
    Each cut keeps the likeliest tokens, so a cut of the least listed alternative holds for it too; greedy and
    top-k also by its rank, min-p by its chance, where no penalty moved the ranks."""
    settings = found.settings
    if settings is None:
        return None
    if settings.is_greedy and rank > 1:
        return "cut by greedy decoding"
    if not found.penalised and 0 < settings.top_k < rank:
        return f"cut by top-k {settings.top_k}"
    alts = sorted(top, key=lambda a: -a.prob)
    if not found.penalised and alts and settings.min_p > 0 and prob > 0:
        if math.log(prob) < math.log(alts[0].prob) + settings.temperature * math.log(settings.min_p):
            return _min_p_why(settings)
    return found.cut.get(alts[-1].id) if alts else None


def _top_k_cut(alts, settings: SamplingSettings, seen: set) -> dict:
    """Past the k-th place; with a penalty, only where k untouched tokens stand above (they stay above)."""
    k = settings.top_k
    if k <= 0:
        return {}
    out = {}
    for place, alt in enumerate(alts):
        untouched_above = sum(1 for a in alts[:place] if a.id not in seen and a.prob > alt.prob)
        if (untouched_above if seen else place) >= k:
            out[alt.id] = f"cut by top-k {k}"
    return out


def _min_p_cut(alts, settings: SamplingSettings, seen: set) -> dict:
    """Below min-p's floor after temperature; with a penalty, below the floor of the likeliest untouched token."""
    if settings.min_p <= 0:
        return {}
    untouched = [a.prob for a in alts if a.id not in seen]
    if not untouched:
        return {}
    floor = math.log(max(untouched)) + settings.temperature * math.log(settings.min_p)
    # the temperature named where it is not 1: it sharpened the chances before min-p compared them, so an
    # alternative at 7.18% beside 56.16% (over a tenth of it, as shown) was cut (usertest34 doubted the line)
    why = _min_p_why(settings)
    return {a.id: why for a in alts if a.prob > 0 and math.log(a.prob) < floor}


def _min_p_why(settings: SamplingSettings) -> str:
    after = f" after temperature {settings.temperature:g}" if settings.temperature != 1.0 else ""
    return f"cut by min-p {settings.min_p:g}{after}"


def _top_p_cut(alts, settings: SamplingSettings, cut: dict, vocab: int) -> dict:
    top_p = settings.top_p
    if not 0 < top_p < 1:
        return {}
    power = 1.0 / settings.temperature
    kept = [a for a in alts if a.id not in cut]
    listed = sum(a.prob ** power for a in kept)
    beyond, least = _beyond_bound(alts, settings, power, vocab), _beyond_least(alts, settings, power, vocab)
    out, before = {}, 0.0
    for alt in kept:
        if before / (listed + beyond) >= top_p:
            out[alt.id] = f"cut by top-p {top_p:g}"
        elif before / (listed + least) >= top_p:
            out[alt.id] = f"{MAY} {top_p:g}"
        before += alt.prob ** power
    return out


def _beyond_least(alts, settings: SamplingSettings, power: float, vocab: int) -> float:
    """The least the unlisted tokens add to top-p's normaliser: 0 where top-k or min-p may have dropped
    them; else their mass R tempered, at least (T = 1: exactly R) as spread evenly (T < 1) or gathered
    into as few tokens as the last listed one's chance allows (T > 1)."""
    last, rest = alts[-1].prob, max(0.0, 1.0 - sum(a.prob for a in alts))
    count = vocab - len(alts)
    if 0 < settings.top_k < vocab or settings.min_p > 0 or count <= 0 or last <= 0 or rest <= 0:
        return 0.0
    if power == 1.0:
        return rest
    return count * (rest / count) ** power if power > 1 else rest * last ** (power - 1)


def _beyond_bound(alts, settings: SamplingSettings, power: float, vocab: int) -> float:
    """The most the unlisted tokens can add to top-p's tempered normaliser (0: none was kept)."""
    last, rest = alts[-1].prob, max(0.0, 1.0 - sum(a.prob for a in alts))
    count = vocab - len(alts)
    if settings.top_k > 0:
        count = min(count, settings.top_k - len(alts))
    if settings.min_p > 0:
        floor = alts[0].prob * settings.min_p ** settings.temperature
        last = min(last, rest) if floor <= last else 0.0
    if count <= 0 or last <= 0 or rest <= 0:
        return 0.0
    spread = count * min(last, rest / count) ** power  # at most this, the mass spread as evenly as it can be
    return min(spread, last ** (power - 1) * rest) if power >= 1 else spread


def cut_for_answer(message: dict, records, index: int, vocab: int = 1 << 18, writer: str = "answer") -> SamplerCut:
    """``sampler_cut`` for token ``index`` of a stored answer ``message`` as its card shows it
    (``records``: its generated records): its stored settings, the tokens before it as the
    penalty's, a branch's forced tokens and an imported answer's as not sampled. The written
    token is never said to be cut (it was picked)."""
    stored = message.get("settings") or {}
    branched_at = stored.get("branched_at")
    sampled = bool(message.get("model_id")) and not (branched_at is not None and index <= int(branched_at))
    settings = SamplingSettings.from_dict(stored) if "temperature" in stored else None
    record = records[index]
    found = sampler_cut(record.top, settings, seen=[r.id for r in records[:index]], vocab=vocab, sampled=sampled,
                        writer=writer)
    return replace(found, cut={k: v for k, v in found.cut.items() if k != record.id})


PICKED_NOTE = ("You picked this token (\u201cContinue with this alternative\u201d): the sampler did not draw "
               "it, so it cut none of these alternatives.")


def cut_for_continuation(branch: dict, record, at: int, vocab: int = 1 << 18) -> SamplerCut:
    """``sampler_cut`` for token ``at`` of a stored Text continuation ``branch`` (text_branches' row), shown
    with ``record``'s alternatives: its stored settings (``sampling``), its tokens before ``at`` as the
    penalty's (the continuation's own, as generation's penalty saw them), a first token the person chose
    as not sampled. The written token is never said to be cut."""
    stored = branch.get("sampling") or {}
    if "temperature" not in stored and branch.get("model_id"):
        return SamplerCut({}, "This continuation stored no sampling settings (it was written before they were "
                              "kept): which alternatives the sampler could have picked cannot be known.")
    if picked_alternative(branch, at):
        return SamplerCut({}, PICKED_NOTE)
    message = {"settings": stored, "model_id": branch.get("model_id")}
    seen = [_Seen(t[0]) for t in branch.get("tokens", [])[:at]]
    return cut_for_answer(message, [*seen, record], len(seen), vocab, writer="continuation")


def picked_alternative(branch: dict, at: int) -> bool:
    """Whether token ``at`` of a stored Text continuation is the alternative the person picked to start it
    with ("Continue with this alternative": its sampling settings' ``branched_at``), not a sampled one."""
    branched_at = (branch.get("sampling") or {}).get("branched_at")
    return branched_at is not None and at <= int(branched_at)


@dataclass(frozen=True)
class _Seen:
    """A stored token before the one asked about: only its id counts (the repetition penalty's)."""

    id: int


def cut_words(found: SamplerCut, top) -> str:
    """The line under the chart: how many alternatives the sampler could not have picked and why
    ("2 dimmed: the sampler could not have picked them (cut by min-p 0.1)"), then the note."""
    sure = [found.cut[a.id] for a in top if a.id in found.cut and not found.cut[a.id].startswith(MAY)]
    maybe = [found.cut[a.id] for a in top if a.id in found.cut and found.cut[a.id].startswith(MAY)]
    parts = []
    if sure:
        why = ", ".join(dict.fromkeys(sure))
        parts.append(f"{len(sure)} dimmed: the sampler could not have picked {'it' if len(sure) == 1 else 'them'} "
                     f"({why}).")
    if maybe:
        parts.append(f"{len(maybe)} more {MAY} ({', '.join(dict.fromkeys(maybe)).replace(MAY + ' ', '')}): the "
                     "stored figures do not tell.")
    if found.note:
        parts.append(found.note)
    return " ".join(parts)
