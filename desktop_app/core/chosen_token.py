"""Which token of a branch the person chose ("Continue with “…”" on an alternative), so a view can mark it and
say so: a teacher (usertest71) could not find, in the branch they had made, the word they had picked for the
class. A chat answer keeps it as its settings' ``branched_at`` (the index of the chosen token in its records); a
Text branch as its sampling's ``branched_at`` 0 (its first token), found in the whole text by where the branch
starts."""

from __future__ import annotations

from desktop_app.core.guess_words import ordinal
from desktop_app.core.records import TokenRecord
from desktop_app.core.text_branches import segments
from desktop_app.core.token_words import token_percent

ORDINALS = {1: "first", 2: "second", 3: "third"}


def chosen_words(record: TokenRecord | None) -> str:
    """The line a chosen token's tooltip adds: "You chose this token (the model's 4th guess, 5.12%)."; the
    figures left out where ``record`` is not the token chosen (the text was tokenized otherwise since)."""
    if record is None:
        return "You chose this token here, in place of the model's pick."
    guess = ORDINALS.get(record.rank) or ordinal(record.rank)  # "21st", where a bare "th" said "21th"
    return f"You chose this token (the model's {guess} guess, {token_percent(record)})."


def answer_chosen(settings: dict | None, records: list[TokenRecord]) -> dict[int, str]:
    """A chat answer's chosen token: {its index: its words}; {} for an answer the model wrote whole."""
    at = (settings or {}).get("branched_at")
    if at is None or not 0 <= int(at) < len(records):
        return {}
    return {int(at): chosen_words(records[int(at)])}


def text_choices(main_text: str, by_id: dict, branch_id: int | None) -> list[tuple[int, int]]:
    """(character offset in the path's text, token id) of each token a person chose that still starts a branch
    on the path: a continuation whose sampling says its first token was chosen, its text still beginning so."""
    choices = []
    for owner, start, end in segments(main_text, by_id, branch_id):
        branch = by_id.get(owner) if owner is not None else None
        if branch is None or (branch.get("sampling") or {}).get("branched_at") != 0 or not branch.get("tokens"):
            continue
        token_id, text = branch["tokens"][0][0], branch["tokens"][0][1]
        if text and branch["text"][:end - start].startswith(text):
            choices.append((start, int(token_id)))
    return choices


def text_chosen(prefix: str, records: list[TokenRecord], choices: list[tuple[int, int]]) -> dict[int, str]:
    """The heatmap's chosen tokens, {record index: words}: the record starting at each choice's offset (after
    ``prefix``, the text nothing predicts), with its figures where it is the token chosen."""
    wanted, found, at = dict(choices), {}, len(prefix)
    for index, record in enumerate(records):
        if at in wanted:
            found[index] = chosen_words(record if record.id == wanted[at] else None)
        at += len(record.text)
    return found
