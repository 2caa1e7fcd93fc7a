"""What the sampler did with a token, in the words both front ends use: which settings moved it
most ("temperature 0.4 then made it 1.3× less likely") and, setting by setting in the sampler's
order, how many times likelier each made it, multiplying to the change from the model's figure
to the sampled one. Plain text (the window escapes it for its rich text); reads a
``core.sampler_facts.SamplerFacts``."""

from __future__ import annotations

from desktop_app.core.palette import visible_whitespace
from desktop_app.core.percent_words import likelier_words, percent

STAGES_HEAD = "Setting by setting, in the sampler's order"
GREEDY_WORDS = "greedy"
GREEDY_MEANT = f"{GREEDY_WORDS} (always the most likely token)"  # where no figure beside it says what greedy does


def settings_words(temperature: float, top_k, top_p: float, *, greedy: bool, min_p: float | None = 0.0,
                   repetition_penalty: float = 1.0, greedy_said: str = GREEDY_WORDS) -> str:
    """The sampling settings in words, as Settings names them: "temperature 0.6, top-k 50, top-p 0.95,
    repetition penalty 1.1". One wording for an answer card's tooltip (``answer_words.written_with_words``)
    and an explanation's sampler line (``SamplerFacts.how``), so the two cannot drift apart. ``top_k``: as
    it is to be shown (the card says "off" for 0); ``greedy_said``: the words for greedy decoding."""
    if greedy:
        words = greedy_said
    else:
        words = f"temperature {temperature:g}, top-k {top_k}, top-p {top_p:g}"
        words += f", min-p {min_p:g}" if min_p else ""
    return words + (f", repetition penalty {repetition_penalty:g}" if repetition_penalty != 1.0 else "")


def model_percent(result) -> str:
    """The model's own chance for the token of an explanation (``core.explain.Explanation``), as the
    inspector shows it where only rounding set the re-read apart from it (the answer's record, written
    token by token, is the chance it had)."""
    return percent(result.context.recorded_prob if result.rounded_apart else result.sampler.raw_prob)


def reread_clause(result) -> str:
    """Beside the inspector's figure, the re-read's where it differs, and why, in one clause (the
    window's tooltip and the CLI's note tell the rounding); nothing where they agree."""
    return f" (read again as a whole text: {percent(result.sampler.raw_prob)})" if result.rounded_apart else ""


def chance_words(result) -> str:
    """The token's chance under the model and as sampled, the model's first: "15.7% under the model (read
    again as a whole text: 16.2%), 45.4% as sampled". The window's sampler lines and the CLI's both lead
    with it (the CLI had led with the re-read's figure where the window gave the inspector's)."""
    s = result.told_sampler
    return f"{model_percent(result)} under the model{reread_clause(result)}, {percent(s.used_prob)} as sampled"


def movers_words(s, whose: str) -> str:
    """The one or two settings that moved the token most, in plain words, in the order the
    sampler applies them ("...; temperature 0.4 then made it 2.0x less likely"); ``whose``: "answer"
    or "text", what the token was written in. Empty when no setting moved it much."""
    said = [f"{s.setting(stage)}{' then' if said_before else ''} {_moved(s, stage, factor, whose)}"
            for said_before, (stage, factor) in enumerate(_named(s))]
    return "; ".join(said)


def _named(s) -> list[tuple[str, float]]:
    """The movers (``SamplerFacts.movers``) with their factors, in the sampler's order."""
    movers = s.movers()
    if not movers and s.raw_prob > 0 and not 0.8 < s.used_prob / s.raw_prob < 1.25:
        movers = s.movers(least=1.0, most=1)  # small steps that add up: name the biggest
    named = {stage for stage, _ in movers}
    return [f for f in s.factors() if f[0] in named]


def story_words(s, whose: str) -> tuple[str, bool]:
    """How the settings that moved the token most took the model's figure to the one it was drawn
    with, figure by figure in the sampler's order ("temperature 0.4 raised that to 96.4%, then top-p
    0.95 raised it to 100.0% by dropping less likely tokens"), and whether the last figure named is
    the one it was drawn with (the other settings moved it a little more). ("", False): none moved it
    much. A reader met "sampled at 100.0%, where the model alone gave it 56.7%: temperature 0.4 made it
    1.7× likelier", factors that did not multiply to the figures they stood by."""
    after, said, figure = dict(s.stages), [], None
    for stage, factor in _told(s):
        figure = after[stage]
        said.append(f"{'then ' if said else ''}{s.setting(stage)} "
                    f"{_moved(s, stage, factor, whose, f'{figure * 100:.1f}%', 'it' if said else 'that')}")
    return "; ".join(said), figure is not None and f"{figure * 100:.1f}" == f"{s.used_prob * 100:.1f}"


