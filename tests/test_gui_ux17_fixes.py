"""Usertest 7's cosmetic findings still open after its first fixes, checked in a real window
(ux17) and tested here with real widgets (pytest-qt, offscreen), the tiny GPT-2 and the real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFontMetrics  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import window_with_the_story  # noqa: E402,F401 (the text_window fixture)
from test_gui import WAIT_MS  # noqa: E402


def painted_outline_text(panel, item) -> str:
    """The words a branch's line shows: the outline elides a line too long for its column."""
    width = panel.outline.visualItemRect(item).width() - 8  # column 0, less its indentation and margins
    return QFontMetrics(item.font(0)).elidedText(item.text(0), panel.outline.textElideMode(), width)


# ---------------------------------------------------------------- F11: the ✎ of a saved better continuation

def test_the_better_mark_shows_on_a_branch_whose_line_is_cut(text_window, qtbot):
    """ux17: the outline's ✎ came after the branch's first words, so a line the narrow column cut
    (most continuations in a wide window, where the outline sits beside the heatmap) lost it."""
    from test_gui_loom import branches, continue_with, settle

    window = text_window
    window.resize(1280, 800)
    view = window.text_view
    continue_with(qtbot, window, view.continue_button.click)
    (branch,) = branches(window)
    panel = view.branch_panel
    panel.rename(branch, "The keeper counted every wave until the morning came")
    view.write_better(branch, " and the sea answered him in a voice like thunder.")
    settle(window)
    qtbot.waitUntil(lambda: panel.better_button.text() == "\u270e Edit\u2026", timeout=WAIT_MS)
    QApplication.processEvents()
    item = panel.item_for(branch)
    shown = painted_outline_text(panel, item)
    assert shown != item.text(0), f"the line is cut at this width: {shown!r}"
    assert "\u270e" in shown, f"the mark is cut off with the words: {shown!r}"
    view.write_better(branch, "")  # removed: the mark goes
    settle(window)
    qtbot.waitUntil(lambda: panel.better_button.text() == "Better\u2026", timeout=WAIT_MS)
    assert "\u270e" not in panel.item_for(branch).text(0)


# ---------------------------------------------------------------- F14: the sentence's figures name both tokens

def test_the_after_figures_name_the_token_that_was_taken_over():
    """ux17: in a real window Compare read "“han” is now as likely as “␣t”: before ␣t 0% · … → after
    han 0% · o 0%": the token named was not among the "after" figures, so the claim could not be read
    off them. Now they name it: its share where the scores kept it, else below the least kept."""
    import math

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    def record(prob, top):
        return TokenRecord(id=2, text=" stumbled", logprob=math.log(prob), rank=1, entropy=1.0,
                           top=tuple(Alternative(i, text, p) for i, text, p in top))

    before = record(0.12, [(1, " discovered", 0.16), (2, " stumbled", 0.12)])
    third = displaced_words(before, record(0.30, [(2, " stumbled", 0.30), (3, " found", 0.20),
                                                  (1, " discovered", 0.10)]), token_label)
    assert third.endswith(f"after \u201c{token_label(' stumbled')}\u201d\u00a030%\u00a0\u00b7 "
                          f"\u201c{token_label(' found')}\u201d\u00a020%\u00a0\u00b7 "
                          f"\u201c{token_label(' discovered')}\u201d\u00a010%"), third
    gone = displaced_words(before, record(0.30, [(2, " stumbled", 0.30), (3, " found", 0.20),
                                                 (4, " saw", 0.034)]), token_label)
    assert gone.endswith(f"\u201c{token_label(' discovered')}\u201d\u00a0<4%"), gone
    assert "took the place of" in gone
    shown = displaced_words(before, record(0.30, [(2, " stumbled", 0.30), (1, " discovered", 0.10)]), token_label)
    assert shown.count(token_label(" discovered")) == 3, "named once in the sentence and once in each list"
