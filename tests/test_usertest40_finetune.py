"""Usertest 40, a new user teaching the model in a real window: what the Fine-tune tab left
unexplained (real widgets, pytest-qt, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.ready_words import rating_count  # noqa: E402
from gui_windows import opened_window  # noqa: E402
from test_counts39_gui_counts import recount  # noqa: E402
from test_gui import ask, make_window  # noqa: E402,F401


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


def test_the_bad_answers_tile_does_not_say_its_own_dislikes_are_counted_elsewhere(make_window, qtbot):
    """The 👎 tile read "5 bad answers" and its tooltip "5 of them also have better answers you wrote,
    counted under better answers", as if the tile left them out; it counts them, and so does the total."""
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    for question in ("Hello", "Why?"):
        answer = ask(qtbot, window, question)["message_id"]
        store.rate_message(answer, -1)
        store.set_correction(answer, f"A better answer to {question}")
    recount(qtbot, window)
    tile = panel.tiles["thumbs_down"]
    assert tile.number.text() == "2" and rating_count(panel.counts) == 4
    assert "counted under" not in tile.toolTip()
    assert tile.toolTip().endswith("2 of them also have better answers you wrote, which the model learns to "
                                   "prefer over them")
