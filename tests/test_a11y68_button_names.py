"""Every button a person can reach in the window says what it does to a screen reader. An icon-only
button (or one showing only an arrow) has no text, and Qt names a button by its text alone, so a
screen reader read the Text tab's thumbs, Regenerate and export as "button" (scale108 named the
chat's; its tooltip is a description that changes with the state, not a name). pytest-qt, offscreen,
the real window on the tiny fixture model, with an answer in Chat and a continuation in Text, wide and narrow
(where the bars drop their words and keep icons)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QAccessible  # noqa: E402
from PySide6.QtWidgets import QAbstractButton  # noqa: E402

from gui_windows import ask, continued_and_analysed, window_with_the_story  # noqa: E402,F401


def unnamed_buttons(root) -> list[str]:
    """The visible buttons under ``root`` whose accessible name is empty or only a symbol, as
    ``object name / tooltip`` so a failure says which ones."""
    found = []
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(root):
            continue
        name = QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Name).strip()
        if not any(ch.isalnum() for ch in name):
            found.append(f"{type(button).__name__} {button.objectName()!r} / {button.toolTip()[:60]!r}")
    return found


def test_every_button_in_the_text_tab_and_chat_has_a_name(text_window, qtbot):
    window = text_window
    continued_and_analysed(qtbot, window)
    text_side = unnamed_buttons(window)
    window.set_mode("chat")
    ask(qtbot, window)
    chat_side = unnamed_buttons(window)
    window.finetune_side.show()
    chat_side += [f"Fine-tune tab: {name}" for name in unnamed_buttons(window)]
    window.resize(700, 560)  # the prompt row and the bars drop their words to icons
    qtbot.wait(200)
    chat_side += [f"at 700 px: {name}" for name in unnamed_buttons(window)]
    window.set_mode("text")
    qtbot.wait(200)
    text_side += [f"at 700 px: {name}" for name in unnamed_buttons(window)]
    assert not text_side and not chat_side, f"unnamed in the Text tab: {text_side}; in Chat: {chat_side}"