def _told(s) -> list[tuple[str, float]]:
    """The settings the story tells, in the sampler's order: the movers (``_named``) and every setting before
    the last of them that changed the figure as shown. The figure after a mover is the one every earlier
    setting made too: "temperature 0.4 raised that to 86.9%; then the repetition penalty 1.1 … took it to
    100.0%" gave temperature the penalty's part (it had lowered " dragon", the likelier token) and put the
    penalty after it, where the sampler applies it first (usertest34)."""
    named = _named(s)
    if not named:
        return []
    names, last = {stage for stage, _ in named}, named[-1][0]
    after, told, before = dict(s.stages), [], s.raw_prob
    for stage, factor in s.factors():
        if stage in names or (_figure_moved(before, after[stage]) and not shown_as_one(factor)):
            told.append((stage, factor))
        if stage == last:
            return told
        before = after[stage]
    return told


def other_settings_words(s) -> str:
    """The settings the story (``story_words``) does not name that still changed the token's figure as shown
    (to a tenth of a percent), in the sampler's order: "top-k 50 and top-p 0.95"; "" for none. The gist had said
    "the sampling settings barely moved that; the other settings took it to 100.0%", naming none of them."""
    named, before, moved = {stage for stage, _ in _told(s)}, s.raw_prob, []
    for stage, after in s.stages:
        factor = after / before if before > 0 else 1.0
        if stage not in named and _figure_moved(before, after) and not shown_as_one(factor):
            moved.append(s.setting(stage))
        before = after
    return " and ".join(moved) if len(moved) < 3 else ", ".join(moved[:-1]) + " and " + moved[-1]


def _figure_moved(before: float, after: float) -> bool:
    """The token's figure as the words show it (to a tenth of a percent) changed."""
    return f"{before * 100:.1f}" != f"{after * 100:.1f}"


def shown_as_one(factor: float) -> bool:
    """A setting's factor that the stage lines show as ×1.00: it did next to nothing, so the story names it
    not. "the repetition penalty 1.1 and temperature 0.4 took that to 100.0%" stood above "repetition penalty 1.1
    ×1.00": the penalty had moved 99.95% to 99.96%, across the tenth the figures are rounded to (usertest69)."""
    return _factor(factor) == "1.00"


def _moved(s, stage: str, factor: float, whose: str, to: str | None = None, that: str = "it") -> str:
    """What a setting did to the token: "made it 1.6× likelier", or with ``to`` (its figure after the
    setting) "raised it to 96.4%"."""
    if factor == 0:
        return f"left {that} out"
    if to is None:
        how = f"made it {_times(factor)}\u00d7 likelier" if factor >= 1 else f"made it {likelier_words(factor)}"
    else:
        how = f"{'raised' if factor >= 1 else 'lowered'} {that} to {to}"
    if stage == "repetition penalty" and factor < 1 and s.repeated:
        return f"{how}, as the {whose} already had it"
    if stage == "repetition penalty" and factor > 1 and s.lowered:
        names = " and ".join(f"\u201c{visible_whitespace(text)}\u201d ({p * 100:.0f}%)" for text, p in s.lowered)
        return f"{how} by lowering {names}, which the {whose} already had"
    if stage in ("top-k", "min-p", "top-p") and factor > 1:
        return f"{how} by dropping less likely tokens"
    return how


def _times(factor: float) -> str:
    return f"{factor:.2g}" if factor < 0.1 else f"{factor:.0f}" if factor >= 10 else f"{factor:.1f}"


def stage_steps(s) -> list[tuple[str, str]]:
    """Each setting that was on with its factor, in the sampler's order: ("temperature 0.4",
    "×0.78"); a setting that left the token out says "×0" and ends the list. None for greedy."""
    if s.greedy:
        return []
    return [(s.setting(stage).removeprefix("the "), f"\u00d7{_factor(factor)}") for stage, factor in s.factors()]


def together(s) -> str:
    """The steps' product: the sampled probability over the model's ("×1.30")."""
    return f"\u00d7{_factor(s.used_prob / s.raw_prob if s.raw_prob > 0 else 0.0)}"


def stages_words(s) -> str | None:
    """Setting by setting, how many times likelier each made the token, in one sentence; they
    multiply to the change from the model's figure to the sampled one (None: greedy or nothing on)."""
    steps = stage_steps(s)
    if not steps:
        return None
    listed = ", ".join(f"{name} {factor}" for name, factor in steps)
    return f"{STAGES_HEAD}: {listed} (together {together(s)})."


def _factor(factor: float) -> str:
    return "0" if factor == 0 else f"{factor:.2g}" if factor < 0.01 else f"{factor:.2f}"
