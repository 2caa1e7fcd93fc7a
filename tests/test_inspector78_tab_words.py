"""inspector78, finding 5: F1 said "Tab, then ← →" to walk an answer's tokens, and Tab from the prompt went to
Regenerate (Send and Stop are off with an empty prompt and no answer running). The ring keeps its order (its
record: tests/fixtures/polish68_*); F1 now names each stop the keyboard passes before the answer's text, and ↑."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def test_f1_names_every_stop_between_the_prompt_and_the_answers_tokens(qtbot, qapp, tiny_model_dir):
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui import focus_order
    from desktop_app.gui.shortcuts import SHORTCUTS
    from gui_windows import answered_window

    row = next(what for keys, what in SHORTCUTS if keys.startswith("Tab, then"))
    with answered_window(qtbot, qapp, tiny_model_dir, 60_000) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        window.prompt.setFocus()
        QApplication.processEvents()
        passed = []
        for _ in range(6):  # a few Tabs at most: the ring puts the newest answer next to the prompt's buttons
            focus_order.step(window, forward=True)
            if window.focusWidget() is card.view:
                break
            passed.append(window.focusWidget().text())
        assert window.focusWidget() is card.view, passed
        assert passed and all(f"Tab past {name}" in row for name in passed), (passed, row)
        window.prompt.setFocus()
        window.prompt.up_from_empty.emit()  # ↑ in the empty prompt, as F1 says
        QApplication.processEvents()
        assert window.focusWidget() is card.view and "\u2191 if empty" in row
