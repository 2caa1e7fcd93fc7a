"""A model load's stage in shorter words, free of Qt: the status bar's stage label shows the longest that
fits beside its progress bar (usertest32: at 680-800 px a first conversion's stage read "Converting…", one
word, cut after a whole word from a line too long for the room: "Converting SmolLM2-135M-Instruct.Q4_1.gguf
for this computer (only the first time, a few minutes) · reading the file")."""

from __future__ import annotations

import re

from desktop_app.core.word_cut import ELLIPSIS

# core.gguf_conversion.conversion_stage's one-time hint, and its short form
FIRST_TIME = " for this computer (only the first time, a few minutes)"
FIRST_TIME_SHORT = " (first time only)"
# a stage that names the model after its verb: the name stands until a note, a part or the end
NAMED = re.compile(r"^(Converting|Loading|Downloading|Starting PyTorch to run) (.+?)(?= \(| \u00b7 |$)")
PART = " \u00b7 "


def stage_forms(stage: str) -> list[str]:
    """``stage`` ("...…" or not) from its whole words to its shortest readable form, each ending in "…":
    "Converting SmolLM2-135M-Instruct.Q4_1.gguf for this computer (only the first time, a few minutes) ·
    reading the file…", "Converting the model (first time only) · reading the file…", "Converting the model
    (first time only)…", "Converting (first time only)…". A stage with none of these parts has one form."""
    whole = stage.removesuffix(ELLIPSIS)
    short = NAMED.sub(r"\1 the model", whole.replace(FIRST_TIME, FIRST_TIME_SHORT))
    head = short.split(PART, 1)[0]
    least = head.replace(" the model" + FIRST_TIME_SHORT, FIRST_TIME_SHORT).replace(" to run the model", "")
    forms = [whole, short, head, least]
    return [form + ELLIPSIS for form in dict.fromkeys(forms)]
