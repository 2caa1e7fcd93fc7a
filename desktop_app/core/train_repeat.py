"""A run that would train on exactly the examples of the discarded run before it, found before it starts and
without a model (usertest57): the held-out split is drawn with a fixed seed and a run from an adapter keeps its
run's held-out questions, so a better answer written for a question kept aside is kept aside again, and the run
trains on the very examples the discarded one did (the same loss curve, 8 minutes, discarded again).

The split itself is never changed to avoid this: a split chosen because its run passes would make the gate's
verdict less honest. The person is told, and may run it anyway.

A run records ``trained_ratings_key`` in its metrics: a fingerprint of every rating outside the questions it kept
aside (``trained_key``). A new run repeats its examples when that run was discarded, the new one starts from the
same adapter with the settings that shape its examples, every rating given since lies on a question it kept aside
and the fingerprint of the rest is unchanged (so nothing it trained on was added, changed or taken away).
"""

from __future__ import annotations

import hashlib
import json

from desktop_app.core.train_counts import rated_after_run
from desktop_app.core.train_settings import FineTuneSettings

# each rating and better text with its rated exchange (train_data.rating_group: the question's id; a Text
# continuation's: minus its document's id, text_training), the unit the held-out split keeps whole
_RATED = (
    "SELECT 'rating', COALESCE(m.parent_id, m.id), r.message_id, IFNULL(r.token_index, -1), r.value, '' "
    "FROM ratings r JOIN messages m ON m.id = r.message_id",
    "SELECT 'better', COALESCE(m.parent_id, m.id), c.message_id, -1, 0, c.text "
    "FROM corrections c JOIN messages m ON m.id = c.message_id",
    "SELECT 'text rating', -b.document_id, t.branch_id, IFNULL(t.token_index, -1), t.value, '' "
    "FROM text_ratings t JOIN text_branches b ON b.id = t.branch_id",
    "SELECT 'better text', -b.document_id, b.id, -1, 0, b.correction FROM text_branches b "
    "WHERE b.correction IS NOT NULL")

# the settings that decide which examples a run builds and how it splits them (a new learning rate trains the same
# examples otherwise: that run is no repeat, yet its examples are the same, so it is not told apart here)
EXAMPLE_SETTINGS = ("heldout_fraction", "heldout_max", "seed", "end_with_eos", "paired_thumbs_kto", "alone_views",
                    "history_exchanges")


def _rated_rows(store) -> list[tuple]:
    return sorted(tuple(row) for row in store._rows(" UNION ALL ".join(_RATED)))


def trained_key(store, held_groups, rows: list[tuple] | None = None) -> str:
    """A fingerprint of the ratings outside the rated exchanges ``held_groups``: what a run with that split trains
    on, as stored (the examples are built from these rows alone, given the settings and the model). ``rows``: the
    rated rows where already read."""
    held = set(held_groups)
    digest = hashlib.sha256()
    for row in _rated_rows(store) if rows is None else rows:
        if row[1] not in held:
            digest.update(json.dumps(row).encode())
    return digest.hexdigest()


def same_examples_as(store, model_id: str | None, settings: FineTuneSettings | None = None) -> int | None:
    """The discarded run whose examples a new run of ``model_id`` would train on again, with only new ratings on
    the questions it kept aside; None otherwise (or when unsure: a false "the same" would keep a person from a
    run that learns something). ``settings``: the new run's, where known (else the discarded run's are assumed)."""
    if model_id is None:
        return None
    row = store._one("SELECT id, status FROM finetune_runs WHERE base_model = ? "
                     "AND status IN ('kept', 'discarded') ORDER BY id DESC LIMIT 1", (model_id,))
    if row is None or row["status"] != "discarded":
        return None
    run = store.get_run(row["id"])
    metrics, recorded = run.get("metrics") or {}, run.get("settings") or {}
    key, held = metrics.get("trained_ratings_key"), set(metrics.get("heldout_groups") or ())
    active = store.active_adapter(model_id)
    if key is None or not held or (active["id"] if active else None) != metrics.get("started_from_adapter"):
        return None
    if settings is not None and examples_settings_differ(recorded, settings):
        return None
    answers, branches = rated_after_run(store, row["id"])
    if not answers and not branches:  # nothing new: train_counts.nothing_new_since says so
        return None
    rows = _rated_rows(store)
    if not held <= {r[1] for r in rows} or not _cut_unchanged(metrics, recorded, len(answers) + len(branches)):
        return None  # a question kept aside lost its ratings, or more held out could move the split's cut
    return row["id"] if trained_key(store, held, rows) == key else None


def examples_settings_differ(recorded: dict | None, settings: FineTuneSettings) -> bool:
    """``settings`` build or split the examples otherwise than a run's ``recorded`` ones."""
    before, now = FineTuneSettings.from_dict(recorded).to_dict(), settings.to_dict()
    return any(before.get(name) != now.get(name) for name in EXAMPLE_SETTINGS)


def _cut_unchanged(metrics: dict, recorded: dict, new: int) -> bool:
    """The held-out questions stop once they hold ``heldout_max`` examples (TrainingData.split): new ratings there
    could stop the draw a question earlier, which would then train. Sure it cannot when even twice the new
    ratings (a thumb may also make a pair) keep the held-out examples under the cap."""
    cap = FineTuneSettings.from_dict(recorded).heldout_max
    return cap is None or int(metrics.get("heldout_size") or 0) + 2 * new < cap


def same_examples_words(run_id: int) -> str:
    """What the Fine-tune tab and ``gpt2-desk finetune`` say before such a run (the person may run it anyway)."""
    return (f"Your new ratings are all on questions kept aside to test the run, so it would train on the same "
            f"examples as run {run_id}, which was discarded: rate answers to new questions first")
