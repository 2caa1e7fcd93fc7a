"""Usertest 5 findings in the window: what is on disk is shown before the model has loaded
(F10); a context notice belongs to its conversation (F11); the long-prompt meter and reading
progress (F8); the answer header with siblings (F6)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui.adapter_history import EMPTY  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_counts_and_adapter_history_show_before_the_model_loads(make_window, qtbot, tmp_path):
    """F10: the model never loads here (its folder is missing); the ratings and the adapter the
    last session used are read from the database at once all the same."""
    from desktop_app.gui.main_window import open_settings

    paths = AppPaths.resolve().ensure()
    with Store.open(paths.db_path) as store:
        conversation = store.create_conversation()
        user = store.add_message(conversation, "user", "What is the capital of France?")
        answer = store.add_message(conversation, "assistant", "Paris.", parent_id=user, model_id="m-test")
        store.rate_message(answer, 1)
        adapter = store.add_adapter(str(tmp_path / "adapter"), base_model="m-test")
        store.set_active_adapter(adapter, "m-test")
    open_settings(paths).setValue("model_id", "m-test")
    window = make_window(spec=str(tmp_path / "no-model-here"), wait=False)
    panel = window.finetune_panel
    qtbot.waitUntil(lambda: panel.tiles["thumbs_up"].number.text() == "1", timeout=WAIT_MS)
    assert window.chat.loaded is None
    assert panel.history.list.count() == 1 and panel.history.rows[0]["id"] == adapter
    assert panel.history.empty.isHidden() and "Adapter 1" in panel.history.using.text()
    assert not panel.history.use_button.isEnabled()  # choices act on a loaded model


def test_without_a_remembered_model_the_history_says_it_is_loading(make_window, tmp_path):
    window = make_window(spec=str(tmp_path / "no-model-here"), wait=False)
    history = window.finetune_panel.history
    assert history.list.count() == 0 and history.empty.text() != EMPTY and "loaded" in history.empty.text()


def test_a_context_notice_goes_with_its_conversation(make_window, qtbot):
    """F11: the tiny model's context is 128 tokens; a longer prompt is cut in its middle and
    the banner says so, in that conversation only."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = make_window(max_new_tokens=4)
    window.prompt.setPlainText("The lighthouse keeper climbed the stairs every night and lit the lamp. " * 12)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    banner = window.notice_banner
    assert banner.isVisible() and "left out to fit the context window" in banner.label.text()
    first = window.chat.conversation_id
    qtbot.keyClick(window.prompt, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.chat.conversation_id != first and not banner.isVisible()
    window.chat.notice.emit("A notice about no answer")  # not an answer's: it stays when a conversation opens
    window.open_conversation(first)
    QApplication.processEvents()
    assert banner.isVisible() and banner.label.text() == "A notice about no answer"
