"""The words of the Text tab's "Fine-tune's change" (gui/text_change.py), free of Qt: its colour
key in the window's legend, which pass runs, the summary of what the adapter changed in the
text. They are the compare view's words and colours (gui/compare_words.py), said of any text; against
an earlier adapter (the change's ``compared_with``) they name both adapters, as the compare view does."""

from __future__ import annotations

import math

from desktop_app.core.palette import CHANGE_PALETTE
from desktop_app.gui.compare_words import (COLOUR_KEY, GREEN, PURPLE, SAME_LIKELIHOOD, colour_key, compared_names,
                                           legend_words, likelihood_words, movers_words, nats_detail, nice_scale)

TITLE = "Fine-tune's change"
BASE_MODEL = "the base model"  # what the change is read against unless an earlier adapter is chosen
KEY_TIP = (f"Each token's colour: how its likelihood moved under your adapter, against the base model. {COLOUR_KEY} "
           "Untick \u201cFine-tune's change\u201d under the text for the measure's colours again.")
COMPARED_TIP = ("What the adapter in use is compared with: the base model (all its runs' change), or an earlier "
                "adapter (what the runs after it changed)")
STOPPED = "Fine-tune's change stopped ({where}): turn it on again to go on from where it stopped."
EXPORT_WAITING = ("Fine-tune's change is still being scored, so its colours are not on screen yet: export once they "
                  "show, or untick \u201cFine-tune's change\u201d to export the measure's colours.")
STOPPED_WAITING = "Fine-tune's change stopped before it began."
# no whole analysis of the text on screen is on record (it was stopped: Cancel): the change reads the
# text anew under the adapter, and the summary takes that reading's figures
REREAD = ("Fine-tune's change is reading the text again under your adapter: these figures will be that "
          "reading's, as the heatmap's colours.")


def key(change, in_use: str | None = None, against: str | None = None) -> dict:
    """The legend's key while the change colours the text (``change``: a core TextChange, or None
    while it is scored: the ends are then the scale's first guess). ``in_use``, ``against``: the two
    adapters by name where an earlier one is compared with ("Adapter 3 against adapter 2")."""
    values = list(change.deltas) if change is not None else []
    low, high = legend_words(nice_scale(values), values)
    return {"title": title(in_use, against), "low": low, "high": high, "tip": key_tip(in_use, against),
            "gradient": CHANGE_PALETTE}


def title(in_use: str | None, against: str | None) -> str:
    """What the colours are: "Fine-tune's change" against the base model, else both adapters named."""
    if in_use is None or against is None or against == BASE_MODEL:
        return TITLE
    return f"{in_use[:1].upper()}{in_use[1:]} against {against}"


def key_tip(in_use: str | None, against: str | None) -> str:
    if title(in_use, against) == TITLE:
        return KEY_TIP
    return (f"Each token's colour: how its likelihood moved under {in_use}, against {against}. "
            f"{colour_key(in_use, against)} Untick \u201c{TITLE}\u201d under the text for the measure's colours again.")


def export_caption(adapter_name: str, scale: float, against: str = BASE_MODEL, in_use: str | None = None) -> str:
    """What an exported picture's colours mean, said under it (the picture travels without the window);
    ``against``: what the change was read against, ``in_use`` the adapter's short name (the title)."""
    more = "with the adapter" if against == BASE_MODEL else f"than under {against}"
    return (f"Colours: {title(in_use, against)}, each token's log-probability under {adapter_name} minus under "
            f"{against}: green, more likely {more}; purple, less likely; white, unchanged; "
            f"full colour at \u00b1{scale:g} nats.")


def pass_words(progress) -> str:
    """"Scoring under the base model: pass 2 of 2" (a core ChangeProgress); "Scoring under the
    base model" when that is the only pass (the text's analysis was the adapter's)."""
    if progress.parts == 1:
        return f"Scoring under {progress.under}"
    return f"Scoring under {progress.under}: pass {progress.part} of {progress.parts}"


