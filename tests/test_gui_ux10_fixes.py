"""ux10 (a new person's walk through the window): the compare view's end of an answer, the
fine-tune report's words on new questions, exports of an answer not written yet, where the
keyboard shortcuts are found, the dialogs' buttons, and the status bar while a run cancels."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from helpers import token_record  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_the_end_of_an_answer_did_not_take_its_own_place():
    """Compare said "“⏎ end” took the place of “<|im_end|>”: before <|im_end|> 78% · ⏎ end 78%":
    the end cell's text is not the token's, so the same token read as two."""
    from desktop_app.gui.compare_words import END_CELL, displaced_words
    from desktop_app.core.token_words import token_label

    end_id = 2
    before = token_record(end_id, END_CELL, 0.78, [(end_id, "<|im_end|>", 0.78), (7, " It", 0.04)])
    after = token_record(end_id, END_CELL, 0.99, [(end_id, "<|im_end|>", 0.99), (8, " I", 0.001)])
    assert displaced_words(before, after, token_label) == ""
    # where the end did push out another first choice, it is named as the view names it
    before = token_record(end_id, END_CELL, 0.30, [(7, " It", 0.50), (end_id, "<|im_end|>", 0.30)])
    words = displaced_words(before, after, token_label)
    assert "<|im_end|>" not in words
    assert "took the place of" in words and words.count(END_CELL.strip()) == 3  # as the view shows it
    assert "\u2423\u23ce" not in words and "\u23ce\u2423" not in words  # not "␣⏎␣end" (usertest 19)


# run 1 of the walk: two rated questions (one re-asked in its conversation and on its own), three
# new ones, two of which name another capital now
WALK = [{"question": "What is the capital of France?", "seen": True, "before": "The capital of France is Paris.",
         "after": "The capital of France is Paris.", "right": "The capital of France is Paris.", "checked": True},
        {"question": "Who wrote Romeo and Juliet?", "seen": True, "before": "The play Romeo and Juliet by William "
         "Shakespeare is often attributed…", "after": "The play of Romeo and Juliet is written by William Shakespeare.",
         "right": "The play of Romeo and Juliet is written by William Shakespeare.", "checked": True},
        {"question": "Who wrote Romeo and Juliet?", "seen": True, "before": "The story of Romeo and Juliet by William "
         "Shakespeare is attributed to the 17th-century…", "after": "The play of Romeo and Juliet is written by "
         "William Shakespeare.", "right": "The play of Romeo and Juliet is written by William Shakespeare.",
         "checked": True},
        {"question": "What is the capital of Australia?", "before": "The capital of Australia is Canberra.",
         "after": "The capital of Australia is Sydney.", "checked": True, "changed_after": True},
        {"question": "What is the capital of Switzerland?", "before": "The capital of Switzerland is Lier.",
         "after": "The capital of Switzerland is Bern.", "checked": True, "changed_after": True},
        {"question": "What is the capital of Croatia?", "before": "The capital of Croatia is Zagreb.",
         "after": "The capital of Croatia is Zagreb.", "checked": True}]


def test_the_report_does_not_say_no_answer_was_lost_above_a_changed_one():
    """The report said "None of 3 new factual questions lost its answer" and, on the next line,
    "2 new questions now name something else: … Sydney (before: … Canberra)"; and "3 of 3 rated
    questions" for two (one asked twice)."""
    from desktop_app.gui.finetune_words import reask_words

    words = reask_words({"taught": WALK})
    assert "lost its answer" not in words and "kept" not in words
    assert "2 of 3 new factual questions now name something else" in words and "Sydney" in words
    assert "2 rated questions: all 2 give your answer" in words
    unchanged = [t | {"changed_after": False} for t in WALK]
    assert "The 3 new factual questions kept their answers." in reask_words({"taught": unchanged})


def test_the_before_after_cards_show_a_rated_question_once(make_window, qtbot):
    """The same rated question stood twice among the cards, with two different "before" answers
    (asked in its conversation and on its own), both "you rated this"."""
    window = make_window(wait=False)
    panel = window.finetune_panel
    window.show_finetune()
    metrics = {"margin_before": 0.02, "margin_after": 1.76, "probe_ppl_before": 28.06, "probe_ppl_after": 28.11,
               "gate_margin_on": "all", "taught": WALK}
    panel._show_result("kept", None, metrics, 1)
    questions = [p["question"] for p in panel.taught.pairs]
    assert questions.count("Who wrote Romeo and Juliet?") == 1
    assert questions[:2] == ["What is the capital of France?", "Who wrote Romeo and Juliet?"]
    # a new question the report names as changed gets a card before one that kept its answer
    croatia_first = WALK[:3] + WALK[5:] + WALK[3:5]
    panel._show_result("kept", None, {**metrics, "taught": croatia_first}, 1)
    assert [p["question"] for p in panel.taught.pairs][2] == "What is the capital of Australia?"


