"""While a continuation is written the Text tab says what is on screen (textflow67, a writer's notes at 1280x800):
the summary's figures are of the text the new branch starts from, not of the text after the cursor or of the branch
shown before; the branches list marks the branch being written; the tab's short "writing…" stays in its bar, its tooltip
saying where the text after the cursor went. The TOKEN RANKS row and
the thumbs keep their place as a text's first continuation starts; a figure stays with its words.
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.core.text_notes import (AT_THE_LIMIT, FIGURES_BEFORE_CONTINUATION, WRITING_CONTINUATION,  # noqa: E402
                                         WRITING_FROM_CURSOR)
from desktop_app.gui.text_summary import NO_BREAK, figures_text  # noqa: E402
from desktop_app.gui.text_tree_panel import WRITING, WRITING_ROW  # noqa: E402
from gui_windows import WAIT_MS, not_busy  # noqa: E402
from test_gui_loom import TEXT, continue_with, settle, window  # noqa: E402,F401


def at_stream_start(window) -> list[dict]:
    """What the tab shows as each continuation starts (after the tab's own handler: connected later)."""
    view, seen = window.text_view, []
    current = view.branch_panel.outline.currentItem

    def record(_plan):
        # taken before any event is processed: on a busy CPU the first tokens came in with them, and the heatmap's
        # records were no longer those the figures were of
        seen.append({"figures": view.summary_panel.figures.text(), "summary": view.summary_panel.summary,
                     "records": list(view.heatmap.records), "row": current().text(0) if current() else None,
                     "tip": view.status.toolTip(), "status": view.status.text()})
        QApplication.processEvents()  # the bar fitted to the status words (a layout pass)
        seen[-1]["status_in_bar"] = view.bar.status_line.indexOf(view.status) < 0
    window.text.stream_started.connect(record)
    return seen


def continued_to_the_end(qtbot, window, action) -> None:
    continue_with(qtbot, window, action)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    settle(window)


def test_a_branch_from_the_cursor_shows_what_it_starts_from_while_it_is_written(window, qtbot):
    view = window.text_view
    continued_to_the_end(qtbot, window, view.continue_button.click)
    before = view.summary_panel.summary
    assert before.yours is not None and window.statusBar().currentMessage() == AT_THE_LIMIT.format(
        count=window.chat.settings.max_new_tokens)
    seen = at_stream_start(window)
    view.set_editing(True)
    cursor = view.editor.textCursor()
    cursor.setPosition(len(TEXT) // 2)  # the words after the cursor stay in their branch
    view.editor.setTextCursor(cursor)
    continued_to_the_end(qtbot, window, view.continue_text)
    (start,) = seen
    kept = start["records"]
    assert 0 < len(kept) < before.yours.tokens, "the heatmap keeps the tokens before the cursor"
    assert start["summary"] == documents.summarize(kept), "the figures are of the text the branch starts from"
    words, says = start["figures"].split("\n")
    assert words == figures_text(documents.summarize(kept)).split("\n")[0] and says == FIGURES_BEFORE_CONTINUATION
    assert "With the model's continuation" not in start["figures"], "the branch shown before: not on screen"
    assert start["row"] == WRITING_ROW, "the list marks the branch being written"
    assert start["tip"] == WRITING_FROM_CURSOR and start["status"] == "writing\u2026" and start["status_in_bar"]
    # ended: the new branch is the list's current row, and the status bar says why it ended
    assert view.branch_panel.item_for(WRITING) is None
    assert view.branch_panel.outline.currentItem() is view.branch_panel.item_for(window.text.tree.shown)
    assert window.statusBar().currentMessage() == AT_THE_LIMIT.format(count=window.chat.settings.max_new_tokens)


def test_a_continuation_from_the_end_says_it_is_writing_and_keeps_the_figures(window, qtbot):
    view = window.text_view
    before = view.summary_panel.summary
    seen = at_stream_start(window)
    continued_to_the_end(qtbot, window, view.continue_button.click)
    (start,) = seen
    assert start["summary"] == before, "nothing was cut: the same figures, dimmed"
    assert start["tip"] == WRITING_CONTINUATION and start["row"] == WRITING_ROW


def tops(window) -> tuple[int, int]:
    QApplication.processEvents()
    view = window.text_view
    return tuple(widget.mapTo(window, QPoint(0, 0)).y() for widget in (view.summary_panel.title,
                                                                       view.branch_panel.up_button))


def test_the_token_ranks_row_and_the_thumbs_stay_as_a_first_continuation_starts(window, qtbot):
    window.resize(1280, 800)
    settle(window)
    view = window.text_view
    assert "With the model's continuation" not in view.summary_panel.figures.text()
    places = [tops(window)]
    window.text.tokens.connect(lambda _records: places.append(tops(window)))
    continued_to_the_end(qtbot, window, view.continue_button.click)
    places.append(tops(window))
    assert "With the model's continuation" in view.summary_panel.figures.text()
    assert len(set(places)) == 1, f"the rows moved: {places}"


def test_a_figure_stays_with_its_words():
    records = [TokenRecord(id=1, text=t, logprob=lp, rank=rank, entropy=1.0)
               for t, lp, rank in ((" The", -4.0, 40), (" cat", -2.0, 3), (" sat", -0.5, 1))]
    whole = documents.summarize_authored(records, [False, True, True])
    first, _shares, continued = figures_text(whole).split("\n")
    yours, join = whole.yours, f"{NO_BREAK}\u00b7{NO_BREAK}"
    assert first.endswith(f"mean{NO_BREAK}surprisal{NO_BREAK}{yours.mean_surprisal_bits:.2f}{NO_BREAK}bits{join}"
                          f"perplexity{NO_BREAK}{yours.perplexity:.1f}"), "the two figures on one line"
    assert continued.endswith(f"3{NO_BREAK}tokens{join}perplexity{NO_BREAK}{whole.perplexity:.1f}")

