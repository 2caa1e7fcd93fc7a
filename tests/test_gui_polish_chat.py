"""What a new user hit (issue 15), on real widgets (pytest-qt, offscreen, the tiny random GPT-2): the
chat's everyday features: which model wrote an answer, a failed load, the token meter, the answer
header, titles, keys, copy, export, notify, edit and resend, F1."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from helpers import token_record  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


def meter_after_typing(qtbot, window, text):
    window.prompt.setPlainText(text)
    qtbot.waitUntil(lambda: not window.context_meter.timer.isActive() and not window.chat.lane.tasks,
                    timeout=WAIT_MS)
    window.context_meter.refresh()
    return window.prompt_area.meter


def test_failed_load_says_which_model_stays_and_the_dialog_preselects_it(make_window, qtbot, tiny_model_dir, tmp_path):
    window = make_window()
    in_use = window.model_label.text()
    assert not in_use.startswith("Loading")
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        window.load_model(str(tmp_path / "not-there"))
    assert window.model_label.text() == in_use, "the status bar still said Loading..."
    assert not window.progress.isVisible()
    dialog = window.model_dialog()
    assert dialog.path_radio.isChecked() and dialog.spec() == str(tiny_model_dir.resolve())
    assert window.error_banner.isVisibleTo(window)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(tiny_model_dir))
    assert not window.error_banner.isVisibleTo(window), "the failure was about another model"


def test_the_model_in_use_names_its_spec():
    from desktop_app.core.model_sources import BUNDLED_SPEC, ModelSource
    from desktop_app.gui.model_dialog import spec_in_use

    bundled = ModelSource("gguf", "bundled:SmolLM2-135M-Instruct", "/x/a.gguf", "SmolLM2", notice="offline")
    assert spec_in_use(bundled) == BUNDLED_SPEC
    assert spec_in_use(ModelSource("folder", "openai-community/gpt2-medium", "/c", "gpt2-medium")) == "gpt2-medium"
    assert spec_in_use(ModelSource("folder", "folder:/m/tiny", "/m/tiny", "tiny")) == "/m/tiny"
    assert spec_in_use(ModelSource("hub", "someone/model", "someone/model", "model")) == "someone/model"


def test_answers_name_their_model_and_adapter(make_window, qtbot, tmp_path):
    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    ask(qtbot, window, "Hello")
    base_card = answer_cards(window)[-1]
    assert base_card.role_label.text().endswith("\u00b7 base model")
    assert loaded.source.display_name in base_card.role_label.toolTip()
    aid = store.add_adapter(tmp_path / "a1", base_model=loaded.model_id)
    user = next(m for m in window.chat.thread() if m["role"] == "user")
    sibling = store.add_message(window.chat.conversation_id, "assistant", "Hi", parent_id=user["id"],
                                model_id=loaded.model_id, adapter_id=aid, records=[])
    window.chat.choice[user["id"]] = sibling
    window.chat.reload()
    card = answer_cards(window)[-1]
    assert card.message_id == sibling
    assert card.role_label.text() == f"{loaded.source.display_name.split(' (')[0]} \u00b7 adapter {aid}"
    qtbot.mouseClick(card.prev_button, Qt.MouseButton.LeftButton)
    assert answer_cards(window)[-1].role_label.text().endswith("base model"), "the siblings differ by author"


def test_token_meter_counts_the_context_and_says_what_will_not_fit(make_window, qtbot):
    from desktop_app.core.prompts import Turn, build_prompt

    window = make_window(max_new_tokens=16)
    loaded = window.chat.loaded  # the tiny model: a 128-token context window
    meter = meter_after_typing(qtbot, window, "Hello there")
    expected = len(build_prompt(loaded.tokenizer, [Turn("user", "Hello there")], context_window=128,
                                max_new_tokens=16).ids)
    assert meter.isVisible() and meter.text() == f"{expected} / 128 tokens of context"
    assert meter.property("kind") == "info"
    meter = meter_after_typing(qtbot, window, "word " * 400)
    assert re.match(r"[\d,]+ / 128 tokens of context: [\d,]+ too many", meter.text()), "the count leads"
    assert "too many with 16 kept for the answer" in meter.text()
    assert meter.property("kind") == "warn"
    assert "middle of the prompt" in meter.text()
    window.prompt.clear()
    ask(qtbot, window, "tell me " * 20)
    ask(qtbot, window, "more " * 20)
    meter = meter_after_typing(qtbot, window, "and now " * 12)
    assert "oldest turn" in meter.text() and "left out" in meter.text()
    assert re.match(r"[\d,]+ / 128 tokens of context, without", meter.text()), "the count leads"


def test_meter_words():
    from desktop_app.gui.context_meter import meter_words

    assert meter_words(1500, 2048, 0, 0)[0].endswith("the first token takes longer")
    # the count leads every line, the warnings too; what they warn about follows it
    assert meter_words(10, 2048, 1, 0)[0] == (
        "10 / 2,048 tokens of context, without the oldest turn \u00b7 it no longer fits and will be left out")
    assert meter_words(10, 2048, 3, 0)[0] == (
        "10 / 2,048 tokens of context, without the 3 oldest turns \u00b7 they no longer fit and will be left out")
    # the count is what was typed, not what is left after the cut; the excess is over the context
    # less the answer's room (usertest 5: "8,086 tokens: 22 more than the 8,192-token context")
    assert meter_words(8064, 8192, 4, 22, 128)[0] == (
        "8,086 / 8,192 tokens of context: 22 too many with 128 kept for the answer \u00b7 "
        "the 4 earlier turns and the middle of the prompt will be left out")
    assert meter_words(2000, 2048, 0, 500)[0].startswith("2,500 / 2,048 tokens of context: 500 too many \u00b7 ")


def test_meta_line_drops_whole_parts_and_counts_in_words(qapp):
    from PySide6.QtGui import QFontMetrics, QFont

    from desktop_app.gui.answer_words import answer_meta
    from desktop_app.gui.elided_labels import fitted_meta

    metrics = QFontMetrics(QFont())
    line = "12 tokens \u00b7 branched at token 3 \u00b7 25.0 tok/s"
    room = metrics.horizontalAdvance("12 tokens \u00b7 branched at token 3") + 4
    assert fitted_meta(line, metrics, room) == "12 tokens \u00b7 branched at token 3"
    assert fitted_meta(line, metrics, metrics.horizontalAdvance("12 tokens \u00b7 bran")) == "12 tokens"
    assert fitted_meta(line, metrics, 10_000) == line
    assert answer_meta({"settings": {}}, [token_record(5, " cat", 0.9)]) == "1 token"
    assert answer_meta({"settings": {}}, [token_record(5, " cat", 0.9)] * 2) == "2 tokens"


def test_conversations_that_start_alike_get_distinct_titles(make_window, qtbot):
    from desktop_app.core.session import distinct_title

    assert distinct_title("Hi", ["Hi", "Hi (2)"]) == "Hi (3)" and distinct_title("Yo", ["Hi"]) == "Yo"
    window = make_window()
    ask(qtbot, window, "What is a cat?")
    window.new_conversation()
    ask(qtbot, window, "What is a cat?")
    titles = [window.conversations.list.item(i).text() for i in range(window.conversations.list.count())]
    assert sorted(titles) == ["What is a cat?", "What is a cat? (2)"]


def test_enter_sends_shift_enter_new_line_and_the_other_way(make_window, qtbot):
    window = make_window()
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "first line")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.prompt, "second")
    assert window.prompt.toPlainText() == "first line\nsecond"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    assert window.prompt.toPlainText() == ""
    assert window.chat.thread()[0]["text"] == "first line\nsecond"
    window.popover.enter_sends.setChecked(False)  # the setting for the other way
    qtbot.keyClicks(window.prompt, "a")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    qtbot.keyClicks(window.prompt, "b")
    assert window.prompt.toPlainText() == "a\nb" and not window.chat.generating
    assert "Ctrl+Enter sends" in window.prompt.placeholderText()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.save_state()
    window.close()
    assert make_window(wait=False).prompt.enter_sends is False, "the choice is remembered"


def test_copy_an_answer_as_text_and_markdown(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "Say hi")
    card = answer_cards(window)[-1]
    names = [a.text() for a in card.export_button.menu().actions()]
    assert "Copy text" in names and "Copy as Markdown" in names
    next(a for a in card.export_button.menu().actions() if a.text() == "Copy text").trigger()
    clipboard = QApplication.clipboard()
    assert clipboard.text() == card.message["text"]
    next(a for a in card.export_button.menu().actions() if a.text() == "Copy as Markdown").trigger()
    markdown = clipboard.text()
    assert markdown.startswith("> Say hi\n\n") and card.message["text"].strip() in markdown
    assert "base model" in markdown


def test_export_a_whole_conversation_as_markdown_and_json(make_window, qtbot, tmp_path):
    import json

    from desktop_app.gui import conversation_actions

    window = make_window()
    ask(qtbot, window, "First question")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.regenerate()  # a second answer: a branch
        assert "fixed seed (7)" in window.statusBar().currentMessage()  # the same answer again: said why
    ask(qtbot, window, "Second question")
    cid = window.chat.conversation_id
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):  # written on the store lane
        md = conversation_actions.export_conversation(window, cid, "markdown", str(tmp_path / "c.md"))
    text = open(md, encoding="utf-8").read()
    shown = window.chat.thread()
    assert text.startswith("# First question\n")
    assert [line for line in text.splitlines() if line.startswith("## ")][:2] == [
        "## You", f"## {shown[1]['model_id'].split('/')[-1]} (base model) \u2014 answer 2 of 2"]
    for m in shown:
        assert m["text"].strip() in text
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):
        js = conversation_actions.export_conversation(window, cid, "json", str(tmp_path / "c.json"))
    data = json.loads(open(js, encoding="utf-8").read())
    assert data["title"] == "First question" and len(data["messages"]) == 5  # every branch
    assert [m["id"] for m in data["messages"] if m["shown"]] == [m["id"] for m in shown]
    assert all("parent_id" in m and "adapter_id" in m for m in data["messages"])
    saved = []
    window.conversations.export_requested.disconnect()
    window.conversations.export_requested.connect(
        lambda c, kind: saved.append(conversation_actions.export_conversation(window, c, kind, str(tmp_path / "x"))))
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):
        window.conversations.export_requested.emit(cid, "json")  # what the list's context menu asks for
    assert saved and json.loads(open(saved[0], encoding="utf-8").read())["id"] == cid


def test_edit_one_of_my_messages_and_resend_as_a_new_branch(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "What is a dog?")
    first_user, first_answer = window.chat.thread()[0], window.chat.thread()[1]
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    qtbot.mouseClick(user_card.edit_button, Qt.MouseButton.LeftButton)
    assert window.prompt.toPlainText() == "What is a dog?" and window.notice_banner.isVisible()
    window.prompt.setPlainText("What is a cat?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    thread = window.chat.thread()
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert thread[0]["text"] == "What is a cat?" and thread[0]["parent_id"] == first_user["parent_id"]
    assert thread[0]["id"] != first_user["id"]
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    assert user_card.sibling_label.text() == "2/2" and user_card.prev_button.isVisible()
    qtbot.mouseClick(user_card.prev_button, Qt.MouseButton.LeftButton)  # back to the old branch, kept whole
    assert [m["id"] for m in window.chat.thread()] == [first_user["id"], first_answer["id"]]
    # Esc cancels an edit
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    qtbot.mouseClick(user_card.edit_button, Qt.MouseButton.LeftButton)
    window.stop()
    assert window.message_editor.editing is None and window.prompt.toPlainText() == ""


def test_only_a_long_answer_notifies(make_window, qtbot):
    from PySide6.QtWidgets import QWidget

    window = make_window()
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=2000)
    window.chat.answer_finished.emit({"message_id": 1, "tokens": 20, "tokens_per_s": 20.0})
    assert window.notifier.last is None, "a one-second answer needs no notice"
    window.chat.answer_finished.emit({"message_id": 1, "tokens": 120, "tokens_per_s": 4.0})
    assert window.notifier.last[1:] == ("Answer ready", "120 tokens in 30 s")


def test_f1_lists_the_shortcuts_and_ctrl_1_2_switch_chat_and_text(make_window, qtbot):
    from PySide6.QtGui import QShortcut

    from desktop_app.gui import shortcuts

    window = make_window()
    bound = {s.key().toString() for s in window.findChildren(QShortcut)}
    assert {"Ctrl+1", "Ctrl+2", "Ctrl+,", "F1", "Ctrl+N", "Esc"} <= bound
    box = shortcuts.show_shortcuts(window)
    shown = box.browser.toPlainText()
    assert box.isVisible() and "Ctrl+Shift+B" in shown and "rate the selected token" in shown
    box.close()
    by_keys = {s.key().toString(): s for s in window.findChildren(QShortcut)}
    by_keys["Ctrl+2"].activated.emit()
    assert window.mode == "text"
    by_keys["Ctrl+1"].activated.emit()
    assert window.mode == "chat"
