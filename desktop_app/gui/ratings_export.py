"""The export menu's "Ratings as training data (JSON Lines)…": the chat's ratings as a TRL dataset file, the
rows ``gpt2-desk export --format kto|dpo|sft --out FILE`` writes, built and written by the same core functions
(core.exchange), on the store lane as the conversation exports are. A person had looked for their ratings in the
window's export menu and found only conversations (usertest50). The Text mode's ratings are offered as the CLI's
``--text`` writes them, in TRL's standard format (plain prompt and completion strings), in a file of their own: one
file holds one format (rows92: the window could not export them at all)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QInputDialog

from desktop_app.core.count_words import counted
from desktop_app.core.errors import UserFacingError
from desktop_app.core.exchange import LeftOut, build_examples, left_out, what_makes, write_jsonl_file
from desktop_app.core.text_training import standard_examples
from desktop_app.gui import save_folder
from desktop_app.gui.conversation_actions import writers_tokenizer
from desktop_app.gui.tasks import Task

RATINGS_EXPORT_LABEL = "Ratings as training data (JSON Lines)\u2026"
RATINGS_TASK = "ratings file"  # the store lane's kind of this export's task

# what the dialog offers -> the CLI's --format; the names first, as the CLI and TRL's trainers call them
FORMAT_CHOICES = {
    "KTO: thumbs (every rated answer, liked or not, and each better answer)": "kto",
    "DPO: pairs (a better answer against its answer; a liked against a disliked answer)": "dpo",
    "SFT: better answers (the answers you liked and the better answers you wrote)": "sft",
}
# the Text mode's ratings, as `gpt2-desk export --format F --text` writes them
TEXT_FORMAT_CHOICES = {
    "Text mode, KTO: rated continuations (plain text, no chat turns)": "kto",
    "Text mode, DPO: pairs (a better text against its continuation; a liked against a disliked one)": "dpo",
    "Text mode, SFT: the continuations you liked and the better texts you wrote": "sft",
}
TEXT_EMPTY_WHY = "rate a continuation or its tokens, or write a better text for it, in the Text tab first"

@dataclass(frozen=True)
class RatingsWritten:
    """What one export did: ``examples`` rows written to ``path`` (0: nothing written), the ratings the
    format left out; for the chat's (``text`` False) how many Text-mode examples stayed out, which the dialog's
    "Text mode" choices write."""

    fmt: str
    path: str
    examples: int
    left_out: list[LeftOut] = field(default_factory=list)
    text_examples: int = 0
    text: bool = False

    def words(self) -> str:
        kind = f"{'Text-mode ' if self.text else ''}{self.fmt.upper()} example"
        text_note = (f" ({counted(self.text_examples, 'Text-mode example')} not included: the export's "
                     f"\u201cText mode, {self.fmt.upper()}\u201d choice writes them)") if self.text_examples else ""
        if not self.examples:
            why = (f"no Text-mode ratings make {self.fmt.upper()} examples; {TEXT_EMPTY_WHY}" if self.text else
                   f"no chat ratings make {self.fmt.upper()} examples; {what_makes(self.fmt)}")
            return f"Nothing to export yet: {why}. Nothing was written{text_note}"
        dropped = "".join(f"; left out {item.words()}" for item in self.left_out)
        return f"Wrote {counted(self.examples, kind)} to {self.path}{dropped}{text_note}"


def ask_format(window) -> tuple[str, bool] | None:
    """The format the person picks (kto, dpo or sft) and whether of the Text mode's ratings; None when cancelled."""
    choice, ok = QInputDialog.getItem(window, "Export ratings as training data",
                                      "Which examples (TRL's formats, as `gpt2-desk export --format` writes them; "
                                      "the Text mode's as with --text):",
                                      [*FORMAT_CHOICES, *TEXT_FORMAT_CHOICES], 0, False)
    if not ok:
        return None
    if choice in TEXT_FORMAT_CHOICES:
        return TEXT_FORMAT_CHOICES[choice], True
    return (FORMAT_CHOICES[choice], False) if choice in FORMAT_CHOICES else None


def export_ratings(window, fmt: str | None = None, path: str | None = None, text: bool = False) -> Task | None:
    """Write the chat's ratings (``text``: the Text mode's) as ``fmt`` examples to ``path`` (asks for the format
    and the file where not given) on the store lane; the status bar says how many and where, or why there was
    nothing. Returns the task, or None if cancelled."""
    if fmt is None:
        picked = ask_format(window)
        if picked is None:
            return None
        fmt, text = picked
    if path is None:
        path = save_folder.ask_save_path(window, "Export ratings as training data",
                                         f"ratings-{fmt}{'-text' if text else ''}.jsonl", "JSON Lines (*.jsonl)")
        if not path:
            return None
    store, tokenizer_for = window.chat.store, writers_tokenizer(window)

    def work(_report, _cancel) -> RatingsWritten:
        text_examples = standard_examples(store, fmt)
        # one file holds one format, as the CLI's: TRL cannot mix conversational turns and plain strings
        examples = text_examples if text else build_examples(store, fmt, tokenizer_for=tokenizer_for)
        outside = 0 if text else len(text_examples)
        if not examples:  # an empty file read as an export that worked (usertest 12): none is written
            return RatingsWritten(fmt, path, 0, text_examples=outside, text=text)
        try:
            written = write_jsonl_file(examples, path)
        except OSError as exc:
            raise UserFacingError(f"The export failed: {exc.strerror or exc} ({path}).") from None
        return RatingsWritten(fmt, path, written, [] if text else left_out(store, fmt), outside, text)

    window.statusBar().showMessage(f"Exporting the ratings to {Path(path).name}\u2026")
    return window.tasks.store.submit(Task(work, "export ratings", RATINGS_TASK,
                                          on_success=lambda done: _said(window, done),
                                          on_failure=lambda error: _failed(window, error)))


def _said(window, done: RatingsWritten) -> None:
    window.statusBar().showMessage(done.words(), 12000)  # long enough to read a path and what was left out


def _failed(window, error) -> None:
    window.statusBar().clearMessage()
    window.show_error(str(error))
