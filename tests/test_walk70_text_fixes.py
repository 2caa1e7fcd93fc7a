"""A writer's walk (usertest70) in the Text tab: the inspector's "Token 18 of 269" kept the count from before a
continuation grew the text. pytest-qt, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, continued_and_analysed, window_in_text_mode  # noqa: E402,F401 (the window fixture)


def test_the_inspectors_token_count_grows_with_a_continuation(window, qtbot):
    view = window.text_view
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText("The keeper counted the waves and wrote a word about the moon.")
    view.set_editing(False)
    before = len(view.heatmap.records)
    view.heatmap.token_clicked.emit(2)
    source = window.inspector.source
    assert source.text().startswith(f"Token 3 of {before} ")
    continued_and_analysed(qtbot, window)
    after = len(view.heatmap.records)
    assert after > before, "the continuation added tokens (else this tests nothing)"
    assert window.inspector.index == 2, "the token stays in the inspector"
    assert source.text().startswith(f"Token 3 of {after} "), source.text()
