"""Usertest 6, F9: Compare's "Before" list showed "previous adapter 1" greyed and half hidden;
Down and Return in it did nothing, and only a tooltip said why. Since compare90 the list ("Compared
with") offers every earlier adapter, scored when chosen, and Down and Return choose it (real widgets,
the tiny GPT-2 with a random LoRA, two adapter rows: the one in use trained on top of the other)."""

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


def test_the_compared_with_list_offers_the_earlier_adapter_and_keys_choose_it(make_window, qtbot, tmp_path):
    """compare90: an earlier adapter is no longer greyed where the answer was not scored under it: choosing
    it scores the answer under it, on the model lane."""
    window = make_window()
    first = wear_random_lora(window, qtbot, tmp_path / "adapter")
    _on_top_of(window, qtbot, first, tmp_path / "adapter")
    mid = stored_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    combo = view.baseline_combo
    assert combo.count() == 2
    assert combo.itemText(1) == f"adapter {first} (added)" and combo.model().item(1).isEnabled()
    _down_return(qtbot, combo)
    assert combo.currentIndex() == 1 and combo.currentData() == first
    qtbot.waitUntil(lambda: view.task is None and len(view.values) > 0, timeout=WAIT_MS)
    # the same weights under both (the test's two rows share a folder): nothing moved
    assert max(abs(v) for v in view.values) < 1e-4
    assert window.chat.store.token_records(mid, adapter_id=first, kind="rescored",
                                           model_id=window.chat.loaded.model_id)  # kept for next time