def test_an_answer_still_being_written_cannot_be_exported_empty(make_window, qtbot, monkeypatch, tmp_path):
    """⤓ on an answer still reading its prompt offered "Tokens as JSON…", which wrote
    {"message_id": null, "tokens": []}. It is off until the answer is stored, and says why."""
    from PySide6.QtCore import Qt

    import desktop_app.core.session as session_module
    from test_gui import SlowGeneration, answer_cards

    monkeypatch.setattr(session_module, "Generation", SlowGeneration)
    window = make_window(max_new_tokens=60)
    window.prompt.setPlainText("Tell me a long story")
    with qtbot.waitSignal(window.chat.tokens, timeout=WAIT_MS):
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    card = window.streaming_card
    assert card is not None and card.message is None
    assert not card.export_button.isEnabled() and "still being written" in card.export_button.toolTip()
    assert window.cards.export_card(card, "json", str(tmp_path / "early.json")) is None
    assert not (tmp_path / "early.json").exists()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    card = answer_cards(window)[-1]
    qtbot.waitUntil(lambda: card.message is not None, timeout=WAIT_MS)
    assert card.export_button.isEnabled() and card.export_button.toolTip() == "Copy or export this answer"
    assert window.cards.export_card(card, "json", str(tmp_path / "done.json"))
    assert '"tokens": []' not in (tmp_path / "done.json").read_text()


def test_the_keyboard_shortcuts_are_one_click_away(make_window, qtbot):
    """With no menu bar and no help button, F1 was the only way to the shortcuts, and nothing
    on screen said so: the toolbar has a "?" whose tooltip names F1 and which opens the list."""
    from PySide6.QtCore import Qt

    window = make_window(wait=False)
    button = window.view_toolbar.widgetForAction(window.help_action)
    assert button is not None and button.isVisible() and "F1" in button.toolTip()
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    box = window.shortcuts_box
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    shown = box.browser.toPlainText()
    assert "Ctrl+3" in shown and "F1" in shown
    box.close()


def test_dialog_buttons_carry_words_not_coloured_balls(qtbot, qapp):
    """Yes / No / Cancel / Close came with green and red balls and a red cross: Fusion puts
    icons on dialog buttons where the platform theme asks for them (X11 without a desktop's
    icon theme). The offscreen platform does not ask, so a style that does stands in for it."""
    from PySide6.QtWidgets import QDialogButtonBox, QProxyStyle, QStyle

    from desktop_app.gui.theme import apply_theme, style_sheet

    hint = QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons

    class AsksForIcons(QProxyStyle):
        def styleHint(self, which, option=None, widget=None, data=None):
            return 1 if which == hint else super().styleHint(which, option, widget, data)

    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
    qtbot.addWidget(buttons)
    try:
        qapp.setStyleSheet("")
        qapp.setStyle(AsksForIcons("Fusion"))
        assert buttons.style().styleHint(hint, None, buttons) == 1
        qapp.setStyleSheet(style_sheet(False))
        assert buttons.style().styleHint(hint, None, buttons) == 0
    finally:
        apply_theme(qapp, dark=False)


def test_a_cancelled_fine_tune_says_cancelling_in_the_status_bar_too(make_window, qtbot):
    """After Cancel the panel said "Cancelled…" while the status bar said "fine-tuning · checking
    whether it helps" (the run's last report) or the next step: it says "cancelling" from the
    press on, and so does the panel, until the run ends."""
    from PySide6.QtCore import Qt

    from desktop_app.core.training import FineTuneSettings
    from test_gui_finetune import FAST, TRAIN_MS, rate_some_answers

    window = make_window(max_new_tokens=16)
    rate_some_answers(qtbot, window)
    panel = window.finetune_panel
    qtbot.waitUntil(panel.train_button.isEnabled, timeout=WAIT_MS)
    panel.set_settings(FineTuneSettings(**{**FAST, "max_steps": 40, "min_steps": 40}))
    panel.ask_before_cancel = False  # (its question: test_gui_usertest9_fixes)
    window.show_finetune()
    label, shown = window.finetune_side.label, []
    window.finetune.progress.connect(lambda _p: shown.append((label.text(), panel.phase_label.text())))
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS,
                              check_params_cb=lambda p: p.phase == "training" and p.step >= 1):
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        assert label.text() == "fine-tuning \u00b7 cancelling\u2026"
        assert panel.phase_label.text() == "Cancelling\u2026" and panel.eta_label.text() == ""
        shown.clear()
    assert done.args[0].status == "cancelled"
    assert shown and all(text == ("fine-tuning \u00b7 cancelling\u2026", "Cancelling\u2026") for text in shown), shown


def test_the_last_report_of_a_cancelled_run_reads_as_cancelling():
    from desktop_app.core.training import TrainProgress
    from desktop_app.core.progress_words import phase_line, phase_name

    last = TrainProgress(phase="evaluating", message="Cancelled")
    assert phase_name(last) == "Cancelling" and phase_line(last) == "Cancelling\u2026"


