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
    assert panel.history.empty.isHidden() and "In use: adapter 1" in panel.history.using.text()
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
    assert banner.isVisible() and banner.label.text().startswith("To fit the context window,") and "left out" in banner.label.text()
    first = window.chat.conversation_id
    qtbot.keyClick(window.prompt, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.chat.conversation_id != first and not banner.isVisible()
    window.chat.notice.emit("A notice about no answer")  # not an answer's: it stays when a conversation opens
    window.open_conversation(first)
    QApplication.processEvents()
    assert banner.isVisible() and banner.label.text() == "A notice about no answer"


def test_a_sibling_header_keeps_its_author_and_count_when_narrow(make_window, qtbot):
    """F6: with "‹ 2/2 ›" in the header, the model's name is elided first; "base model" (or
    "adapter N") and the token count stay painted."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.elided_labels import fitted_author, fitted_meta
    from test_gui import answer_cards, ask

    window = make_window(max_new_tokens=6)
    ask(qtbot, window, "Why is the sky blue?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.regenerate_button, Qt.MouseButton.LeftButton)
    card = answer_cards(window)[-1]
    card.role_label.setText("SmolLM2-135M-Instruct \u00b7 base model")  # a real model's long name
    window.resize(1088, 680)  # the default size: the chat column between both side panels
    QApplication.processEvents()
    qtbot.waitUntil(lambda: card.width() <= window.transcript.viewport().width(), timeout=5000)
    QApplication.processEvents()
    author, meta = card.role_label, card.meta

    def painted():
        QApplication.processEvents()
        return (fitted_author(author.text(), author.fontMetrics(), author.contentsRect().width()),
                fitted_meta(meta.text(), meta.fontMetrics(), meta.contentsRect().width()))

    who, count = painted()  # the cut mark keeps its room (usertest 4); where the model's name would go
    # whole ("base model" alone), the count gives way to it (usertest 11: "adapter 1 · 23 tokens · stopped")
    assert card.sibling_label.isVisible() and who.startswith("SmolLM2") and who.endswith("base model")
    assert count in ("6 tokens \u00b7 token limit", "token limit")
    card.set_meta("6 tokens")  # an answer that ended by itself, as the user's did
    who, count = painted()
    assert who != author.text(), "narrow enough to need eliding"
    assert who.endswith("\u2026 \u00b7 base model") and who.startswith("SmolLM2"), who
    assert count == "6 tokens"
    assert card.export_button.isVisible() and card.next_button.isVisible()


def test_esc_while_the_prompt_is_read_says_stopping_at_once(make_window, qtbot, monkeypatch):
    """F8: the card says "stopping…" as Esc is pressed, and the reading progress that still
    arrives before the pass ends does not write over it."""
    from PySide6.QtCore import Qt

    from desktop_app.core import fast_decode

    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 8)  # the tiny model's prompt takes several passes
    window = make_window(max_new_tokens=4)
    said = []

    def read(done, _total):
        card = window.cards.streaming
        if done == 8:
            qtbot.keyClick(window.prompt, Qt.Key.Key_Escape)
            said.append(card.meta.text())
        elif done > 8 and card is not None:
            said.append(card.meta.text())

    window.chat.prompt_reading.connect(read)
    window.prompt.setPlainText("The lighthouse keeper climbed the stairs every night and lit the lamp. " * 2)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as done:
        window.send()
    assert done.args[0]["finish_reason"] == "cancelled"
    assert said and set(said) == {"stopping\u2026"}, said


def test_the_model_notice_is_not_replaced_by_a_notice_about_no_answer(make_window):
    """F1: the fallback notice names the model used first, and "The answer starts as soon as
    the model has loaded." goes to the status bar instead of replacing it."""
    from desktop_app.core.model_sources import BUNDLED_NAME, resolve_spec

    window = make_window()
    text = resolve_spec(None, probe=lambda: False).notice  # offline, and the default model is not cached here
    assert text.startswith(f"Using the bundled model {BUNDLED_NAME}")  # what is used first (usertest 11 words)
    window.chat.model_notice.emit(text)
    window.chat.notice.emit("The answer starts as soon as the model has loaded.")
    assert window.notice_banner.isVisible() and window.notice_banner.label.text() == text
    assert window.statusBar().currentMessage() == "The answer starts as soon as the model has loaded."


def test_ctrl_3_opens_the_fine_tune_tab_on_its_button_and_compare_is_a_tab_stop(make_window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui import focus_order
    from test_gui import answer_cards, ask

    window = make_window()
    ask(qtbot, window, "Hello there")
    card = answer_cards(window)[-1]
    qtbot.keyClick(card.rating.up, Qt.Key.Key_Space)
    window.writer.wait()
    QApplication.processEvents()
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    panel = window.finetune_panel
    assert window.side_tabs.currentWidget() is panel
    assert QApplication.focusWidget() is panel.train_button and panel.train_button.isEnabled()
    stops = focus_order.card_stops(card)
    assert stops.index(card.rating.compare_button) == stops.index(card.rating.up) - 1


def test_tab_into_the_fine_tune_panel_lands_on_a_control_with_a_ring(make_window, qtbot):
    """The panel's scroll area was the first stop after the tab bar: focused, with no ring."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QApplication

    window = make_window()
    window.finetune_side.show()
    window.side_tabs.tabBar().setFocus()
    qtbot.keyClick(window.side_tabs.tabBar(), Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not window.finetune_panel and isinstance(focused, QAbstractButton), focused
    assert window.finetune_panel.isAncestorOf(focused)
