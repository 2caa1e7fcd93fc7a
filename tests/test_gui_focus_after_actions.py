"""Keyboard focus after an action (pytest-qt, offscreen, the tiny random GPT-2, the real store):
it stays on the control acted on, or moves to the one that comes next, never down the window
(after Explain it went to the conversation list's "+", where Space starts a new conversation)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from gui_windows import active, liked_answer_counted, press  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401

TRAIN_MS = 120_000


def test_a_thumb_clicked_keeps_the_focus(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    qtbot.mouseClick(card.rating.down, Qt.MouseButton.LeftButton)
    assert card.rating.down.isChecked()
    assert QApplication.focusWidget() is card.rating.down, "not the transcript around it"


def test_explain_passes_the_focus_to_cancel_then_to_the_overlay_toggle(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.view.select_token(2)
    window.show_token(card, 2)
    view = window.inspector.explain
    press(qtbot, view.button)
    assert QApplication.focusWidget() is view.cancel_button and view.cancel_button.isVisible()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert QApplication.focusWidget() is view.toggle and view.toggle.isVisible()


def test_finetune_parks_the_focus_on_its_tab_and_gives_it_back_to_the_button(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    window.show_finetune()
    panel = window.finetune_panel
    panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1,
                                        reask_tokens=4))
    panel.ask_before_cancel = False  # (its question: test_gui_usertest9_fixes)
    pressed, focus = [], {}

    def cancel_from_the_keyboard(p):
        if p.phase == "training" and p.step and not pressed:
            pressed.append(p.step)
            panel.cancel_button.setFocus(Qt.FocusReason.TabFocusReason)  # Tab from the tab to Cancel
            QTest.keyClick(panel.cancel_button, Qt.Key.Key_Space)
            focus["cancelling"] = QApplication.focusWidget()

    window.finetune.progress.connect(cancel_from_the_keyboard)
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        press(qtbot, panel.train_button)
        focus["started"] = QApplication.focusWidget()
    assert done.args[0].status == "cancelled"
    assert focus["started"] is window.side_tabs.tabBar(), "not '▸ Advanced', nor Cancel (usertest9)"
    assert focus["cancelling"] is panel.cancel_button, "still on Cancel while it cancels"
    assert QApplication.focusWidget() is panel.train_button, "back on the button once Cancel hides"


def test_undo_delete_passes_the_focus_to_the_adapter_history(make_window, qtbot, tmp_path):
    window = active(qtbot, make_window(max_new_tokens=6))
    store, model_id = window.chat.store, window.chat.loaded.model_id
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    adapter = store.add_adapter(folder, base_model=model_id)
    panel = window.finetune_panel
    panel.refresh_adapters()
    panel.history.ask = False
    panel.history.select(adapter)
    with qtbot.waitSignal(window.finetune.adapter_deleted, timeout=WAIT_MS):
        qtbot.mouseClick(panel.history.delete_button, Qt.MouseButton.LeftButton)
    undo = window.adapter_undo.button
    qtbot.waitUntil(lambda: undo.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        press(qtbot, undo)
    assert [row["id"] for row in store.list_adapters()] == [adapter]
    assert not undo.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.history.list, timeout=WAIT_MS)
    assert panel.history.list.isVisible() and panel.history.rows[0]["id"] == adapter
