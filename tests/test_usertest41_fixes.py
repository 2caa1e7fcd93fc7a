"""usertest41: a returning person came back to yesterday's conversations and text by keys. What they met, mended
(pytest-qt, offscreen, the real window on the tiny fixture model, the real store): Ctrl+F typed into the prompt
instead of searching the conversations; in the search, Down and Enter did nothing; Enter on a conversation left the
cursor in the list; Ctrl+S opened the export menu on no entry, so its first Enter saved nothing; in the Text tab the
toolbar's export button said "(Ctrl+S)", which there exports the text, while it exports the chat's conversation."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

CTRL = Qt.KeyboardModifier.ControlModifier


def _yesterdays_conversations() -> dict[str, int]:
    """Three conversations kept from an earlier start, newest last: title -> id."""
    store = Store.open(AppPaths.resolve().ensure().db_path)
    made = {}
    for title, question in (("Capitals", "And of Germany?"), ("Sea haiku", "Write a haiku about the sea."),
                            ("Sleep tips", "Give me three tips for sleeping better.")):
        cid = made[title] = store.create_conversation(title)
        store.add_message(cid, "user", question)
    store.close()
    return made


def _active(window, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _search(window, qtbot, words: str) -> None:
    panel = window.conversations
    qtbot.keyClick(window.prompt, Qt.Key.Key_F, CTRL)
    assert panel.search.hasFocus(), "Ctrl+F puts the cursor in the conversations' search"
    qtbot.keyClicks(panel.search, words)


def test_ctrl_f_from_the_text_tab_finds_in_the_text(make_window, qtbot):
    """Since text98 the Text tab's Ctrl+F finds in its text (tests/test_text98_find.py); the prompt still gets
    nothing typed into it."""
    _yesterdays_conversations()
    window = make_window()
    _active(window, qtbot)
    window.set_mode("text")
    window.prompt.setFocus()
    qtbot.keyClick(window.text_view.text_widget(), Qt.Key.Key_F, CTRL)
    assert window.mode == "text", "the text is searched where it is"
    assert window.text_view.find.bar.field.hasFocus()
    assert window.prompt.toPlainText() == "", "nothing typed into the prompt"


def test_ctrl_f_shows_a_hidden_conversation_list(make_window, qtbot):
    window = make_window()
    _active(window, qtbot)
    window.panel_actions["conversations"].trigger()  # Ctrl+B: hidden
    qtbot.waitUntil(lambda: not window.conversations.isVisible())
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_F, CTRL)
    qtbot.waitUntil(lambda: window.conversations.isVisible() and window.conversations.search.hasFocus())


def test_enter_in_the_search_opens_the_first_match_at_its_words_and_esc_goes_to_the_prompt(make_window, qtbot):
    """The cursor went to the prompt; since leftovers85 it goes to the words found (ringed a moment), and Esc
    from there puts it in the prompt, to go on with the conversation."""
    made = _yesterdays_conversations()
    window = make_window()
    _active(window, qtbot)
    window.open_conversation(made["Sleep tips"])
    _search(window, qtbot, "Germany")  # Enter at once: before the search's pause has refilled the list
    qtbot.keyClick(window.conversations.search, Qt.Key.Key_Return)
    assert window.chat.conversation_id == made["Capitals"], "the one conversation that matches is open"
    found = next(card for card in window.transcript.cards if "Germany" in card.view.toPlainText())
    # (the window's focus child: offscreen, the window loses its activation a moment after the switch, fix or not)
    qtbot.waitUntil(lambda: window.focusWidget() is found.view and found.view.flashed is not None)
    _active(window, qtbot)
    qtbot.keyClick(found.view, Qt.Key.Key_Escape)
    assert window.prompt.hasFocus(), "Esc: the cursor is in its prompt, to go on with it"


def test_down_in_the_search_walks_into_the_matches_and_enter_there_goes_to_the_prompt(make_window, qtbot):
    made = _yesterdays_conversations()
    window = make_window()
    _active(window, qtbot)
    window.open_conversation(made["Sleep tips"])
    panel = window.conversations
    _search(window, qtbot, "e")  # all three match
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)
    assert panel.list.hasFocus(), "Down goes from the search to its matches"
    assert panel.list.count() == 3
    assert window.chat.conversation_id == made["Sleep tips"], "on the conversation open, which matches"
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    assert window.chat.conversation_id == made["Sea haiku"]
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.prompt.hasFocus()
    assert window.chat.conversation_id == made["Sea haiku"]


@pytest.mark.parametrize("mode", ["chat", "text"])
def test_ctrl_s_opens_the_export_menu_on_its_first_entry(make_window, qtbot, monkeypatch, mode):
    from desktop_app.gui import conversation_actions

    made = _yesterdays_conversations()
    window = make_window()
    _active(window, qtbot)
    if mode == "text":
        window.text_view.summary_panel.export_button.setEnabled(True)  # as once its text is analysed
    window.set_mode(mode)
    window.open_conversation(made["Capitals"])
    button = window.text_view.summary_panel.export_button if mode == "text" else window.export_button
    exported = []
    monkeypatch.setattr(conversation_actions, "export_conversation", lambda _w, cid, kind: exported.append((cid, kind)))
    qtbot.keyClick(window.prompt if mode == "chat" else window.text_view.text_widget(), Qt.Key.Key_S, CTRL)
    menu = button.menu()
    qtbot.waitUntil(menu.isVisible)
    first = next(a for a in menu.actions() if not a.isSeparator())
    assert menu.activeAction() is first, f"the menu opens on {first.text()!r}, so one Enter takes it"
    if mode == "chat":
        qtbot.keyClick(menu, Qt.Key.Key_Return)
        assert exported == [(made["Capitals"], "markdown")], "Ctrl+S, Enter: the conversation as Markdown"
    menu.close()


def test_the_toolbar_export_says_in_the_text_tab_that_it_exports_the_chat_s_conversation(make_window):
    window = make_window()
    chat_tip = window.export_button.toolTip()
    assert "(Ctrl+S)" in chat_tip, "in Chat the button's menu is Ctrl+S's"
    window.set_mode("text")
    tip = window.export_button.toolTip()
    assert "(Ctrl+S)" not in tip, "in Text Ctrl+S exports the text, not what this button does"
    assert "Chat tab's conversation" in tip and "The text: Ctrl+S" in tip
    window.set_mode("chat")
    assert window.export_button.toolTip() == chat_tip
