"""Counting the ratings, without a model: the Fine-tune tab's counts and ready line (``readiness``),
and what is new since the previous run (``previous_run``, ``since_last_run``, ``new_since_previous``,
``rated_after_run``): the counts a panel shows before a run and the ids a run's card shows first.
Turning ratings into examples is ``train_data.py``'s; these count what it would build.
"""

from __future__ import annotations

import json
from datetime import datetime

from desktop_app.core import text_training
from desktop_app.core.text_pieces import records_layout


def rated_characters(store, tokenizer=None, after: str | None = None) -> int:
    """The answers' token ratings as training keeps them: two on one character (an old database's,
    stored on two of its tokens before a rating went to the character's first) train as one, the newer
    (``train_data.on_chosen_tokens``), so they count one. Where the character began is read from the answer's
    stored tokens: by their bytes where ``tokenizer`` reads their ids as their texts, else by their
    texts (which miss a character begun in a token that shows another, as the bundled model's " 😀");
    an answer with one token rating, or without stored tokens, counts its ratings. ``after``: only
    the ratings given after that time (a run's start: what is new since it)."""
    by_message: dict[int, set[int]] = {}
    for r in store.ratings():
        if r["token_index"] is not None and (after is None or r["created"] > after):  # as SQL's "created > ?"
            by_message.setdefault(r["message_id"], set()).add(r["token_index"])
    return sum(len(indices) if len(indices) == 1 else _characters(store.token_records(mid), indices, tokenizer)
               for mid, indices in by_message.items())


def _characters(records, indices: set[int], tokenizer) -> int:
    if not records:
        return len(indices)
    layout = records_layout(records, tokenizer)
    return len({layout.trained(i) for i in indices})


def rated_message_ids(store) -> list[int]:
    """Answers that carry any rating or a correction (what a kept run re-scores)."""
    ids = {r["message_id"] for r in store.ratings()} | {c["message_id"] for c in store.corrections()}
    out = []
    for mid in sorted(ids):
        try:
            if store.get_message(mid)["role"] == "assistant":
                out.append(mid)
        except Exception:  # deleted meanwhile
            continue
    return out


# what a run did not learn from: ratings and better texts given or changed after it started (a
# run reads them when it starts); the rated answers' message ids, then the Text continuations' ids
_ANSWERS_AFTER = ("SELECT message_id FROM ratings WHERE created > ?",
                  "SELECT message_id FROM corrections WHERE created > ?")
_BRANCHES_AFTER = ("SELECT branch_id FROM text_ratings WHERE created > ?",
                   "SELECT id FROM text_branches WHERE correction IS NOT NULL AND corrected > ?")


def rated_after_run(store, run_id: int) -> tuple[set[int], set[int]]:
    """The answers (message ids) and Text continuations (branch ids) rated or given a better
    text after run ``run_id`` started: what that run did not learn from (a run reads the
    ratings when it starts: ``since_last_run``'s rule)."""
    started = store.get_run(run_id)["started"]
    answers, branches = (store._rows(" UNION ".join(queries), (started,) * len(queries))
                         for queries in (_ANSWERS_AFTER, _BRANCHES_AFTER))
    return {r[0] for r in answers}, {r[0] for r in branches}


def corrections_after_run(store, run_id: int) -> set[int]:
    """The answers (message ids) whose better answer was written or changed after run
    ``run_id`` started: that run did not learn from those better answers."""
    started = store.get_run(run_id)["started"]
    return {c["message_id"] for c in store.corrections() if c["created"] > started}


def previous_run(store, parent: dict | None, model_id: str):
    """The run row that ratings are "new since", for the run card and the Fine-tune tab alike: the run
    that made ``parent``, the adapter in use, which a new run starts from and is compared with (a
    discarded run after it changed nothing the person chats with, so what it read is still new to the
    model in use: the tab counted since that discarded run while the card said "new since" the run
    before it); else (the base model in use, or an adapter no run here made) the newest finished (kept or
    discarded) run of ``model_id``, the model in use (another model's run taught this one nothing: it
    had counted since any model's newest run); None when there is none. An imported adapter counts from the
    run that made its weights here (``source_run``), as the tab does: an export of adapter 1 brought back is
    adapter 1's run to the card too."""
    run_id = source_run(store, parent) if imported_without_run(parent) else parent.get("run_id") if parent else None
    row = store._one(_PREVIOUS_RUN + "WHERE id = ?", (run_id,)) if run_id is not None else None
    return row or store._one(_PREVIOUS_RUN + "WHERE base_model = ? AND status IN ('kept', 'discarded') "
                             "ORDER BY id DESC LIMIT 1", (model_id,))


