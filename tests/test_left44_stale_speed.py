"""The status bar's tokens/s is the last answer's and says so (its tooltip), and it goes once it is no
longer true of what is on screen: another conversation (a new one or one opened), another adapter put
on (user test: "23.4 tokens/s" stood on after those and read as the speed now). Real window, tiny model,
a real adapter folder activated as the command line does."""

from __future__ import annotations

from desktop_app.core import adapters
from gui_windows import WAIT_MS, answered_window
from tiny_model import random_lora


def test_the_speed_is_the_last_answers_and_goes_with_its_conversation(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        label = window.speed_label
        assert label.text().endswith("tokens/s")
        assert label.toolTip().startswith("The last answer's speed (12 tokens), with base:")
        answered = window.chat.conversation_id
        window.new_conversation()
        assert label.text() == "" and label.toolTip() == ""
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.prompt.setPlainText("And then?")
            window.send()
        assert label.text().endswith("tokens/s")
        window.open_conversation(answered)
        assert label.text() == "", "the speed was an answer's in the conversation left"


def test_another_adapter_put_on_clears_the_speed_and_the_same_one_keeps_it(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        label = window.speed_label
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            window.chat.adapter_changed.emit(None)  # the same (base) model again: a failed switch says so
        assert label.text().endswith("tokens/s"), "nothing changed: the speed still holds"
        store = window.chat.store
        adapter = adapters.save_adapter(store, random_lora(tiny_model_dir, 2), window.paths,
                                        base_model=window.chat.loaded.model_id, run_id=None, parent_id=None,
                                        settings={}, metrics={"imported": True})
        adapters.activate(store, adapter)
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            window.chat.notice_outside_adapter_change()
        assert window.chat.adapter_id == adapter
        assert label.text() == "", "the speed was the base model's"
