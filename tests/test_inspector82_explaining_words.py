"""inspector82, finding 1 (session 62's user test): while "Why this token?" ran, the status bar said "Explaining a
token…", not which. It names the token as the inspector does. pytest-qt on the real window, the tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.core.token_words import token_label  # noqa: E402
from desktop_app.gui.inspector_words import EXPLAINED_LABEL_CHARS, explaining_words  # noqa: E402
from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401  (the window with one answer)


def test_the_status_bar_names_the_token_being_explained(window, qtbot):
    card = _answer(window)
    card.view.select_token(3)
    window.show_token(card, 3)
    record = card.records[3]
    view = window.inspector.explain
    with window.chat.loaded.lock:  # the layers' pass waits for the model: the lane's task stays running meanwhile
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        label = window.status.progress_label
        qtbot.waitUntil(lambda: label.text().startswith("Explaining"), timeout=WAIT_MS)
        said = label.text()
    assert said == f"Explaining \u201c{token_label(record.text)}\u201d (token 4)\u2026", said
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: label.text() == "", timeout=WAIT_MS)


def test_a_long_token_is_cut_in_the_status_words():
    long_token = TokenRecord(5, " " * 3 + "abcdefghijklmnopqrstuvwxyz", -1.0, 3, 1.0, ())
    said = explaining_words(1233, long_token)
    inner = said.split("\u201c")[1].split("\u201d")[0]
    assert len(inner) == EXPLAINED_LABEL_CHARS and inner.endswith("\u2026") and inner.startswith("\u2423\u2423\u2423ab")
    assert said.endswith("(token 1,234)\u2026")
    assert explaining_words(0, None) is None