_PREVIOUS_RUN = "SELECT id, started, finished, metrics, settings FROM finetune_runs "


def new_since_previous(store, parent: dict | None, model_id: str) -> tuple[int | None, frozenset[int]]:
    """The run a new run of ``model_id`` has its ratings new since (``previous_run``; ``parent``: the
    adapter in use) and what was rated or given a better text after that run started, as training data
    names them: message ids, and a Text continuation's branch id negated (core/text_training.py). A
    run's card shows these first (usertest 13: the two answers just corrected were not re-asked)."""
    row = previous_run(store, parent, model_id)
    if row is None:
        return None, frozenset()
    answers, branches = rated_after_run(store, row["id"])
    return row["id"], frozenset(answers | {-b for b in branches})


def readiness(store, model_id: str | None = None, tokenizer=None) -> dict:
    """Counts of usable examples, without running a model (fast: for the GUI's button), and what is
    new since the previous run of ``model_id`` (``since_last_run``). Token ratings count as training
    keeps them (``rated_characters``); ``tokenizer`` (the loaded model's, optional) tells where a split
    character began by its bytes."""
    from desktop_app.core.exchange import dpo_examples, kto_examples

    kto = [e for e in kto_examples(store, with_ids=True) if e["source"] == "rating"]
    dpo = dpo_examples(store, with_ids=True)
    token_ratings = rated_characters(store, tokenizer)
    counts = {"thumbs_up": sum(1 for e in kto if e["label"]),
              "thumbs_down": sum(1 for e in kto if not e["label"]),
              "token_ratings": token_ratings,
              "corrections": sum(1 for e in dpo if e["source"] == "correction"),
              "pairs": len(dpo),
              "sibling_pairs": sum(1 for e in dpo if e["source"] == "siblings")}
    counts["total"] = len(kto) + len(dpo) + token_ratings
    # a thumb on an answer that also has a better answer trains twice: as the thumb and in the pair
    corrected = {e["rejected_message_id"] for e in dpo if e["source"] == "correction"}
    counts["thumbs_on_corrected"] = sum(1 for e in kto if e["message_id"] in corrected)
    # a thumbs-up there conflicts with its pair: one says "more likely", the other "less than yours"
    counts["liked_and_corrected"] = sum(1 for e in kto if e["message_id"] in corrected and e["label"])
    # a thumbs-down there goes with its better answer (the ready line and the tiles say so); each is a rating of
    # its own, as the person gave it and as it trains (counts59: counted once, a thumbs-down, a better answer, a
    # thumbs-up and a token were "3 ratings" on the tab while the tiles showed 4 and the person had made 4)
    counts["disliked_and_corrected"] = counts["thumbs_on_corrected"] - counts["liked_and_corrected"]
    for key, value in text_training.readiness(store, tokenizer).items():  # text mode's ratings count alike
        counts[key] += value
        counts[f"text_{key}"] = value  # and are named apart: a continuation is no answer (usertest 12)
    # the ratings as the person gave them: a liked and a disliked answer to one question also train
    # as a pair (train_data.build_training_data makes the two thumbs and their pair: 3 examples of 2 ratings)
    counts["ratings"] = counts["total"] - counts["sibling_pairs"]
    counts["ready"] = counts["total"] > 0
    counts.update(since_last_run(store, model_id, tokenizer))
    return counts


