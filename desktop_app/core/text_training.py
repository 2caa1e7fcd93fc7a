"""Ratings of text-mode continuations -> training examples, as plain text (no chat template).

A continuation's prompt is the text before it (``text_branches.prefix_text``) and its
completion is the continuation, both plain text: the prompt's ids are the text tokenized
as is (``prompts.encode``; an empty text starts from the start-of-text token, as
continuing does) and the completion's ids are the tokens the model wrote while the text
is unchanged, else the text tokenized. The examples are the chat's kinds, so the fine-tune
treats them alike:

- thumbs up/down on a continuation -> ``Unpaired``;
- a better continuation the person wrote -> ``Pair`` (chosen: theirs, rejected: the model's);
  a liked and a disliked sibling (same parent, same start) -> ``Pair`` too;
- token ratings -> ``TokenRated``.

No end-of-text token is appended: a continuation is not where a text ends. Examples carry
``message_id = -branch_id`` (negative: a text branch, not a chat message) and
``group``: the place they continue (``place_groups``: siblings at one place stay on one side of a
held-out split, another place of the same text may be held out). The text before a continuation is
cut to its last ``TEXT_CONTEXT_TOKENS`` tokens (see there).
``standard_examples`` gives the same ratings in TRL's standard (non-conversational) format.
"""

from __future__ import annotations

from collections import defaultdict

from desktop_app.core import text_branches as tb
from desktop_app.core.word_cut import tail_at_word

QUESTION_CHARS = 200  # the end of the text before: what the gate's echo check compares with
# what the model wrote; a branch whose text before was edited away ("edited") no longer
# continues what its ratings judged, and a former main text was never a continuation
RATED_KINDS = "b.kind IN ('continuation', 'alternative')"
# The text before a rated continuation that its examples keep. Every example carried the whole
# document before it (a user test: two paragraphs pasted, ~6 ratings, a 15-minute run), and every
# phase of a run reads every prompt (the reference pass, each update, the gate's margins and
# re-asks before and after), so a longer text made every run slower while what was rated is the
# continuation, judged where it stands: the sentences just before it. Measured (bench/writer_ratings.py: 2
# paragraphs, 212 tokens, 8 ratings, the bundled model, one shared core; all kept): the whole text 200 CPU-s
# (141 training, 10.1 an update), the writer's unseen paragraph's words over the model's own +0.025 nats/token,
# its NLL +0.006; 128 tokens 111-128 CPU-s (72-84, 6.0-7.0 an update), +0.049, -0.024; 64 tokens 79 CPU-s,
# +0.036, -0.036. A longer text only widens the gap: every example then costs what its window holds.
TEXT_CONTEXT_TOKENS = 128


class _Rated:
    """Every rated branch with its document's tree, read once."""

    def __init__(self, store):
        rows = store._rows(
            f"SELECT b.id, b.document_id FROM text_branches b WHERE {RATED_KINDS} AND (b.correction IS NOT NULL "
            "OR b.id IN (SELECT branch_id FROM text_ratings)) ORDER BY b.id")
        self.trees: dict[int, tuple[str, dict]] = {}
        self.rated: list[dict] = []
        for row in rows:
            doc = row["document_id"]
            if doc not in self.trees:
                main = store._one("SELECT text FROM documents WHERE id = ?", (doc,))[0]
                self.trees[doc] = (main, {b["id"]: b for b in tb.branches(store, doc)})
            self.rated.append(self.trees[doc][1][row["id"]])
        self.ratings: dict[int, dict] = defaultdict(lambda: {"thumbs": None, "tokens": []})
        for r in store._rows("SELECT r.branch_id, r.token_index, r.value FROM text_ratings r "
                             f"JOIN text_branches b ON b.id = r.branch_id WHERE {RATED_KINDS} "
                             "ORDER BY r.created, r.rowid"):
            if r["token_index"] is None:
                self.ratings[r["branch_id"]]["thumbs"] = r["value"]
            else:  # (index, value), oldest first: add_text_examples moves them to where their character began
                self.ratings[r["branch_id"]]["tokens"].append((r["token_index"], r["value"]))

    def prompt(self, branch: dict) -> str:
        main, by_id = self.trees[branch["document_id"]]
        return tb.prefix_text(main, by_id, branch)

    def sibling_pairs(self):
        """(liked, disliked) continuations of the same text at the same place."""
        groups: dict[tuple, dict[int, list[dict]]] = defaultdict(lambda: {1: [], -1: []})
        for b in self.rated:
            value = self.ratings[b["id"]]["thumbs"]
            if value is not None:
                groups[(b["document_id"], b["parent_id"], b["start"])][value].append(b)
        for by_value in groups.values():
            for good in by_value[1]:
                for bad in by_value[-1]:
                    if good["text"] != bad["text"]:
                        yield good, bad


