"""usertest30: "Copy figures" showed nothing when clicked, so whether anything was copied was learnt only by
pasting, and the pasted JSON's "index" (from 0) did not match the inspector's "Token 13 of 14" (from 1). The
status bar now says what was copied, naming both numbers. pytest-qt, the real inspector in a real window."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")


def copy_figures_of_token(qtbot, index: int) -> tuple[dict, str]:
    """An inspector in a window shows a token at ``index`` (counted from 0) and Copy figures is clicked:
    (the JSON copied, what the status bar says)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMainWindow

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.inspector import InspectorPanel

    record = TokenRecord(id=4649, text=" France", logprob=-0.18, rank=1, entropy=0.88,
                         top=(Alternative(4649, " France", 0.83), Alternative(260, " the", 0.11)))
    window = QMainWindow()
    qtbot.addWidget(window)
    inspector = InspectorPanel()
    window.setCentralWidget(inspector)
    inspector.show_token(None, index, record, can_branch=False)
    QApplication.clipboard().clear()
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    return json.loads(QApplication.clipboard().text()), window.statusBar().currentMessage()


def test_copy_figures_says_in_the_status_bar_which_token_was_copied(qtbot):
    copied, said = copy_figures_of_token(qtbot, 12)
    assert said.startswith("Copied the figures of token 13, \u201c\u2423France\u201d, as JSON"), said
    assert f"\"index\" {copied['index']} counts from 0" in said
