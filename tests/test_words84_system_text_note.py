"""words84 (3): a teacher rated answers one by one to make every answer short; nothing said that the chat's
Settings hold a System text read before every answer. The Fine-tune tab says so in one line, under what ratings
do, and it is in view at 1024x600 (pytest-qt, a real window on the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_textfold77_empty_inspector import sized  # noqa: E402


def test_the_fine_tune_tab_points_to_the_system_text(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    note = panel.system_text_note.text()
    assert "<b>Settings</b> (the sliders by the prompt) \u2192 <b>System text</b>" in note
    assert "\u201cAnswer in one sentence.\u201d" in note
    assert "No fine-tune needed" in note
    # what it names is there: the chat's Settings button and its System text field
    assert window.settings_button.text() == "Settings"
    form_labels = {w.text() for w in window.popover.findChildren(QLabel)}
    assert "System text" in form_labels


def test_the_line_is_in_view_under_the_intro_at_1024x600(make_window, qtbot):
    window = make_window(wait=False)
    panel = window.finetune_panel
    sized(qtbot, window, 1024, 600)
    window.show_finetune()
    qtbot.waitUntil(lambda: panel.system_text_note.isVisible(), timeout=10_000)
    note, viewport = panel.system_text_note, panel.viewport()
    top = note.mapTo(viewport, QPoint(0, 0))
    assert top.y() > panel.intro.mapTo(viewport, QPoint(0, 0)).y()  # right under what ratings do
    assert top.y() + note.height() <= viewport.height(), "the whole line shows without scrolling"
    assert top.x() + note.width() <= viewport.width()
    assert panel.train_button.mapTo(viewport, QPoint(0, 0)).y() + panel.train_button.height() <= viewport.height()
