"""usertest37's fixes in the real window on the tiny GPT-2: "How likely was…?" on a token the person wrote in
the Text tab does not blame a sampler; a click on the Chat tab gives the keyboard to the prompt; Enter while an
answer streams says why it sent nothing."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.prompts import encode  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def _written_below_its_first_choice(window) -> int:
    """A token of the person's text the model ranked below its first choice, whose first choice is one token."""
    records, tokenizer = window.text_view.heatmap.records, window.chat.loaded.tokenizer
    return next(i for i, r in enumerate(records) if i > 3 and r.rank > 1 and r.top
                and encode(tokenizer, r.top[0].text) == [r.top[0].id])


def test_a_likelier_word_than_the_persons_own_token_does_not_say_a_sampler_picked_it(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        index = _written_below_its_first_choice(window)
        record = window.text_view.heatmap.records[index]
        window.text_mode.show_token(index, record)
        box = window.inspector.probe
        box.edit.setText(record.top[0].text)
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        said = box.result.text()
        assert "more likely than the written token" in said, said
        assert "sampler" not in said and "you chose the less likely one" in said, said
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)


def test_a_click_on_the_chat_tab_gives_the_keyboard_to_the_prompt(qtbot, qapp, tiny_model_dir):
    from PySide6.QtWidgets import QApplication

    from gui_windows import active

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        active(qtbot, window)
        index = _written_below_its_first_choice(window)
        window.text_mode.show_token(index, window.text_view.heatmap.records[index])
        typed_in = window.inspector.probe.edit  # the last thing the person typed in, in the Text tab's inspector
        typed_in.setFocus()
        qtbot.waitUntil(typed_in.hasFocus, timeout=2000)
        bar = window.mode_tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
        assert window.mode == "chat"
        assert QApplication.focusWidget() is window.prompt, f"the keys went to {QApplication.focusWidget()!r}"
        qtbot.keyClicks(QApplication.focusWidget(), "Who wrote Hamlet?")
        assert window.prompt.toPlainText() == "Who wrote Hamlet?"


def test_enter_while_an_answer_streams_says_why_nothing_was_sent(qtbot, qapp, tiny_model_dir):
    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.main_window import open_settings
    from gui_windows import opened_window

    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=40, seed=7) as window:
        window.prompt.setPlainText("Hello, how are you?")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
            qtbot.waitUntil(lambda: window.chat.generating, timeout=WAIT_MS)
            qtbot.keyClicks(window.prompt, "Who wrote Hamlet?")
            qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
            said = window.statusBar().currentMessage()
            assert window.chat.generating, "the answer ended before Enter: nothing was tested"
            assert window.prompt.toPlainText() == "Who wrote Hamlet?"
            assert "Still writing the answer" in said and "Enter again" in said, repr(said)
        assert window.statusBar().currentMessage() != said, "the answer has ended: the words are no longer true"
        window.chat.shutdown()
