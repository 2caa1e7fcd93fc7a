"""html103: the window's export menu writes the conversation on screen as one web page ("Conversation as a web
page…"), on the store lane: every turn of the branch shown, each answer on its tokens' colours. Real window,
tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui import conversation_actions  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401
from test_html100_heatmap_html import parsed  # noqa: E402

ITEM = "Conversation as a web page\u2026"


def test_the_export_menu_writes_the_conversation_as_a_page(make_window, qtbot, tmp_path):
    window = make_window()
    ask(qtbot, window, "First <question>")
    ask(qtbot, window, "Second question")
    assert [a.text() for a in window.export_button.menu().actions()].count(ITEM) == 1
    cid = window.chat.conversation_id
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):
        path = conversation_actions.export_conversation(window, cid, "html", str(tmp_path / "chat.html"))
    page = open(path, encoding="utf-8").read()
    tree = parsed(page)
    assert tree.faults == [] and tree.open == []
    assert page.count("<section class=\"turn") == len(window.chat.thread()) == 4
    records = [r for card in answer_cards(window) for r in card.records]
    assert [s["text"] for s in tree.spans] == [r.text for r in records] and records
    assert "First &lt;question&gt;" in page and "(the base model)" in page
    window.close()
