"""textwords107: the inspector says "Token 66" while Copy figures' JSON said only "index": 65 (from 0, as scripts
read it). The JSON keeps "index" and adds "token_number", 66, and the status bar says token 66 with both.
pytest-qt, the real inspector in a real window."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")


def test_copied_figures_carry_the_inspectors_token_number(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMainWindow

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.core.text_notes import token_place_words
    from desktop_app.gui.inspector import InspectorPanel

    record = TokenRecord(id=4649, text=" France", logprob=-0.18, rank=1, entropy=0.88,
                         top=(Alternative(4649, " France", 0.83), Alternative(260, " the", 0.11)))
    window = QMainWindow()
    qtbot.addWidget(window)
    inspector = InspectorPanel()
    window.setCentralWidget(inspector)
    inspector.show_token(None, 65, record, can_branch=False)
    assert token_place_words(65, 120, False).startswith("Token 66 of 120")  # what the Text inspector says above it
    QApplication.clipboard().clear()
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    copied = json.loads(QApplication.clipboard().text())
    assert copied["token_number"] == 66 and copied["index"] == 65
    assert list(copied)[:3] == ["index", "token_number", "id"]
    said = window.statusBar().currentMessage()
    assert said.startswith("Copied the figures of token 66, "), said
    assert "\"token_number\" 66" in said and "\"index\" 65 counts from 0" in said