def rated_branches(store) -> _Rated:
    """Every rated continuation, its ratings and the text before it, read once (``_Rated``; rating_conflicts reads
    them as the run does)."""
    return _Rated(store)


def plain_ids(tokenizer, text: str) -> list[int]:
    """A prompt as plain text: tokenized as is, no template, after the start token plain
    text is read after (``prompts.plain_text_start``; the end-of-text token for an empty
    text when there is none; [] when there is neither)."""
    from desktop_app.core.prompts import encode, plain_text_start

    start = plain_text_start(tokenizer)
    if not start and not text:
        eos = getattr(tokenizer, "eos_token_id", None)
        start = [int(eos)] if eos is not None else []
    return start + (encode(tokenizer, text) if text else [])


def completion_ids(tokenizer, branch: dict) -> list[int]:
    """The ids the model wrote (while the text is unchanged), else the text tokenized."""
    from desktop_app.core.prompts import encode

    if branch["tokens"] and tb.still_written(branch):
        return [int(t[0]) for t in branch["tokens"]]
    return encode(tokenizer, branch["text"])


def fit_text(prompt: list[int], completion: list[int], window: int) -> tuple[list[int], list[int]]:
    """Keep the end of the text before (what the model saw last) and as much of the
    continuation as fits; a long text before never leaves the continuation less than half."""
    keep = completion[:max(window - len(prompt), window // 2)][:window - 1]
    return prompt[-(window - len(keep)):], keep


def add_text_examples(data, store, tokenizer, window: int) -> None:
    """Append the text-mode ratings to ``data`` (a train_data.TrainingData)."""
    from desktop_app.core.prompts import encode
    from desktop_app.core.train_data import Pair, Unpaired

    rated = _Rated(store)
    groups = place_groups(rated.rated)
    ids: dict[int, tuple[list[int], list[int]]] = {}

    def example(branch):
        if branch["id"] not in ids:
            ids[branch["id"]] = fit_text(plain_ids(tokenizer, rated.prompt(branch))[-TEXT_CONTEXT_TOKENS:],
                                         completion_ids(tokenizer, branch), window)
        return ids[branch["id"]]

    for b in rated.rated:
        p, c = example(b)
        if not p:  # no start-of-text token and no text before: nothing predicts the first token
            data.skipped.append(f"text branch {b['id']}: no text before it")
            continue
        group, thumbs = groups[b["id"]], rated.ratings[b["id"]]["thumbs"]
        if thumbs is not None and c:
            data.unpaired.append(Unpaired(p, c, thumbs == 1, -b["id"], group))
        if b["correction"]:
            better = encode(tokenizer, b["correction"])[:window - len(p)]
            if better and c and better != c:
                data.pairs.append(Pair(p, better, c, "correction", -b["id"], None, group))
        _add_token_example(data, tokenizer, b, rated.ratings[b["id"]]["tokens"], p, c, window, group)
    for good, bad in rated.sibling_pairs():
        p, chosen = example(good)
        p2, rejected = example(bad)
        if p and p == p2 and chosen and rejected:
            data.pairs.append(Pair(p, chosen, rejected, "siblings", -bad["id"], -good["id"], groups[good["id"]]))


def place_groups(branches: list[dict]) -> dict[int, int]:
    """Branch id -> its held-out group: the place it continues (document, branch before it, offset), named
    by minus the smallest branch id there, so siblings (and their pairs) stay together and never meet a
    chat group (a question's message id, positive). It was the document: all of a text's ratings went to
    one side of a split, and a draw that held that side out trained on none of them (the gate then read the
    writer's ratings fall: a user test's run discarded, 0.316 -> 0.197)."""
    first: dict[tuple, int] = {}
    for b in sorted(branches, key=lambda b: b["id"]):
        first.setdefault((b["document_id"], b["parent_id"], b["start"]), b["id"])
    return {b["id"]: -first[(b["document_id"], b["parent_id"], b["start"])] for b in branches}


def _add_token_example(data, tokenizer, branch: dict, rated: list[tuple[int, int]], prompt: list[int],
                       completion: list[int], window: int, group: int) -> None:
    """A continuation's token ratings as one example. Of one edited since, those on the tokens before the edit
    (text_branches.intact_tokens) train on the ids the model wrote, which are what it read before each: a rating
    past the edit judges a token that is no longer in the text, and is skipped."""
    from desktop_app.core.train_data import TokenRated, on_chosen_tokens

    if not rated:
        return
    kept = tb.intact_tokens(branch)
    written = [int(t[0]) for t in branch["tokens"][:kept]]  # the ids the model wrote, up to any edit
    if not tb.still_written(branch):  # the model's ids up to the edit; the person's words after it are not read
        completion = written[:max(window - len(prompt), 1)]
    tokens = on_chosen_tokens(tokenizer, written, rated)
    tokens = {i: v for i, v in tokens.items() if i < min(len(completion), kept)}
    if tokens:
        data.tokens.append(TokenRated(prompt, completion, tokens, -branch["id"], group))
    if any(i >= kept for i, _v in rated):
        data.skipped.append(f"text branch {branch['id']}: its text was edited after some of its tokens were rated")


def readiness(store, tokenizer=None) -> dict:
    """Counts of usable text-mode ratings (the keys train_counts.readiness adds them to), a thumb on a
    continuation with a better one written for it counted as the chat's are (``disliked_and_corrected``:
    a dislike named with its better one, each a rating; ``liked_and_corrected``: two that pull apart,
    which the Fine-tune tab names, usertest 17); token ratings as training keeps them
    (``rated_characters``)."""
    rated = f"FROM text_ratings r JOIN text_branches b ON b.id = r.branch_id WHERE {RATED_KINDS} AND"
    row = store._one(
        f"SELECT (SELECT COUNT(*) {rated} r.token_index IS NULL AND r.value = 1), "
        f"(SELECT COUNT(*) {rated} r.token_index IS NULL AND r.value = -1), "
        f"(SELECT COUNT(*) {rated} r.token_index IS NOT NULL), "
        f"(SELECT COUNT(*) FROM text_branches b WHERE {RATED_KINDS} AND b.correction IS NOT NULL), "
        f"(SELECT COUNT(*) {rated} r.token_index IS NULL AND r.value = -1 AND b.correction IS NOT NULL), "
        f"(SELECT COUNT(*) {rated} r.token_index IS NULL AND r.value = 1 AND b.correction IS NOT NULL)")
    siblings = sum(1 for _ in _Rated(store).sibling_pairs()) if any(row) else 0
    pairs = row[3] + siblings
    tokens = rated_characters(store, tokenizer) if row[2] else 0
    return {"thumbs_up": row[0], "thumbs_down": row[1], "token_ratings": tokens, "corrections": row[3],
            "pairs": pairs, "sibling_pairs": siblings, "total": row[0] + row[1] + tokens + pairs,
            "disliked_and_corrected": row[4], "liked_and_corrected": row[5],
            "thumbs_on_corrected": row[4] + row[5]}


def rated_characters(store, tokenizer=None, after: str | None = None) -> int:
    """The continuations' token ratings as training keeps them: two on one character (an old
    database's, on two of its tokens) train as one, so they count one (by the tokens' bytes with
    ``tokenizer``: text_branches.branch_layout); a continuation edited since counts its ratings.
    ``after``: only the ratings given after that time (a run's start: what is new since it)."""
    by_branch: dict[int, set[int]] = defaultdict(set)
    since = "" if after is None else " AND r.created > ?"
    for r in store._rows(f"SELECT r.branch_id, r.token_index FROM text_ratings r JOIN text_branches b "
                         f"ON b.id = r.branch_id WHERE {RATED_KINDS} AND r.token_index IS NOT NULL{since}",
                         () if after is None else (after,)):
        by_branch[r["branch_id"]].add(r["token_index"])
    total = 0
    for branch_id, indices in by_branch.items():
        layout = tb.branch_layout(tb.get_branch(store, branch_id), tokenizer) if len(indices) > 1 else None
        total += len(indices) if layout is None else len({layout.trained(i) for i in indices})
    return total


def question_for(store, branch_id: int) -> str:
    """The end of the text before a continuation (for the gate's echo check)."""
    branch = tb.get_branch(store, branch_id)
    rated_tree = {b["id"]: b for b in tb.branches(store, branch["document_id"])}
    main = store._one("SELECT text FROM documents WHERE id = ?", (branch["document_id"],))[0]
    return tail_at_word(tb.prefix_text(main, rated_tree, branch), QUESTION_CHARS)


# ---------------------------------------------------------------- export (TRL's standard format)

def standard_examples(store, fmt: str) -> list[dict]:
    """The text-mode ratings as TRL's standard (non-conversational) format: plain strings.
    kto: prompt, completion, label; dpo: prompt, chosen, rejected; sft: prompt, completion."""
    rated = _Rated(store)
    out = []
    for b in rated.rated:
        prompt, thumbs, better = rated.prompt(b), rated.ratings[b["id"]]["thumbs"], b["correction"]
        if fmt == "kto":
            if thumbs is not None or better:
                out.append({"prompt": prompt, "completion": b["text"], "label": thumbs == 1})
            if better:
                out.append({"prompt": prompt, "completion": better, "label": True})
        elif fmt == "dpo" and better:
            out.append({"prompt": prompt, "chosen": better, "rejected": b["text"]})
        elif fmt == "sft" and (better or thumbs == 1):
            out.append({"prompt": prompt, "completion": better or b["text"]})
    if fmt == "dpo":
        out += [{"prompt": rated.prompt(g), "chosen": g["text"], "rejected": d["text"]}
                for g, d in rated.sibling_pairs()]
    return out