def since_last_run(store, model_id: str | None = None, tokenizer=None) -> dict:
    """What the previous run (``previous_run``: the one that made ``model_id``'s adapter in use, as a
    new run's card counts it) did not see: ``last_run`` (its id, or None when no run finished) and
    ``new_since_run``, the ratings and better answers given or changed after it started. A run reads
    the ratings when it starts, so anything later is new. ``model_id`` None: the model the newest
    finished run trained. Also how that run used them and how long it took (``last_run_trained``,
    ``last_run_heldout``: examples learned from and kept aside to test the result;
    ``last_run_seconds``; ``last_run_settings``, the settings it ran with), so a panel can say what a
    second click on the same ratings would cost and whether it would repeat that run; None where it did
    not record it. And a newer finished run of the model, if any (``newer_run``). Token ratings count as
    training keeps them (``rated_characters``, by the bytes with ``tokenizer``), as the tab's total does. An
    imported adapter in use counts from the run that made its weights here (``source_run``), else from no run:
    ``imported_adapter`` (its id) and ``imported_adapter_name`` say that every rating is new to it."""
    if model_id is None:
        newest = store._one("SELECT base_model FROM finetune_runs WHERE status IN ('kept', 'discarded') "
                            "ORDER BY id DESC LIMIT 1")
        model_id = newest["base_model"] if newest else None
    adapter = store.active_adapter(model_id) if model_id is not None else None
    if imported_without_run(adapter):
        row = _run_row(store, source_run(store, adapter))
        if row is None:  # no run here trained it: every rating is new to it
            return {"last_run": None, "new_since_run": None, "imported_adapter": adapter["id"],
                    "imported_adapter_name": adapter.get("name")}
    else:
        row = previous_run(store, adapter, model_id) if model_id is not None else None
    if row is None:
        return {"last_run": None, "new_since_run": None}
    return {**_run_new_count(store, row, tokenizer), **_run_use(row),
            **newer_run(store, model_id, row["id"], tokenizer)}


def imported_without_run(adapter: dict | None) -> bool:
    """``adapter`` came in by ``gpt2-desk adapters import`` (or the history's Import), not from a run here."""
    if adapter is None or adapter.get("run_id") is not None:
        return False
    return bool((adapter.get("metrics") or {}).get("imported") or (adapter.get("settings") or {}).get("imported_from"))


def source_run(store, adapter: dict) -> int | None:
    """The run here that made the weights an imported adapter has: the import of an export recorded the stored
    adapter with the same weights (its metrics' ``same_as``), followed through imports of imports; None when none
    did (counts89: the tab had counted from the model's newest run, so an export of adapter 1 imported back read
    "24 new" where adapter 1 read "47 new")."""
    seen: set[int] = set()
    while adapter is not None and adapter["id"] not in seen:
        if adapter.get("run_id") is not None:
            return adapter["run_id"]
        seen.add(adapter["id"])
        same = (adapter.get("metrics") or {}).get("same_as")
        adapter = store._one("SELECT * FROM adapters WHERE id = ?", (same,)) if same is not None else None
        adapter = store._adapter(adapter) if adapter is not None else None
    return None


def _run_row(store, run_id: int | None):
    return store._one(_PREVIOUS_RUN + "WHERE id = ?", (run_id,)) if run_id is not None else None


def nothing_new_since(store, model_id: str | None) -> int | None:
    """The previous run of ``model_id`` (``since_last_run``) when nothing was rated or corrected after it
    started: a new run trains on the same ratings, with the same seed, and lands where that run did, so the
    gate's rule for a run from the adapter in use (beat it, else why switch) discards it. None otherwise."""
    since = since_last_run(store, model_id)
    return since["last_run"] if since["last_run"] is not None and since["new_since_run"] == 0 else None


