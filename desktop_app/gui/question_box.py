"""A yes/no question before minutes of work are started or thrown away: its buttons say what
they do, and "no" is both Enter's and Esc's answer."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def ask(parent, name: str, title: str, question: str, detail: str, yes: str, no: str) -> bool:
    """True when the person chose ``yes``; ``name`` is the box's object name (tests find it by it)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName(name)
    box.setInformativeText(detail)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.No).setText(no)
    box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter must not start or end minutes of work
    box.setEscapeButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
