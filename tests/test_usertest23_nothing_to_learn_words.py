"""The Fine-tune tab's empty line names the answer card's thumbs, as the card draws them: it said
"rate an answer with ▲/▼" while the card and the tab's own tiles show thumbs up and down, no
triangles (usertest23). pytest-qt, real window, tiny model, an empty store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, opened_window  # noqa: E402


def test_the_empty_fine_tune_line_names_the_thumbs(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        label = window.finetune_panel.ready_label
        qtbot.waitUntil(lambda: "Nothing to learn" in label.text(), timeout=WAIT_MS)
        text = label.text()
        assert "\u25b2" not in text and "\u25bc" not in text, text
        assert "thumbs up or down" in text, text
