"""User test 17: Esc in "Write a better answer" threw away the words typed (pytest-qt, the real dialog)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.ratings import CONTINUATION_WORDS, CorrectionDialog  # noqa: E402
from gui_windows import answer_modal  # noqa: E402


def test_closing_the_box_with_words_written_asks_first(qtbot):
    dialog = CorrectionDialog("What is the capital of Italy?", "Rome.", None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.editor.setPlainText("Answer: Rome, on the Tiber.")
    seen: list = []
    answer_modal("Keep editing", seen)
    dialog.reject()  # Esc, Cancel and the title bar's ✕ all reject
    assert dialog.isVisible() and dialog.text() == "Answer: Rome, on the Tiber."
    assert seen and "better answer you wrote" in seen[0][0]
    answer_modal("Discard", seen)
    dialog.reject()
    assert not dialog.isVisible() and len(seen) == 2


def test_closing_the_box_unchanged_asks_nothing(qtbot):
    for start in (None, "Answer: Rome."):  # the model's text, or a saved better one, left as it was
        dialog = CorrectionDialog("Italy?", "Rome.", start, words=CONTINUATION_WORDS)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.reject()
        assert not dialog.isVisible()
