"""usertest54: in the compare view, adapter 2 compared with adapter 1; adapter 1 deleted (the note under the list:
"Adapter 1 is no longer in the adapter history ...: the compare view compares with the base model again"), then
brought back by Undo: the list offered adapter 1 again, yet the note still said it was gone. Real window, the tiny
GPT-2, real LoRA weights saved as safetensors."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_compare90_compared_with import choose, shown, two_kept_runs  # noqa: E402
from test_compare99_lists import delete_adapter, offered  # noqa: E402
from test_gui_compare_window_size_and_wording import stored_answer  # noqa: E402


def test_the_note_on_a_deleted_adapter_goes_when_undo_brings_it_back(window, qtbot, tmp_path, tiny_model_dir):
    first, _second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    window.set_mode("chat")
    view = window.open_compare(stored_answer(window, rating=-1)).view
    shown(qtbot, view)
    choose(qtbot, view, first)
    deleted = delete_adapter(window, qtbot, first)
    qtbot.waitUntil(lambda: offered(view.baseline_combo) == [None], timeout=WAIT_MS)
    note = view.compared_note
    assert note.isVisible() and "no longer in the adapter history" in note.text()
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(view.baseline_combo) == [None, first], timeout=WAIT_MS)
    assert not note.isVisible(), "the adapter is back in the list: the note saying it is gone no longer holds"
    assert view.compared_with is None and view.baseline_combo.currentIndex() == 0  # offered again, not chosen again


def test_the_text_tabs_notice_on_a_deleted_adapter_goes_when_undo_brings_it_back(window, qtbot, tmp_path,
                                                                                  tiny_model_dir):
    from test_compare94_gui import change_shown
    from test_compare94_text_change import TEXT
    from test_compare99_lists import said

    first, _second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    view, mode = window.text_view, window.text_view.change_mode
    combo = mode.panel.compared_combo
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText(TEXT)
    mode.toggle.click()
    change_shown(qtbot, mode, None)
    combo.setCurrentIndex(combo.findData(first))
    change_shown(qtbot, mode, first)
    deleted = delete_adapter(window, qtbot, first)
    qtbot.waitUntil(lambda: offered(combo) == [None], timeout=WAIT_MS)
    assert "no longer in the adapter history" in said(window)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(combo) == [None, first], timeout=WAIT_MS)
    assert said(window) == "", "adapter 1 is offered again: the banner saying it is gone no longer holds"
    mode.toggle.click()
    qtbot.waitUntil(lambda: not mode.lane.find("text change"), timeout=WAIT_MS)
