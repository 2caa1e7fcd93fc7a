"""Usertest 6, F9: Compare's "Before" list showed "previous adapter 1" greyed and half hidden;
Down and Return in it did nothing, and only a tooltip said why. The entry now says why in its
words, and an entry that can be chosen is chosen with Down and Return (real widgets, the tiny
GPT-2 with a random LoRA, two adapter rows: the one in use trained on top of the other)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402


def _on_top_of(window, qtbot, first, folder):
    store, loaded = window.chat.store, window.chat.loaded
    second = store.add_adapter(folder, base_model=loaded.model_id, parent_id=first)
    store.set_active_adapter(second, loaded.model_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()
    return second


def _down_return(qtbot, combo):
    combo.setFocus()
    combo.showPopup()
    qtbot.waitUntil(combo.view().isVisible, timeout=5000)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=5000)


def test_the_before_list_says_why_an_adapter_cannot_be_chosen_and_keys_choose_one_that_can(
        make_window, qtbot, tmp_path):
    from desktop_app.gui.compare_words import baseline_choice

    window = make_window()
    first = wear_random_lora(window, qtbot, tmp_path / "adapter")
    _on_top_of(window, qtbot, first, tmp_path / "adapter")
    mid = stored_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    combo = view.baseline_combo
    assert combo.count() == 2
    assert combo.itemText(1) == f"previous adapter {first} (this answer was not scored under it)"
    assert not combo.model().item(1).isEnabled()
    _down_return(qtbot, combo)
    assert combo.currentIndex() == 0  # nothing to switch to, and the entry said so

    records = window.chat.store.token_records(mid, adapter_id=window.chat.loaded.adapter_id, kind="rescored")
    window.chat.store.set_token_records(mid, records, adapter_id=first, kind="rescored")
    view._answer_changed()  # the answer picked again: now scored under the previous adapter
    assert combo.itemText(1) == f"previous adapter {first}" and combo.model().item(1).isEnabled()
    _down_return(qtbot, combo)
    assert combo.currentIndex() == 1 and combo.currentData() == first
    assert baseline_choice(3, True, True)[0] == "previous adapter 3 (not for a text you wrote)"
