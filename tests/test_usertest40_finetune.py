"""Usertest 40, a new user teaching the model in a real window: what the Fine-tune tab left
unexplained (real widgets, pytest-qt, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import opened_window  # noqa: E402


def test_each_advanced_setting_says_what_it_sets(qtbot, qapp, tiny_model_dir):
    """"Epochs auto", "Learning rate auto" and "Held out 20 %" had no tooltip: what "auto" chose and
    what was held out, and from what, was nowhere in the window."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        window.side_tabs.setCurrentWidget(panel)
        panel.advanced_button.setChecked(True)
        tips = {box: box.toolTip() for box in (panel.epochs, panel.max_steps, panel.lr, panel.heldout)}
        assert all(box.isEnabled() for box in tips)
        assert "auto:" in tips[panel.epochs] and "auto:" in tips[panel.lr], "what auto chooses"
        assert "training steps" in tips[panel.max_steps]
        assert "kept out of training" in tips[panel.heldout] and "rated questions" in tips[panel.heldout]
        assert len(set(tips.values())) == 4, "each field its own words"
