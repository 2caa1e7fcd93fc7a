"""Closing the window while a fine-tune runs: ask first, then stop the run cleanly."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

QUESTION = "A fine-tune is running: stop it and quit?"


def confirm_quit_during_finetune(parent, finetune) -> bool:
    """True when the window may close. A running fine-tune is cancelled (the adapter in use
    stays as it was) only after the person says so; "No" keeps the window and the run."""
    if not finetune.running:
        return True
    box = QMessageBox(QMessageBox.Icon.Question, "Quit", QUESTION,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("QuitDuringFineTune")
    box.setInformativeText("The model you chat with stays as it is; the ratings are kept.")
    box.button(QMessageBox.StandardButton.Yes).setText("Stop and quit")
    box.button(QMessageBox.StandardButton.No).setText("Keep running")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    if box.exec() != QMessageBox.StandardButton.Yes:
        return False
    finetune.cancel()
    return True
