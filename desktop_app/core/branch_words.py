"""The Text tab's outline rows in words (no Qt): what tells a branch from its siblings, and what its
percentage is.

A new user (text58) saw Regenerate's rows read alike: siblings that begin with the same words showed
the same first words in the narrow column, a second regeneration with the same seed the very same
text, and a percentage no row explained. A row now shows where it parts from its siblings ("…" and
the words from there), one with the same words as a sibling its place among them ("2 of 3 alike"),
and its tooltip says when it was made, the words it follows and what the percentage is.
"""

from __future__ import annotations

import os

from desktop_app.core import percent_words
from desktop_app.core.local_time import local_stamp
from desktop_app.core.taught_words import clip_at_word
from desktop_app.core.text_branches import interrupted

FIRST_WORDS = 48  # characters of a row's words (text_branches.FIRST_WORDS)
ALIKE = 16  # characters two siblings share before a row shows where they part, not how they begin
BEFORE_CHARS = 40  # of the text a branch follows, in its tooltip

PERCENT_TIP = ("Mean probability (how likely the model found its own words): its average chance for the tokens it "
               "wrote in this continuation (higher: it was surer of its words; not a measure of quality)")
PERCENT_HEADER = "how likely"  # a writer's words (walk70: "mean p" read as a statistician's); the tooltip is exact
# a continuation the app was closed in the middle of (killed, the power gone): kept as far as the model had written it
INTERRUPTED_TIP = ("Interrupted: the app closed while the model wrote this continuation; it is kept as far as it "
                   "came (Continue goes on from its end).")
# the main text's cell stood blank with no tooltip beside its continuations' "32%" (usertest36)
MAIN_PERCENT_TIP = ("The main text has no mean probability: the column is for the continuations the model wrote. "
                    "The figures for the whole text are in the summary under it.")


def percent(branch: dict) -> str:
    """The row's figure ("12%"; under 1% with two significant digits, "0.41%": a small model's rows had
    all read "0%"), "" for a branch the model did not write."""
    prob = branch.get("mean_prob")
    if prob is None:
        return ""
    return f"{prob * 100:.0f}%" if prob * 100 >= 1 else percent_words.percent(prob)


def sibling_labels(siblings: list[dict], befores: dict[int, str] | None = None) -> dict[int, str]:
    """Branch id -> its row's words: its name; else its first words, or, where a sibling begins with the
    same ALIKE characters or more, "…" and its words from where they part; the same words as a sibling's:
    its place among those alike (oldest first) before its first words (its tooltip says when it was made).
    ``befores``: branch id -> the text before it, so a branch that starts inside a word is named from the
    word's start, as a writer reads it ("cave and fell…", not "ave and fell…": text67)."""
    befores = befores or {}
    read = [{**b, "text": word_lead(befores.get(b["id"], ""), b["text"]) + b["text"]} for b in siblings]
    return {b["id"]: _label(b, read) for b in read}


def word_lead(before: str, text: str) -> str:
    """The start of the word ``text`` goes on ("c" of "c" + "ave"), "" where ``text`` begins a word."""
    if not (before and text and before[-1].isalnum() and text[0].isalnum()):
        return ""
    return before[max(_word_start(before, len(before)), len(before) - FIRST_WORDS):]


def _label(branch: dict, siblings: list[dict]) -> str:
    text = branch["text"]
    if branch.get("title"):
        return branch["title"]
    same = [o for o in siblings if o["text"] == text and not o.get("title")]
    if text and len(same) > 1:  # Regenerate with a fixed seed: the words cannot tell them apart
        order = sorted(o["id"] for o in same).index(branch["id"]) + 1  # first: the narrow column cuts the end
        return f"{order} of {len(same)} alike \u00b7 {clip_at_word(text, FIRST_WORDS)}"
    shared = max((len(os.path.commonprefix([text, o["text"]])) for o in siblings if o is not branch), default=0)
    if shared < ALIKE:
        return clip_at_word(text, FIRST_WORDS) or "(empty)"
    parts_at = _word_start(text, shared)
    return "\u2026" + clip_at_word(text[parts_at:], FIRST_WORDS).lstrip()


def _word_start(text: str, at: int) -> int:
    """Where the word holding character ``at`` begins (after the blank before it)."""
    blank = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at))
    return blank + 1


def row_tip(branch: dict, before: str) -> str:
    """What the row's tooltip adds under the branch's text: when it was made, the words it follows
    (``before``: the text before it), and, for the model's, what its percentage is."""
    made = local_stamp(branch.get("created"))
    lead = " ".join(before[-BEFORE_CHARS:].split())
    after = f"after \u201c\u2026{lead}\u201d" if lead else "at the start of the text"
    lines = [f"Made {made}, {after}." if made else f"Written {after}."]
    if interrupted(branch):  # usertest55: a kill -9 mid-continuation kept it, unmarked
        lines.append(INTERRUPTED_TIP)
    if branch.get("mean_prob") is not None:
        lines.append(f"{percent(branch)}: {PERCENT_TIP[0].lower()}{PERCENT_TIP[1:]}")
    return "\n".join(lines)
