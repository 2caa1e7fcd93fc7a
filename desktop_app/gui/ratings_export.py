"""The export menu's "Ratings as training data (JSON Lines)…": the chat's ratings as a TRL dataset file, the
rows ``gpt2-desk export --format kto|dpo|sft --out FILE`` writes, built and written by the same core functions
(core.exchange), on the store lane as the conversation exports are. A person had looked for their ratings in the
window's export menu and found only conversations (usertest50)."""

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

@dataclass(frozen=True)
class RatingsWritten:
    """What one export did: ``examples`` rows written to ``path`` (0: nothing written), the ratings the
    format left out, and how many Text-mode examples stayed out (the CLI writes those with --text)."""

    fmt: str
    path: str
    examples: int
    left_out: list[LeftOut] = field(default_factory=list)
    text_examples: int = 0

    def words(self) -> str:
        text_note = (f" ({counted(self.text_examples, 'Text-mode example')} not included: "
                     f"`gpt2-desk export --format {self.fmt} --text` writes them)") if self.text_examples else ""
        if not self.examples:
            return f"Nothing to export yet: no chat ratings make {self.fmt.upper()} examples; {what_makes(self.fmt)}. " \
                   f"Nothing was written{text_note}"
        dropped = "".join(f"; left out {item.words()}" for item in self.left_out)
        return f"Wrote {counted(self.examples, f'{self.fmt.upper()} example')} to {self.path}{dropped}{text_note}"


def ask_format(window) -> str | None:
    """The format the person picks (kto, dpo or sft), None when cancelled."""
    choice, ok = QInputDialog.getItem(window, "Export ratings as training data",
                                      "Which examples (TRL's formats, as `gpt2-desk export --format` writes them):",
                                      list(FORMAT_CHOICES), 0, False)
    return FORMAT_CHOICES.get(choice) if ok else None


def export_ratings(window, fmt: str | None = None, path: str | None = None) -> Task | None:
    """Write the chat's ratings as ``fmt`` examples to ``path`` (asks for each not given) on the store lane;
    the status bar says how many and where, or why there was nothing. Returns the task, or None if cancelled."""
    fmt = fmt or ask_format(window)
    if fmt is None:
        return None
    if path is None:
        path = save_folder.ask_save_path(window, "Export ratings as training data", f"ratings-{fmt}.jsonl",
                                         "JSON Lines (*.jsonl)")
        if not path:
            return None
    store, tokenizer_for = window.chat.store, writers_tokenizer(window)

    def work(_report, _cancel) -> RatingsWritten:
        examples = build_examples(store, fmt, tokenizer_for=tokenizer_for)
        text_examples = len(standard_examples(store, fmt))
        if not examples:  # an empty file read as an export that worked (usertest 12): none is written
            return RatingsWritten(fmt, path, 0, text_examples=text_examples)
        try:
            written = write_jsonl_file(examples, path)
        except OSError as exc:
            raise UserFacingError(f"The export failed: {exc.strerror or exc} ({path}).") from None
        return RatingsWritten(fmt, path, written, left_out(store, fmt), text_examples)

    window.statusBar().showMessage(f"Exporting the ratings to {Path(path).name}\u2026")
    return window.tasks.store.submit(Task(work, "export ratings", RATINGS_TASK,
                                          on_success=lambda done: _said(window, done),
                                          on_failure=lambda error: _failed(window, error)))


def _said(window, done: RatingsWritten) -> None:
    window.statusBar().showMessage(done.words(), 12000)  # long enough to read a path and what was left out


def _failed(window, error) -> None:
    window.statusBar().clearMessage()
    window.show_error(str(error))
