"""usertest45, finding 2 (pytest-qt, the tiny model, the real window): Copy figures took the token's
figures but none of "Why this token?": the layer grid's numbers could not be taken away."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401  (the window with one answer)


# ---------------------------------------------------------------- 2. Copy figures takes the explanation too

def test_copy_figures_takes_the_layer_grid_and_what_led_here_once_shown(window, qtbot):
    card = _answer(window)
    card.view.select_token(3)
    window.show_token(card, 3)
    inspector, view = window.inspector, window.inspector.explain
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    assert "logit_lens" not in json.loads(QApplication.clipboard().text()), "nothing explained yet"
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    copied = json.loads(QApplication.clipboard().text())
    lens = view.grid.lens
    assert [row["layer"] for row in copied["logit_lens"]] == lens.layer_names
    assert [row["probs"] for row in copied["logit_lens"]] == lens.probs, "every cell of the grid shown"
    assert [t["id"] for t in copied["lens_tokens"]] == lens.token_ids and lens.token_ids[0] == copied["id"]
    assert copied["lens_first_top1"] == lens.first_top1
    attribution = view.result.attribution
    assert [t["score"] for t in copied["what_led_here"]] == attribution.scores
    assert copied["what_led_here_vs"]["id"] == attribution.other_id
    said = window.statusBar().currentMessage()
    assert "its layer grid and what led here" in said, said
    window.show_token(card, 1)  # another token: its own figures only
    qtbot.mouseClick(inspector.copy_button, Qt.MouseButton.LeftButton)
    assert "logit_lens" not in json.loads(QApplication.clipboard().text())
