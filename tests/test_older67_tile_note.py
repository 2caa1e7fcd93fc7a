"""older67: the better-answers tile's two-clause note ("1 for a disliked answer; 1 mixed, for a liked answer")
wrapped mid-clause in the narrow dock ("…; 1" / "mixed, …"): it takes a clause a line where each fits, else
a short form with the whole words in its tooltip. pytest-qt, offscreen, real widgets."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401

WHOLE = "1 for a disliked answer; 1 mixed, for a liked answer"
COUNTS = {"total": 4, "thumbs_up": 1, "thumbs_down": 1, "corrections": 2, "token_ratings": 0,
          "disliked_and_corrected": 1, "liked_and_corrected": 1}


def _tile_at(qtbot, width: int):
    from desktop_app.gui.finetune_widgets import CountTile
    from desktop_app.gui.ready_words import tile_short_notes, tile_words

    tile = CountTile("better answers")
    qtbot.addWidget(tile)
    value, note, tip, caption = tile_words(COUNTS)["corrections"]
    tile.set_value(value, note, tip, caption, tile_short_notes(COUNTS)["corrections"])
    tile.resize(width, 120)
    tile.show()
    qtbot.waitExposed(tile)
    return tile


def test_the_note_is_whole_on_one_line_where_it_fits(qtbot, qapp):
    tile = _tile_at(qtbot, 600)
    assert tile.note.text() == WHOLE and tile.note.toolTip() == ""


def test_the_note_takes_a_clause_a_line_where_each_fits(qtbot, qapp):
    wide = _tile_at(qtbot, 600)
    widest_clause = max(wide.note.fontMetrics().horizontalAdvance(clause) for clause in WHOLE.split("; "))
    tile = _tile_at(qtbot, widest_clause + 40)
    assert tile.note.text() == "1 for a disliked answer;\n1 mixed, for a liked answer"


def test_a_narrow_dock_gives_the_short_note_with_the_whole_in_its_tooltip(make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.writer.counts_changed):  # the store's own count is in before these
        window.writer.recount()
    _resized(window, 640, 480)
    window.side_tabs.setCurrentWidget(window.finetune_panel)
    window.splitter.setSizes([10_000 if i != window.splitter.indexOf(window.side_tabs) else 1
                              for i in range(window.splitter.count())])  # the dock at its least width
    panel = window.finetune_panel
    panel.set_counts(COUNTS)
    note = panel.tiles["corrections"].note
    qtbot.waitUntil(lambda: note.text() == "1 disliked \u00b7 1 mixed")
    # checked at once: the window's own recount of its (empty) store may replace these counts at any later turn
    assert note.toolTip() == WHOLE, "the whole words where the short ones are"


def _resized(window, width: int, height: int) -> None:
    """``window`` at width x height: a resize is held to the least width of that moment, which a queued
    compaction of the rows lowers later (see test_geometry62's _fill_screen), so it is asked until it takes."""
    import time

    from PySide6.QtCore import QSize

    target, deadline = QSize(width, height), time.monotonic() + 20.0
    window.resize(target)
    while window.size() != target and time.monotonic() < deadline:
        QApplication.processEvents()
        window.resize(target)
