"""Leftover of the user tests: Ctrl+H (the adapter history) with no adapter yet only switched to the Fine-tune
tab. It says in words that there is none yet and how to make one (rate answers, then Fine-tune), in the status
bar and in the history itself (pytest-qt, the tiny model, the real window, the key pressed in the prompt)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


from test_gui import make_window  # noqa: E402,F401
from gui_windows import ctrl_h  # noqa: E402


def test_ctrl_h_with_no_adapter_says_there_is_none_and_how_to_make_one(make_window, qtbot):
    window = make_window()
    ctrl_h(qtbot, window)
    assert window.side_tabs.currentWidget() is window.finetune_panel
    said = window.statusBar().currentMessage()
    assert "No adapter yet" in said and "rate" in said and "Fine-tune on my ratings" in said, said
    history = window.finetune_panel.history
    assert history.empty.isVisible(), "the history's own words show under its title"
    for words in ("No adapter yet", "rate some answers", "Fine-tune on my ratings"):
        assert words in history.empty.text(), history.empty.text()


def test_ctrl_h_before_the_model_has_loaded_says_the_history_comes_then(make_window, qtbot):
    from desktop_app.gui.shortcuts import open_adapter_history

    window = make_window(wait=False)
    window.finetune_panel.history.set_adapters([], loading=True)  # as before the load: the adapters are not known yet
    open_adapter_history(window)  # what Ctrl+H runs, at once: the load cannot end in between
    assert "once the model has loaded" in window.statusBar().currentMessage()