def stopped_words(progress) -> str:
    """What a stop left, by the last pass heard (None: it had not begun)."""
    if progress is None:
        return STOPPED_WAITING
    if progress.parts == 1:
        return STOPPED.format(where=f"under {progress.under}")
    return STOPPED.format(where=f"in pass {progress.part} of {progress.parts}, under {progress.under}")


def summary_html(change, adapter_name: str, label, model_written=(), dark: bool = False) -> str:
    """The whole text's change in words first (how many times as likely, coloured as the heatmap
    colours it), the perplexities, how many tokens rose and fell, and the tokens that moved most
    as chips in their colours (``label``: a token's text as the heatmap shows it); the
    log-probabilities in small grey type (``@muted``: the theme's). ``model_written``: the indices of
    the tokens a model's continuation wrote (``headline_html``); ``dark``: the dark window's colours."""
    values = list(change.deltas)
    figures = change.figures()
    up, down = sum(1 for d in values if d > 0.01), sum(1 for d in values if d < -0.01)
    before, after = change.base.records, change.adapter.records
    movers = movers_words(before, after, values, nice_scale(values), lambda i: label(after[i].text), label, dark,
                          names=tip_names(change, adapter_name))
    return (f"{headline_html(change, adapter_name, model_written)} {up} of {len(values):,} tokens rose, {down} fell."
            f"<br><small style='color:@muted'>In figures: "
            f"{nats_detail(figures['logprob_base'], figures['logprob_adapter'])}.</small>{movers}")


def tip_names(change, adapter_name: str) -> tuple[str, str]:
    """What a token's two figures were read under (a tooltip's, the movers'): "before" and "after"
    against the base model, else both adapters by name."""
    against = change.compared_with
    return compared_names(adapter_name, None if against == BASE_MODEL else against)


def headline_html(change, adapter_name: str, model_written=()) -> str:
    """The whole text's change and the two perplexities, in two sentences (a short tab's summary).
    With a model's continuation in the text (``model_written``: its tokens' indices), those of the
    person's own tokens, then the whole text's change in a third, as GLTR's summary gives "Your text"
    first: a continuation the model wrote with the adapter on tends to be likelier under it because it
    wrote it, so the whole text's change is not what the adapter thinks of the person's writing (a
    145-token story: 320\u00d7 on its own, 1,100\u00d7 with a 128-token continuation)."""
    written = {i for i in model_written if i < change.tokens}
    yours = [i for i in range(change.tokens) if i not in written]
    if not written or not yours:
        return _headline(change, range(change.tokens), adapter_name, "this text")
    whole = _likely_html(change.total_change, change.tokens)
    return (f"{_headline(change, yours, adapter_name, 'your text')} With the model's continuation "
            f"({len(written):,} tokens, in italics) it is {whole[0]} {whole[1]} {change.compared_with}.")


def _headline(change, indices, adapter_name: str, what: str) -> str:
    """The change of the tokens at ``indices`` and their two perplexities, in two sentences."""
    indices = list(indices)
    likely, than = _likely_html(math.fsum(change.deltas[i] for i in indices), len(indices))
    base = _mean_perplexity([change.base.records[i] for i in indices])
    adapter = _mean_perplexity([change.adapter.records[i] for i in indices])
    against = change.compared_with
    return (f"Under {adapter_name} {what} is {likely} {than} {against}. "
            f"Perplexity {_perplexity(base)} ({against.removeprefix('the ')}) \u2192 {_perplexity(adapter)} (your adapter).")


def _likely_html(total: float, tokens: int) -> tuple[str, str]:
    """("<b>much more likely (…)</b>", "than under") for a change of ``total`` nats over ``tokens``."""
    colour = GREEN if total > 0 else PURPLE
    than = "as under" if abs(total) < SAME_LIKELIHOOD else "than under"
    return f"<b style='color:{colour}'>{likelihood_words(total, tokens, against=None)}</b>", than


def _mean_perplexity(records) -> float:
    if not records:
        return math.nan
    return math.exp(min(-math.fsum(r.logprob for r in records) / len(records), 700.0))


def _perplexity(value: float) -> str:
    return f"{value:,.1f}" if value == value and value != float("inf") else "\u221e"
