"""usertest16: the model picker's failed load, the first start's banner after another model, the
Settings popup by keyboard, the window's title after a rename (pytest-qt, the tiny GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


def test_a_failed_load_says_which_model_still_answers(make_window, qtbot, tmp_path):
    """An empty folder chosen while a model is in use: the banner and the chat's empty state said
    "The model could not be loaded." as if none were, while the one in use went on answering."""
    window = make_window()
    name = window.chat.loaded.source.display_name
    empty = tmp_path / "empty"
    empty.mkdir()
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        window.load_model(str(empty))
    said = window.notices.error.label.text()
    assert "no config.json" in said and said.endswith(f"Still using {name}."), said
    assert window.transcript.empty.status.text() == f"Ready: {name}"


def _load(qtbot, window, spec: str) -> None:
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(spec)


def test_the_bundled_model_notice_goes_once_another_model_is_loaded(make_window, qtbot, tiny_model_dir, tmp_path):
    """The first start's "Using the bundled model …" banner stayed after the person loaded a GPT-2
    folder with the model picker; the same model loaded again (another precision) keeps it."""
    import shutil

    window = make_window(wait=False)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.chat.model_notice.emit("Using the bundled model: GPT-2 is not on this computer.")  # as its load tells
    assert window.notice_banner.isVisible()
    _load(qtbot, window, str(tiny_model_dir))
    assert window.notice_banner.isVisible(), "the same model again: the notice still applies"
    other = shutil.copytree(tiny_model_dir, tmp_path / "another-gpt2")
    _load(qtbot, window, str(other))
    assert not window.notice_banner.isVisible()


def test_ctrl_comma_opens_the_settings_with_the_keys_in_their_first_field(make_window, qtbot):
    """After Ctrl+, no field had the focus: "0.7" typed went nowhere."""
    window = make_window()
    window.activateWindow()
    window.prompt.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.popover.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    focused = QApplication.focusWidget()
    qtbot.keyClicks(focused, "0.7")
    assert window.popover.temperature.value() == pytest.approx(0.7)
    window.popover.hide()


def test_tab_leaves_the_system_text_for_the_next_setting(make_window, qtbot):
    """Tab in "System text" typed a tab character: the keyboard could not reach "Enter sends"."""
    window = make_window()
    popover = window.popover
    popover.popup_above(window.settings_button)
    popover.system.setFocus()
    qtbot.waitUntil(popover.system.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(popover.system, "Be brief.")
    qtbot.keyClick(popover.system, Qt.Key.Key_Tab)
    assert popover.system.toPlainText() == "Be brief."
    assert popover.enter_sends.hasFocus()
    popover.hide()


def test_renaming_the_open_conversation_renames_the_window(make_window, qtbot):
    """The list said "Arithmetic", the title bar still "What is 2+2? — GPT-2 Desk"."""
    from test_gui import ask

    window = make_window()
    ask(qtbot, window, "What is 2+2?")
    assert window.windowTitle().startswith("What is 2+2?")
    with qtbot.waitSignal(window.chat.conversations_changed, timeout=WAIT_MS):
        window.conversations.rename_requested.emit(window.chat.conversation_id, "Arithmetic")
    assert window.windowTitle().startswith("Arithmetic \u2014"), window.windowTitle()


@pytest.mark.parametrize("key", ["F2", "Delete"])
def test_f2_and_delete_in_the_conversation_list_rename_and_delete(qtbot, monkeypatch, key):
    """F2 and Delete on the selected conversation did nothing: only the Menu key reached Rename and Delete."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.gui import conversation_panel
    from desktop_app.gui.conversation_panel import ConversationPanel
    from desktop_app.gui.shortcuts import shortcuts_html

    panel = ConversationPanel()
    qtbot.addWidget(panel)
    panel.set_conversations([{"id": 4, "title": "Arithmetic"}, {"id": 3, "title": "What is 2+2?"}], 3)
    panel.show()
    monkeypatch.setattr(conversation_panel, "ask_text", lambda *_a, **_k: ("Sums", True))  # the rename dialog (gui/name_dialog)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    signal, args = ((panel.rename_requested, [3, "Sums"]) if key == "F2" else (panel.delete_requested, [3]))
    with qtbot.waitSignal(signal, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(panel.list, getattr(Qt.Key, f"Key_{key}"))
    assert blocker.args == args
    assert "F2 / Delete" in shortcuts_html()


def test_a_tile_of_one_says_one_answer(tmp_path):
    """The Fine-tune tab's tiles read "1 good answers", "1 bad answers"."""
    from desktop_app.core.store import Store
    from desktop_app.core.train_counts import readiness
    from desktop_app.gui.ready_words import tile_words

    store = Store.open(tmp_path / "db.sqlite3")
    answers = []
    for i in range(4):
        conversation = store.create_conversation(f"q{i}")
        question = store.add_message(conversation, "user", f"Question {i}?")
        answers.append(store.add_message(conversation, "assistant", f"Answer {i}.", parent_id=question))
    store.rate_message(answers[0], 1)
    store.rate_message(answers[1], -1)
    store.rate_token(answers[2], 0, -1)
    store.set_correction(answers[3], "Better.")
    captions = {key: words[3] for key, words in tile_words(readiness(store)).items()}
    assert captions == {"thumbs_up": "good answer", "thumbs_down": "bad answer", "token_ratings": "rated token",
                        "corrections": "better answer"}
    store.rate_message(answers[2], 1)
    assert tile_words(readiness(store))["thumbs_up"][::3] == (2, "good answers")
    store.close()


def test_compare_does_not_call_an_answer_cut_to_the_window_whole(make_window, qtbot, tmp_path):
    """An answer longer than the model's window is scored up to the window's end: the view showed
    its start and said "The whole answer is now …"."""
    from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    long_answer = " The moon is a rock that goes round the earth once a month." * 20  # past 128 tokens
    mid = stored_answer(window, text=long_answer, finish_reason="length", rating=-1)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    summary = view.summary.text()
    assert "The whole answer" not in summary and "fits the model's window" in summary, summary
    view.window().close()
    short = stored_answer(window, rating=-1)
    view = window.open_compare(short).view
    qtbot.waitUntil(lambda: view.message_id == short and len(view.values) > 0, timeout=WAIT_MS)
    assert view.summary.text().startswith("The whole answer"), "an answer scored whole is still called so"
