"""dark87 (a user test at 200 %): the Token inspector's "5 least likely tokens" ran past the list's right edge,
its last column ("In the text") reached only by scrolling sideways and "Model expected"'s figures cut at the edge,
in rows of one line of text and 2 px. Its columns now fit the list's width from the font's metrics (headers give
way before cells), its rows have half a line of room. pytest-qt on the real window (tiny model); the same test
passes with QT_SCALE_FACTOR=2, and at a doubled font, the other way a screen's scale reaches the list."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import answered_window  # noqa: E402


@pytest.fixture
def surprise_list(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.text_surprises import SurprisePanel

    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        window.resize(1280, 800)
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        card.view.choose_token(3)
        QApplication.processEvents()
        panel = next(p for p in window.inspector.findChildren(SurprisePanel) if p.isVisible())
        yield panel.list, card.view.records


def _shown(table) -> list[int]:
    return [column for column in range(table.columnCount()) if not table.isColumnHidden(column)]


def _assert_fits(table) -> None:
    header = table.header()
    *fixed, last = _shown(table)
    assert table.topLevelItemCount() >= 2 and last == table.columnCount() - 1
    assert table.horizontalScrollBar().maximum() == 0, "a column is reached only by scrolling sideways"
    assert header.length() <= table.viewport().width()
    for column in fixed:  # no figure cut ("57.0" of "Model expected" was)
        assert header.sectionSize(column) >= table.sizeHintForColumn(column), table.headerItem().text(column)
    assert header.sectionSize(last) >= header.sectionSizeHint(last), "the last column's header is whole"
    line = table.fontMetrics().height()
    assert table.sizeHintForRow(0) >= line * 1.5 - 1, (table.sizeHintForRow(0), line)


def test_the_inspectors_surprise_list_fits_its_width_in_rows_with_room(surprise_list):
    _assert_fits(surprise_list[0])


def test_the_list_fits_at_twice_the_font_in_twice_the_width(surprise_list, qtbot):
    """What 200 % does to the list's text and room, on a list of its own: the same rows, the font and the width
    doubled; its columns grow with the font."""
    from desktop_app.core.surprises import find_surprises
    from desktop_app.gui.text_surprises import SurprisePanel

    table, records = surprise_list
    panel = SurprisePanel()
    qtbot.addWidget(panel)
    panel.show_rows(find_surprises(records), records)
    panel.resize(table.parent().width(), 300)
    panel.show()
    qtbot.waitExposed(panel)
    _assert_fits(panel.list)
    narrow = [panel.list.header().sectionSize(column) for column in (0, 1, 2)]
    font = panel.list.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    panel.list.header().setFont(font)  # on the list and its header: one set on the panel did not reach them
    panel.list.setFont(font)
    panel.resize(panel.width() * 2, 600)
    QApplication.processEvents()
    _assert_fits(panel.list)
    wide = [panel.list.header().sectionSize(column) for column in (0, 1, 2)]
    assert all(w > n for w, n in zip(wide, narrow)), (narrow, wide)
