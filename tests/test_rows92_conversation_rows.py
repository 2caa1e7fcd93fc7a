"""rows92: among sixty conversations a returning person saw titles only. Each row of the list now has a second,
quieter line: when the conversation was last used ("today 14:05", "yesterday", "Dec 3") and the ratings it holds
("▲2 ▼1 ±3", nothing where none). The title stays the item's text (rename and delete read it), the tooltip and
the search keep working, and the quieter line reads on the row's selection in the light and the dark theme.
pytest-qt on the real panel, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import contrast_ratio  # noqa: E402


def _answered(store, title: str, count: int) -> list[int]:
    cid = store.create_conversation(title)
    ids = []
    for n in range(count):
        question = store.add_message(cid, "user", f"Question {n} about {title}?")
        ids.append(store.add_message(cid, "assistant", f"Answer {n}.", parent_id=question))
    return ids


@pytest.fixture
def panel(store, qtbot):
    from desktop_app.gui.conversation_panel import ConversationPanel

    liked, disliked, tokens = _answered(store, "Capitals of Europe", 3)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    store.rate_token(tokens, 0, -1)
    _answered(store, "Tea", 1)  # newest, nothing rated
    made = ConversationPanel()
    qtbot.addWidget(made)
    made.resize(260, 400)
    made.set_conversations(store.list_conversations(), None)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()


def _rgb(colour) -> tuple[int, int, int]:
    return colour.red(), colour.green(), colour.blue()


def test_each_row_says_when_and_what_was_rated_under_its_title(panel):
    from PySide6.QtCore import Qt

    from desktop_app.gui.conversation_panel import ITEM_TIP, ROW_FACTS

    tea, capitals = panel.list.item(0), panel.list.item(1)
    assert (tea.text(), capitals.text()) == ("Tea", "Capitals of Europe"), "the title alone is the item's text"
    assert tea.data(ROW_FACTS).startswith("today ") and "\u25b2" not in tea.data(ROW_FACTS), tea.data(ROW_FACTS)
    assert capitals.data(ROW_FACTS).endswith(" \u00b7 \u25b21 \u25bc1 \u00b11"), capitals.data(ROW_FACTS)
    assert "3 answers, all rated \u00b7 updated " in capitals.data(ITEM_TIP) and capitals.toolTip().startswith(
        "Capitals of Europe\n"), "the tooltip says what it said"
    title_height = panel.list.fontMetrics().height()
    row = panel.list.visualItemRect(capitals)
    assert row.height() >= title_height * 1.8, f"a {row.height()} px row holds two lines of {title_height} px"
    # the second line is painted: the row's lower half holds text, not only its background
    image = panel.list.viewport().grab().toImage()
    background = image.pixelColor(row.right() - 2, row.bottom() - 2)
    lower = [image.pixelColor(x, y) for y in range(row.center().y() + 2, row.bottom())
             for x in range(row.left(), row.right() - 4)]
    assert sum(1 for colour in lower if colour != background) > 40, "nothing drawn under the title"
    assert panel.list.item(1).data(Qt.ItemDataRole.UserRole) is not None


def test_the_search_keeps_the_rows_second_line(panel, store, qtbot):
    from desktop_app.gui.conversation_panel import ROW_FACTS

    with qtbot.waitSignal(panel.search_changed) as searched:
        panel.search.setText("capitals")
    panel.set_conversations(store.list_conversations(searched.args[0]), None)
    assert panel.list.count() == 1 and panel.list.item(0).text() == "Capitals of Europe"
    assert panel.list.item(0).data(ROW_FACTS).endswith("\u25b21 \u25bc1 \u00b11")


@pytest.mark.parametrize("dark", [False, True])
def test_the_quieter_line_reads_on_a_selected_row_in_either_theme(panel, qapp, qtbot, dark):
    from PySide6.QtGui import QPalette

    from desktop_app.gui.theme import apply_theme, colors

    apply_theme(qapp, dark=dark)
    try:
        panel.list.setCurrentRow(1)
        muted = _rgb(panel.list.palette().color(QPalette.ColorRole.PlaceholderText))
        theme = colors(dark)
        for ground in ("selection", "hover", "panel"):
            ratio = contrast_ratio(muted, tuple(int(theme[ground][i:i + 2], 16) for i in (1, 3, 5)))
            assert ratio >= 3.0, f"the second line on {ground} ({'dark' if dark else 'light'}): {ratio:.2f}:1"
    finally:
        apply_theme(qapp, dark=False)
