"""The Surprises list's third order, "Known by heart", in the real window (pytest-qt, tiny model): the
passages come from core.recited, found off the GUI thread, with their own columns; a row clicked rings its
passage in the heatmap and selects its first token; F3 walks the passages; a token clicked in a passage
makes its row current; the other orders get their columns back; at 800x600 the words stay and the tab's
least height is what it was.

The tiny model's random weights are sure of nothing, so the passages' rows are shown on records made by
hand, put in the real heatmap as an analysis puts its own."""

from __future__ import annotations

import math
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import recited  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.gui import recited_words, surprise_words  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from helpers import watch_calls  # noqa: E402

TEXT = "The keeper counted the waves every night and wrote a word about the moon in his book."
WORDS = ("permission is hereby granted free of charge to any person obtaining a copy of this software and "
         "associated documentation files to deal in the software without restriction").split()


def analysed(qtbot, window, text):
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        window.text_view.editor.setPlainText(text)
    window.text_view.set_editing(False)


def record(n: int, word: str, first: bool) -> TokenRecord:
    return TokenRecord(id=1000 + n, text=f" {word}", logprob=math.log(0.9 if first else 0.02),
                       rank=1 if first else 30, entropy=1.0)


def made_records() -> list[TokenRecord]:
    """New words, a line, a licence the model knows (by heart), new words, the new words again (a repeat)."""
    fresh = [record(n, f"w{n}", False) for n in range(20)]
    licence = [record(100 + n, word, True) for n, word in enumerate(WORDS)]
    line = [TokenRecord(id=7, text="\n", logprob=math.log(0.02), rank=30, entropy=1.0)]
    return fresh + line + licence + line + [record(200 + n, f"x{n}", False) for n in range(10)] + \
        [TokenRecord(r.id, r.text, math.log(0.9), 1, 1.0) for r in fresh]


def in_heatmap(view, records) -> None:
    view.heatmap.set_records(records)
    QApplication.processEvents()


def chose_recited(qtbot, view) -> None:
    if not view.surprises.toggle.isChecked():
        qtbot.mouseClick(view.surprises.toggle, Qt.MouseButton.LeftButton)
    order = view.surprises.panel.order
    order.setCurrentIndex(order.findData(recited_words.ORDER))
    qtbot.waitUntil(lambda: view.surprises.current(), timeout=WAIT_MS)


def rows(view) -> list[tuple[int, int]]:
    table = view.surprises.panel.list
    items = [table.topLevelItem(r) for r in range(table.topLevelItemCount())]
    return [(item.data(0, Qt.ItemDataRole.UserRole), item.data(0, Qt.ItemDataRole.UserRole + 1)) for item in items]


def test_the_passages_are_found_off_the_gui_thread_with_their_own_columns(window, qtbot, monkeypatch):
    view = window.text_view
    real = recited.find_recited
    threads = watch_calls(monkeypatch, recited, "find_recited")
    analysed(qtbot, window, TEXT)
    chose_recited(qtbot, view)
    assert threads and all(t is not threading.main_thread() for t in threads)
    panel, records = view.surprises.panel, view.heatmap.records
    found = real(records, window=window.chat.loaded.context_window)
    assert rows(view) == [(s.start, s.stop) for s in found]
    assert panel.words.text() == recited_words.headline(found, len(records))
    header = panel.list.headerItem()
    assert [header.text(c) for c in range(panel.list.columnCount())] == list(recited_words.HEADERS)
    assert panel.list.textElideMode() == Qt.TextElideMode.ElideRight  # a passage's start says which it is
    # back to a token order: its columns and cut come back
    panel.order.setCurrentIndex(panel.order.findData("least_likely"))
    qtbot.waitUntil(lambda: view.surprises.current(), timeout=WAIT_MS)
    assert [header.text(c) for c in range(panel.list.columnCount())] == list(surprise_words.HEADERS)
    assert panel.list.textElideMode() == Qt.TextElideMode.ElideLeft and panel.list.topLevelItemCount() > 0


def test_a_row_rings_its_passage_and_f3_walks_the_passages(window, qtbot):
    view = window.text_view
    analysed(qtbot, window, TEXT)
    records = made_records()
    in_heatmap(view, records)
    chose_recited(qtbot, view)
    found = recited.find_recited(records)
    assert [s.why for s in found] == [recited.BY_HEART, recited.REPEAT]
    assert rows(view) == [(s.start, s.stop) for s in found]
    table = view.surprises.panel.list
    assert [table.topLevelItem(0).text(c) for c in range(5)] == list(recited_words.cells(records, found[0]))
    assert table.topLevelItem(1).text(0) == "Repeats line 1"
    assert view.surprises.panel.words.text() == recited_words.headline(found, len(records))

    item = table.topLevelItem(1)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(item).center())
    heatmap, repeat = view.heatmap, found[1]
    assert heatmap.selected == repeat.start and window.inspector.index == repeat.start
    assert heatmap.flashed is not None  # the whole passage ringed
    assert heatmap.flashed[:2] == (heatmap.starts[repeat.start], heatmap.ends[repeat.stop - 1])

    heatmap.setFocus()
    qtbot.keyClick(heatmap, Qt.Key.Key_F3)  # past the last: the first
    assert heatmap.selected == found[0].start and table.currentItem() is table.topLevelItem(0)
    qtbot.keyClick(heatmap, Qt.Key.Key_F3)
    assert heatmap.selected == found[1].start
    # a token clicked inside the first passage makes its row current
    heatmap.choose_token(found[0].start + 5)
    assert table.currentItem() is table.topLevelItem(0)


def test_at_800x600_the_words_stay_and_the_least_height_is_kept(window, qtbot):
    from desktop_app.gui.text_surprises import FIGURES_COLUMN, NARROW_LIST_PX

    view = window.text_view
    analysed(qtbot, window, TEXT)
    in_heatmap(view, made_records())
    window.resize(800, 600)
    qtbot.waitUntil(lambda: view.width() < NARROW_LIST_PX + 100, timeout=WAIT_MS)
    QApplication.processEvents()
    least = view.minimumSizeHint().height()
    chose_recited(qtbot, view)
    panel = view.surprises.panel
    qtbot.waitUntil(lambda: panel.width() < NARROW_LIST_PX, timeout=WAIT_MS)
    QApplication.processEvents()
    table = panel.list
    assert table.isColumnHidden(FIGURES_COLUMN) and not table.isColumnHidden(len(recited_words.HEADERS) - 1)
    words_column = len(recited_words.HEADERS) - 1
    assert table.columnViewportPosition(words_column) < table.viewport().width() - 60  # words in view, not scrolled off
    # no room left empty under the two rows (the list had six of the first order's a moment before)
    qtbot.waitUntil(lambda: panel.height() <= panel.sizeHint().height(), timeout=WAIT_MS)
    qtbot.mouseClick(view.surprises.toggle, Qt.MouseButton.LeftButton)  # closed again
    QApplication.processEvents()
    assert view.minimumSizeHint().height() == least
