"""A control the window turns off says why in its tooltip, and the tooltip changes with the
reason (pytest-qt, real widgets, the tiny random GPT-2, the real SQLite store): Text mode's bar and
branch buttons while a continuation is written or with the main text shown, the inspector's
"Continue with …", an answer card's ‹ › arrows, "Explain this token" while it runs, the model
button, the adapter history's Use base model, Delete and Report, the fine-tune's settings, and the
View toolbar's conversations toggle in Text mode."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from desktop_app.gui import off_words  # noqa: E402
from gui_windows import WAIT_MS, window_with_the_story  # noqa: E402,F401 (the text_window fixture)
from test_gui import answer_cards, ask, make_window  # noqa: E402,F401


def off_with(widget, words: str) -> None:
    assert not widget.isEnabled(), f"{widget.toolTip()!r}: on"
    assert words in widget.toolTip(), widget.toolTip()


# ---------------------------------------------------------------- Text mode


def test_text_mode_says_why_its_buttons_are_off_while_a_continuation_is_written(text_window, qtbot):
    window, view = text_window, text_window.text_view
    panel = view.branch_panel
    # the main text shown: nothing to regenerate or rate yet
    off_with(view.regenerate_button, "Nothing to regenerate: the main text is shown")
    off_with(panel.up_button, "Nothing to rate: the main text is shown")
    off_with(view.stop_button, "Nothing to stop")
    assert view.continue_button.isEnabled() and view.continue_button.toolTip() == off_words.CONTINUE_TIP
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
        for button in (view.continue_button, view.regenerate_button, panel.up_button, panel.better_button,
                       view.new_button, view.open_button, view.documents):
            assert not button.isEnabled() or not panel.isEnabled()
            assert "A continuation is being written" in button.toolTip(), button.toolTip()
        assert "to continue again" in view.continue_button.toolTip()
        assert "to show another text" in view.new_button.toolTip()
        assert view.stop_button.isEnabled() and view.stop_button.toolTip() == off_words.TEXT_STOP_TIP
    window.chat.tasks.store.wait()
    QApplication.processEvents()
    # the continuation shown: each button on again, with what it does
    assert view.continue_button.isEnabled() and view.continue_button.toolTip() == off_words.CONTINUE_TIP
    assert view.regenerate_button.isEnabled() and view.regenerate_button.toolTip() == off_words.TEXT_REGENERATE_TIP
    assert panel.up_button.isEnabled() and panel.up_button.toolTip().startswith("This continuation is good")
    assert view.new_button.isEnabled() and view.new_button.toolTip() == "A new, empty text"
    off_with(view.stop_button, "Nothing to stop")


def test_the_view_toolbar_says_why_the_conversations_toggle_is_off_in_text_mode(text_window):
    action = text_window.panel_actions["conversations"]
    assert text_window.mode == "text" and not action.isEnabled()
    assert action.toolTip().startswith("Text mode has no conversations panel")


# ---------------------------------------------------------------- the inspector and the answer card


def test_continue_with_says_to_pick_another_alternative(qtbot):
    from desktop_app.gui.inspector import InspectorPanel

    top = (Alternative(20, " cat", 0.5), Alternative(21, " dog", 0.3), Alternative(22, " cow", 0.1))
    record = TokenRecord(20, " cat", math.log(0.5), 1, 1.2, top)
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show_token(1, 4, record, can_branch=True)
    off_with(panel.branch_button, "Pick another alternative in the chart above first")
    panel.pick(0)  # the token the model wrote
    off_with(panel.branch_button, "That is the token already here")
    panel.pick(1)
    assert panel.branch_button.isEnabled() and panel.branch_button.toolTip() == off_words.BRANCH_TIP


def test_the_sibling_arrows_say_why_they_are_off(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.set_siblings(1, 2)
    off_with(card.prev_button, "This is the first of 2 answers")
    assert card.next_button.isEnabled() and card.next_button.toolTip() == "Next answer to this prompt"
    card.set_siblings(2, 2)
    off_with(card.next_button, "This is the last of 2 answers")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.regenerate_button, Qt.MouseButton.LeftButton)
        for arrow in (card.prev_button, card.next_button):
            off_with(arrow, "An answer is being written")
        off_with(window.model_button, "An answer is being written")
    QApplication.processEvents()
    card = answer_cards(window)[-1]
    assert card.sibling_label.text() == "2/2"
    assert card.prev_button.isEnabled() and card.prev_button.toolTip() == "Previous answer to this prompt"
    off_with(card.next_button, "This is the last of 2 answers")
    assert window.model_button.isEnabled() and window.model_button.toolTip().startswith("Choose the model")


def test_an_arrow_tooltip_on_screen_follows_its_arrow(make_window, qtbot):
    """An answer that ends under the mouse must not leave "being written" over an arrow that is on."""
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.set_siblings(2, 2)
    card.block_siblings(True)
    arrow = card.prev_button
    QToolTip.showText(arrow.mapToGlobal(QPoint(3, 3)), arrow.toolTip(), arrow)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert "An answer is being written" in QToolTip.text()
    card.block_siblings(False)
    assert arrow.isEnabled() and QToolTip.text() == "Previous answer to this prompt"
    QToolTip.hideText()


def test_explain_this_token_says_it_is_running(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.view.select_token(3)
    window.show_token(card, 3)
    view = window.inspector.explain
    assert view.button.isEnabled() and view.button.toolTip() == off_words.EXPLAIN_TIP
    view.ask()
    off_with(view.button, "This token is being explained")
    view.cancel()
    qtbot.waitUntil(view.button.isEnabled, timeout=WAIT_MS)
    assert view.button.toolTip() == off_words.EXPLAIN_TIP
    view.rated(-1)
    off_with(view.rate_bad_button, "rated bad already")
    view.rated(None)
    assert view.rate_bad_button.isEnabled() and view.rate_bad_button.toolTip() == off_words.RATE_BAD_TIP


# ---------------------------------------------------------------- the Fine-tune tab


def test_the_adapter_history_says_why_base_delete_and_report_are_off(qtbot):
    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_busy(False)
    history.set_adapters([{"id": 1, "name": "first run", "present": True, "active": False}])
    history.list.setCurrentRow(-1)
    off_with(history.base_button, "The base model is in use already")
    off_with(history.delete_button, "Select an adapter in the list to delete it")
    off_with(history.report_button, "Select an adapter in the list to see its run's report")
    history.select(1)
    assert history.delete_button.isEnabled() and history.report_button.isEnabled()
    assert history.report_button.toolTip() == off_words.REPORT_TIP
    history.set_busy(True)
    off_with(history.delete_button, "Load a model first, or wait for the fine-tune to finish")


def test_the_fine_tune_settings_say_a_run_holds_them(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    window.chat.store.rate_message(ask(qtbot, window)["message_id"], 1)
    panel, run = window.finetune_panel, window.finetune
    assert panel.epochs.isEnabled() and panel.epochs.toolTip().startswith("How many times training goes")
    with qtbot.waitSignal(run.running_changed, timeout=10 * WAIT_MS, check_params_cb=lambda on: not on):
        assert run.start()
        for field in (panel.epochs, panel.max_steps, panel.lr, panel.heldout):
            off_with(field, "A run is training with these settings")
        run.cancel()
    assert panel.epochs.isEnabled() and panel.epochs.toolTip().startswith("How many times training goes")


def test_the_conversation_list_says_why_it_is_off_while_an_answer_is_written(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    panel = window.conversations
    item = panel.list.item(0)
    assert panel.isEnabled() and "1 answer, none rated" in item.toolTip() and "being written" not in item.toolTip()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.regenerate_button, Qt.MouseButton.LeftButton)
        assert not panel.isEnabled()
        assert panel.new_button.toolTip().endswith("to start a new conversation")
        assert panel.list.item(0).toolTip().endswith("wait for it, or Stop it (Esc), to open another conversation")
    QApplication.processEvents()
    assert panel.isEnabled() and panel.new_button.toolTip() == off_words.NEW_CONVERSATION_TIP
    assert "being written" not in panel.list.item(0).toolTip()


def test_a_conversation_tooltip_on_screen_follows_the_list(make_window, qtbot):
    """An answer that ends under the mouse must not leave "being written" over a conversation one can open."""
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    panel = window.conversations
    panel.set_answering(True)
    item = panel.list.item(0)
    viewport = panel.list.viewport()
    QToolTip.showText(viewport.mapToGlobal(QPoint(5, 5)), item.toolTip(), viewport)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    panel.set_answering(False)
    assert QToolTip.text() == item.toolTip() and "being written" not in QToolTip.text()
    QToolTip.hideText()
