"""usertest54: in the compare view, adapter 2 compared with adapter 1; adapter 1 deleted (the note under the list:
"Adapter 1 is no longer in the adapter history ...: the compare view compares with the base model again"), then
brought back by Undo: the list offered adapter 1 again, yet the note still said it was gone. Real window, the tiny
GPT-2, real LoRA weights saved as safetensors."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_compare99_lists import (compare_view_against_deleted, offered, said,  # noqa: E402
                                  text_change_against_deleted)


def test_the_note_on_a_deleted_adapter_goes_when_undo_brings_it_back(window, qtbot, tmp_path, tiny_model_dir):
    view, first, deleted = compare_view_against_deleted(window, qtbot, tmp_path, tiny_model_dir)
    note = view.compared_note
    assert note.isVisible() and "no longer in the adapter history" in note.text()
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(view.baseline_combo) == [None, first], timeout=WAIT_MS)
    assert not note.isVisible(), "the adapter is back in the list: the note saying it is gone no longer holds"
    assert view.compared_with is None and view.baseline_combo.currentIndex() == 0  # offered again, not chosen again


def test_the_text_tabs_notice_on_a_deleted_adapter_goes_when_undo_brings_it_back(window, qtbot, tmp_path,
                                                                                  tiny_model_dir):
    mode, first, deleted = text_change_against_deleted(window, qtbot, tmp_path, tiny_model_dir)
    combo = mode.panel.compared_combo
    assert "no longer in the adapter history" in said(window)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(combo) == [None, first], timeout=WAIT_MS)
    assert said(window) == "", "adapter 1 is offered again: the banner saying it is gone no longer holds"
    mode.toggle.click()
    qtbot.waitUntil(lambda: not mode.lane.find("text change"), timeout=WAIT_MS)
