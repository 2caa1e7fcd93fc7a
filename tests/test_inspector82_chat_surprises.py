"""inspector82, finding 3 (session 62's user test): F3 / Shift+F3 walked a chat answer's surprises one by one, with
no list of them as the Text tab has. The Token inspector lists the shown answer's surprises in the Text tab's own
list (text_surprises.SurprisePanel); a row shows its token. pytest-qt on the real window, the tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.surprises import find_surprises, in_text_order  # noqa: E402
from desktop_app.gui.text_surprises import SurprisePanel  # noqa: E402
from test_gui_explain import _answer, window  # noqa: E402,F401  (the window with one answer)


def listed_places(panel) -> list[int]:
    table = panel.list
    return [table.topLevelItem(row).data(0, Qt.ItemDataRole.UserRole) for row in range(table.topLevelItemCount())]


def test_the_inspector_lists_the_answers_surprises_and_a_row_shows_its_token(window, qtbot):
    card = _answer(window)
    surprises = find_surprises(card.view.records)
    assert surprises, "the tiny model's answer has surprises"
    panel = window.chat_surprises.panel
    assert type(panel) is SurprisePanel and not panel.isVisible()
    card.view.choose_token(0)
    assert panel.isVisible() and window.inspector.isAncestorOf(panel)
    assert listed_places(panel) == [s.index for s in surprises], "least likely first, as the Text tab lists them"
    assert f"{len(surprises)} least likely tokens" in panel.words.text()
    rows = min(len(surprises), 6)
    assert panel.list.viewport().height() >= rows * panel.list.sizeHintForRow(0), "its rows show whole"
    last = panel.list.topLevelItem(len(surprises) - 1)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=panel.list.visualItemRect(last).center())
    assert card.view.selected == surprises[-1].index and window.inspector.index == surprises[-1].index
    assert panel.list.currentItem() is last, "the token shown has its row current"
    places = in_text_order(surprises)
    card.view.choose_token(places[0])
    panel.next_button.click()  # F3's step
    assert card.view.selected == (places[1] if len(places) > 1 else places[0])


def test_a_prompt_token_or_an_emptied_inspector_hides_the_list(window, qtbot):
    card = _answer(window)
    card.view.choose_token(0)
    panel = window.chat_surprises.panel
    assert panel.isVisible()
    window.inspector.clear()
    assert not panel.isVisible()
    window.legend.score_prompts.setChecked(True)
    prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
    qtbot.waitUntil(lambda: bool(prompt_card.records), timeout=60_000)
    card.view.choose_token(0)
    assert panel.isVisible()
    window.show_token(prompt_card, 0)
    assert not panel.isVisible()
