"""usertest16: the model picker's failed load, the first start's banner after another model, the
Settings popup by keyboard, the window's title after a rename (pytest-qt, the tiny GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_a_failed_load_says_which_model_still_answers(make_window, qtbot, tmp_path):
    """An empty folder chosen while a model is in use: the banner and the chat's empty state said
    "The model could not be loaded." as if none were, while the one in use went on answering."""
    window = make_window()
    name = window.chat.loaded.source.display_name
    empty = tmp_path / "empty"
    empty.mkdir()
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        window.load_model(str(empty))
    said = window.notices.error.label.text()
    assert "no config.json" in said and said.endswith(f"Still using {name}."), said
    assert window.transcript.empty.status.text() == f"Ready: {name}"
