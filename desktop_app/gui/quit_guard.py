"""Closing the window while a fine-tune runs: ask first, then stop the run cleanly."""

from __future__ import annotations

from desktop_app.core.duration_words import duration_words
from desktop_app.core.taught_words import and_list
from desktop_app.gui.question_box import ask
from desktop_app.gui.text_undo import UNDO_KEYS

QUESTION = "A fine-tune is running: stop it and quit?"
BOTH = "A fine-tune is running and {writing}: stop both and quit?"
KEPT = "The model you chat with stays as it is; the ratings are kept."
PARTIAL_KEPT = ("The {what} written so far is kept, marked interrupted, and can be continued. " + KEPT)


def quit_question(writing: str | None, deleted: list[str] | tuple[str, ...] = (), progress=None,
                  deleted_texts: list[str] | tuple[str, ...] = ()) -> tuple[str, str]:
    """The question and its informative text; ``writing``: "answer" or "continuation" when one is
    being written too (usertest 7: the dialog named only the fine-tune); ``deleted``: the adapters
    the status bar's "Undo delete" could still bring back, which closing deletes for good
    (usertest 13: the question did not say so); ``progress``: the run's last report, to say what
    stopping throws away (usertest26: "Stop and quit" did not say 3 of 22 steps and 10 minutes went);
    ``deleted_texts``: the texts, by title in quotes, Ctrl+Z could still bring back, likewise."""
    if writing is None:
        question, informative = QUESTION, KEPT
    else:
        question = BOTH.format(writing=f"an {writing} is being written" if writing == "answer"
                               else f"a {writing} is being written")
        informative = PARTIAL_KEPT.format(what=writing)
    return question, run_so_far(progress) + informative + undo_words(deleted, deleted_texts)


def run_so_far(progress) -> str:
    """"It has done 3 of 22 training steps in 4 min 05 s; stopping throws that work away. " ("" before a report)."""
    if progress is None:
        return ""
    took = f" in {duration_words(progress.elapsed_s)}" if progress.elapsed_s >= 1 else ""
    if progress.phase == "training" and progress.total and progress.step:
        done = f"It has done {progress.step} of {progress.total} training steps{took}"
    elif took:
        done = f"It has run for {duration_words(progress.elapsed_s)}"
    else:
        return ""
    return f"{done}; stopping throws that work away. "


def undo_words(adapters: list[str] | tuple[str, ...], texts: list[str] | tuple[str, ...] = ()) -> str:
    """The sentence after the question: " Closing deletes adapter 2 for good: Undo delete cannot
    bring it back.", naming the undo that brings back each kind now (textdocs62 named the adapters'
    "Undo delete" button for a deleted text, which only Ctrl+Z brings back)."""
    if not adapters and not texts:
        return ""
    them = "it" if len(adapters) + len(texts) == 1 else "them"
    named = [f"the text{'s' if len(texts) > 1 else ''} {and_list(texts)}"] if texts else []
    said = and_list(list(adapters) + named)
    if adapters and texts:
        return f" Closing deletes {said} for good: neither Undo delete nor {UNDO_KEYS} can bring {them} back."
    how = "Undo delete" if adapters else UNDO_KEYS
    return f" Closing deletes {said} for good: {how} cannot bring {them} back."


def confirm_quit_during_finetune(parent, finetune, writing: str | None = None,
                                 deleted: list[str] | tuple[str, ...] = (),
                                 deleted_texts: list[str] | tuple[str, ...] = ()) -> bool:
    """True when the window may close. A running fine-tune is cancelled (the adapter in use
    stays as it was; its run row says the app was closed) only after the person says so; "No"
    keeps the window and the run."""
    if not finetune.running:
        return True
    question, informative = quit_question(writing, deleted, finetune.progress_now(), deleted_texts)
    if not ask(parent, "QuitDuringFineTune", "Quit", question, informative, "Stop and quit", "Keep running"):
        return False
    finetune.cancel(quitting=True)
    return True
