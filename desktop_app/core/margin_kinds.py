"""A margin that did not move the right way, worded by what it was measured on: a preference margin over
a thumbs-down alone is how unlikely the disliked answer is, and "the model did not come to prefer what you
liked more" spoke of a liked answer nobody had given (words84). Mixed ratings keep the general words."""

from __future__ import annotations

# the counts keys (train_data.TrainingData.counts) that each say one kind of rating
_KINDS = ("thumbs_up", "thumbs_down", "pairs", "token_ratings")


def only_kind(counts: dict | None) -> str | None:
    """The one kind of rating ``counts`` holds ("thumbs_down", ...), None when mixed, empty or not known."""
    present = [k for k in _KINDS if (counts or {}).get(k)]
    return present[0] if len(present) == 1 else None


def run_counts(m: dict, held_out: bool) -> dict | None:
    """The counts of the ratings a margin was measured on: the held-out ones, or all (a run's ``data_*``)."""
    if held_out:
        return m.get("heldout_counts")
    counts = {k: m.get(f"data_{k}") for k in _KINDS}
    return counts if any(v is not None for v in counts.values()) else None


def wrong_way_words(counts: dict | None, before: float | None, after: float | None) -> str | None:
    """What went the wrong way for ratings all of one kind (None: mixed or not known, say the general
    words). ``before``/``after``: the margin's figures (higher is better), None where not known."""
    kind = only_kind(counts)
    if kind is None:
        return None
    many = counts[kind] > 1
    fell = before is not None and after is not None and after < before
    one_answer = {"thumbs_down": ("disliked", "more likely", "less"), "thumbs_up": ("liked", "less likely", "more")}
    if kind in one_answer:
        rated, went, wanted = one_answer[kind]
        what = f"the {'answers' if many else 'answer'} you {rated}"
        # a margin that only stayed put (within the gate's noise) did not "get more likely"
        return f"{what} got {went}, not {wanted}" if fell else f"{what} did not get {wanted} likely"
    if kind == "token_ratings":
        which, them = ("tokens", "them") if many else ("token", "it")
        return f"the {which} you marked did not move the way you marked {them}"
    return None  # pairs: "what you liked more" is what a pair says
