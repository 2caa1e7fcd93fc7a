"""Where a token leads in the logit lens, in words the window's layer grid and the CLI's `explain` share: from
which layer the chosen token stays ahead to the last, and, for a token never ahead, the last layer's leader and
where it took the lead (usertest45, inspector78: the CLI said "not the top-1 at any layer" and named no one)."""

from __future__ import annotations

from desktop_app.core.percent_words import percent
from desktop_app.core.token_words import token_label


def leader_words(lens) -> str:
    """Where the chosen token leads (``first_top1``, the grid's ▶) and from which layer it stays ahead to the last
    (``leads_from``); one never ahead names the last layer's leader and the layer it leads from, the layer a
    researcher looks for (usertest45: "3" was "not the most likely token at any layer", and where "2" took the
    lead was left to hovering 150 cells). "From layer 3 on" was said of a token ahead at layer 3 only."""
    chosen, first = lens.token_ids[0], lens.first_top1
    settled = lens.leads_from(chosen)
    if first is None:
        return f"not the most likely token at any layer: {last_leader_words(lens)}"
    if settled == first:
        return f"the most likely token {from_row_words(lens, first)} (\u25b6)"
    if settled is None:
        top_text = lens.last_top[1]
        return (f"the most likely token at {row_name(lens, first)} (\u25b6) but not at the last layer, where "
                f"\u201c{token_label(top_text)}\u201d is")
    return (f"the most likely token first at {row_name(lens, first)} (\u25b6), and at every layer "
            f"{from_row_words(lens, settled)}")


def last_leader_words(lens) -> str:
    """"the last layer's is “␣two” (88.5%), ahead from layer 2 on": the model's own first choice, and where it led."""
    top_id, top_text, top_prob = lens.last_top
    return (f"the last layer's is \u201c{token_label(top_text)}\u201d ({percent(top_prob)}), "
            f"ahead {from_row_words(lens, lens.leads_from(top_id))}")


def row_name(lens, row: int) -> str:
    return "the embeddings" if row == 0 else lens.layer_names[row]


def from_row_words(lens, row: int) -> str:
    if row == 0:
        return "at every layer"
    # "from layer 30 on" of the last layer read as a run of layers
    return "at the last layer only" if row == len(lens.layer_names) - 1 else f"from {lens.layer_names[row]} on"


RANK_SHOWN_BELOW = 0.0001  # under 0.01% a cell gives the token's rank: a percentage of a cell's width says little


def cell_figure(prob: float, rank: int) -> str:
    """What the layer grid's cell of the chosen token says, in about as many characters as "<0.1%" (the cells keep
    their width): "37%", "0.4%", one significant figure to 0.01% ("0.03%"), and under that its rank at that layer
    ("#850", "#12k"). Every cell under 0.1% had read "<0.1%", so the grid said nothing of the token climbing from
    rank 30,000 to rank 40 through the layers below its lead (text98)."""
    if prob >= 0.01:
        return f"{prob * 100:.0f}%"
    if prob >= 0.001:
        return f"{prob * 100:.1f}%"
    if prob >= RANK_SHOWN_BELOW:
        return f"{float(f'{prob * 100:.1g}'):g}%"
    return f"#{rank:,}" if rank < 1000 else f"#{round(rank / 1000):,}k"
