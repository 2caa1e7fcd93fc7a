"""Closing the window while a fine-tune runs: ask first, then stop the run cleanly."""

from __future__ import annotations

from desktop_app.gui.question_box import ask

QUESTION = "A fine-tune is running: stop it and quit?"
BOTH = "A fine-tune is running and {writing}: stop both and quit?"
KEPT = "The model you chat with stays as it is; the ratings are kept."
PARTIAL_KEPT = ("The {what} written so far is kept, marked interrupted, and can be continued. " + KEPT)


def quit_question(writing: str | None) -> tuple[str, str]:
    """The question and its informative text; ``writing``: "answer" or "continuation" when one is
    being written too (usertest 7: the dialog named only the fine-tune)."""
    if writing is None:
        return QUESTION, KEPT
    return (BOTH.format(writing=f"an {writing} is being written" if writing == "answer"
                        else f"a {writing} is being written"), PARTIAL_KEPT.format(what=writing))


def confirm_quit_during_finetune(parent, finetune, writing: str | None = None) -> bool:
    """True when the window may close. A running fine-tune is cancelled (the adapter in use
    stays as it was) only after the person says so; "No" keeps the window and the run."""
    if not finetune.running:
        return True
    question, informative = quit_question(writing)
    if not ask(parent, "QuitDuringFineTune", "Quit", question, informative, "Stop and quit", "Keep running"):
        return False
    finetune.cancel()
    return True