def newer_run(store, model_id: str | None, previous_id: int, tokenizer=None) -> dict:
    """The newest finished run of ``model_id`` after the previous run ``previous_id`` (a discarded run
    that started from the adapter in use, or a kept one whose adapter the person stepped back from):
    ``newer_run`` (its id), ``new_since_newer`` (what it did not see: 0 when a new run would train on
    exactly the ratings it had), ``newer_run_status``, ``newer_run_reason``, ``newer_run_adapter`` (the
    one it made, if kept), ``newer_run_from`` (the adapter it started from), ``newer_run_seconds``,
    ``newer_run_settings`` and ``newer_run_heldout`` (the ratings it kept out, for its reason's words); {}
    when the previous run is the newest."""
    row = store._one("SELECT id, started, finished, metrics, settings, status, reason, adapter_id, "
                     "parent_adapter_id FROM finetune_runs WHERE base_model = ? AND status IN ('kept', 'discarded') "
                     "AND id > ? ORDER BY id DESC LIMIT 1", (model_id, previous_id))
    if row is None:
        return {}
    use = _run_use(row)
    return {"newer_run": row["id"], "new_since_newer": _run_new_count(store, row, tokenizer)["new_since_run"],
            "newer_run_status": row["status"], "newer_run_reason": row["reason"],
            "newer_run_adapter": row["adapter_id"], "newer_run_from": row["parent_adapter_id"],
            "newer_run_seconds": use["last_run_seconds"], "newer_run_settings": use["last_run_settings"],
            "newer_run_heldout": use["last_run_heldout"]}


def _run_use(row) -> dict:
    """A finished run row's examples (trained on, held out), its length in seconds and the settings it
    ran with (as recorded: a click with others is no repeat of it)."""
    metrics, settings = (_json_dict(row[column]) for column in ("metrics", "settings"))
    try:
        seconds = (datetime.fromisoformat(row["finished"]) - datetime.fromisoformat(row["started"])).total_seconds()
    except (TypeError, ValueError):
        seconds = None
    return {"last_run_trained": metrics.get("train_size"), "last_run_heldout": metrics.get("heldout_size"),
            "last_run_seconds": seconds, "last_run_settings": settings}


def _json_dict(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _run_new_count(store, row, tokenizer=None) -> dict:
    """The ratings and better answers given or changed after the run row started; token ratings as
    training keeps them (two on one split character: one)."""
    started = row["started"]
    added = " + ".join(f"(SELECT COUNT(*) FROM ({q}))" for q in _WHOLE_AFTER)  # each "?": ``started``
    new = store._one(f"SELECT {added}", (started,) * len(_WHOLE_AFTER))[0]
    tokens = rated_characters(store, tokenizer, started) + text_training.rated_characters(store, tokenizer, started)
    return {"last_run": row["id"], "new_since_run": int(new) + tokens}


# the thumbs and better texts given or changed after a run started (each "?": its start); its token
# ratings are counted by character (``rated_characters``)
_WHOLE_AFTER = ("SELECT 1 FROM ratings WHERE token_index IS NULL AND created > ?", _ANSWERS_AFTER[1],
                "SELECT 1 FROM text_ratings WHERE token_index IS NULL AND created > ?", _BRANCHES_AFTER[1])


# the kinds of rating a run records as it reads them (TrainProgress.rating_counts, its metrics' "rating_counts"),
# as ``readiness`` counts them: its words "examples made from your N ratings" say the run's own N, where the CLI
# had counted the ratings again and the window said its tab's count, which ratings made since could have raised
RUN_RATING_KINDS = ("thumbs_up", "thumbs_down", "corrections", "token_ratings", "sibling_pairs", "ratings")


def run_rating_counts(counts: dict) -> dict:
    """The ratings a run read, per kind (``RUN_RATING_KINDS``), from ``readiness``'s ``counts``."""
    return {kind: int(counts.get(kind, 0) or 0) for kind in RUN_RATING_KINDS}


def ratings_of_run(recorded: dict | None, counted_otherwise: int | None = None) -> int | None:
    """How many ratings made a run's examples: the run's own count (``recorded``: its ``rating_counts``), else
    ``counted_otherwise`` (a run from before runs recorded it: the count its caller read as the run began)."""
    return rating_count(recorded) if recorded else counted_otherwise


def rating_count(counts: dict) -> int:
    """The ratings as the person counts them (``readiness``'s ``ratings``: a thumbs-down and a better answer for
    one answer are one, a liked and a disliked answer to one question two, not three with their pair); the
    examples' total where it is not given."""
    return int(counts.get("ratings", 0) or 0) if "ratings" in counts else int(counts.get("total", 0) or 0)