def test_undo_delete_brings_the_adapters_re_scored_answers_back(qtbot, qapp, tiny_model_dir):
    """Deleting an adapter dropped its re-scored answers with it, and Undo brought back only the
    adapter: Compare then said "not scored under both models yet" for answers it had shown."""
    from PySide6.QtCore import Qt

    from desktop_app.core import adapters
    from gui_windows import opened_window
    from test_gui_adapter_edits import _history_change, _two_adapters

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        _first, second = _two_adapters(window, tiny_model_dir)
        store, history = window.chat.store, window.finetune_panel.history
        window.set_mode("chat")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as answered:
            window.prompt.setPlainText("Hi")
            window.send()
        message = answered.args[0]["message_id"]
        records = store.token_records(message)
        store.set_token_records(message, records, adapter_id=second, kind="rescored")
        history.ask = False
        history.select(second)
        _history_change(qtbot, window, lambda: qtbot.mouseClick(history.delete_button, Qt.MouseButton.LeftButton))
        assert store.token_records(message, adapter_id=second, kind="rescored") == []
        _history_change(qtbot, window, lambda: qtbot.mouseClick(window.adapter_undo.button, Qt.MouseButton.LeftButton))
        assert store.token_records(message, adapter_id=second, kind="rescored") == records
        # a deletion with no way back keeps nothing of them
        assert adapters.delete(store, second).rescored == ()


def test_use_base_model_leaves_the_focus_on_the_adapter_history(make_window, qtbot, tiny_model_dir):
    """"Use base model" turns itself off, and Qt gave the keyboard to the next button down the
    window: "Import…" (Space then opened a file dialog). The history list gets it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop_app.core import adapters
    from tiny_model import random_lora

    window = make_window(max_new_tokens=6)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    store, base = window.chat.store, window.chat.loaded.model_id
    first = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), window.paths, base_model=base,
                                  run_id=None, parent_id=None, settings={}, metrics={})
    panel = window.finetune_panel
    panel.refresh_adapters()
    history = panel.history
    history.select(first)
    window.show_finetune()
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(history.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: history.base_button.isEnabled(), timeout=WAIT_MS)
    history.base_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(history.base_button.hasFocus, timeout=2000)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        QTest.keyClick(history.base_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not history.base_button.isEnabled(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is history.list, QApplication.focusWidget()


def test_regenerate_passes_the_keyboard_to_stop_then_back(make_window, qtbot, monkeypatch):
    """Regenerate turns itself off while it answers; the keyboard went to the settings button
    beside it (Space then opened the settings). It goes to Stop, and back to Regenerate after
    (usertest26: the prompt box, away from where the person was; test_keys49_answer_keys.py)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import desktop_app.core.session as session_module
    from test_gui import SlowGeneration, ask

    window = make_window(max_new_tokens=30)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    ask(qtbot, window)
    monkeypatch.setattr(session_module, "Generation", SlowGeneration)
    window.regenerate_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.regenerate_button.hasFocus, timeout=2000)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        with qtbot.waitSignal(window.chat.tokens, timeout=WAIT_MS):
            QTest.keyClick(window.regenerate_button, Qt.Key.Key_Space)
        assert QApplication.focusWidget() is window.stop_button
    qtbot.waitUntil(lambda: not window.stop_button.isEnabled(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is window.regenerate_button


def test_the_window_title_names_the_text_in_text_mode(make_window, qtbot):
    """Over the Text tab the title still named the chat's conversation."""
    from gui_windows import text_opened
    from test_gui import ask

    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "What is the capital of France?")
    assert window.windowTitle().startswith("What is the capital of France?")
    window.set_mode("text")
    text_opened(qtbot, window)
    window.text_view.editor.setPlainText("The old lighthouse keeper climbed the stairs.")
    qtbot.waitUntil(lambda: "lighthouse" in window.windowTitle(), timeout=WAIT_MS)
    assert "France" not in window.windowTitle()
    window.set_mode("chat")
    assert window.windowTitle().startswith("What is the capital of France?")


def test_ctrl_q_quits_the_window_and_is_listed(make_window, qtbot):
    """With no menu bar there was no key to quit: Ctrl+Q closes the window the way its close
    button does (the fine-tune guard included), and F1's list names it."""
    from PySide6.QtCore import Qt

    from desktop_app.gui.shortcuts import shortcuts_html

    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert "Ctrl+Q" in shortcuts_html()


def test_a_prompt_typed_while_the_model_loads_keeps_the_model_notice(make_window, tmp_path):
    """F15: on a first start the person typed while the model loaded; the prompt being saved
    counts as answering, and "The answer starts as soon as the model has loaded." replaced
    the notice saying why this model is used. With no model yet, that notice stays."""
    from desktop_app.gui.chat import ChatState

    window = make_window(spec=str(tmp_path / "no-model-here"), wait=False)
    text = "The bundled offline model is used: the default model is not in the local cache."
    window.chat.model_notice.emit(text)
    window.chat.state = ChatState.ANSWERING  # as while the typed prompt is written
    assert window.chat.generating and window.chat.loaded is None
    window.chat.notice.emit("The answer starts as soon as the model has loaded.")
    assert window.notice_banner.isVisible() and window.notice_banner.label.text() == text
    assert window.statusBar().currentMessage() == "The answer starts as soon as the model has loaded."
