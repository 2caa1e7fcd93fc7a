"""In the window: "Fine-tune's change" turned on over an analysis it cannot use as the adapter's pass
(the text grew while the change was off, so the analysis kept records read in a shorter pass) reads
the text anew under the adapter. While it does, the summary says its figures will be that reading's;
once the change shows, the summary, the heatmap and the exports are of one scoring (the change's
adapter pass), not the summary of the analysis beside the heatmap of the change."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.documents import summarize  # noqa: E402
from desktop_app.gui.text_change_words import REREAD  # noqa: E402
from desktop_app.gui.text_summary import figures_text  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402
from test_textchange42_gui_one_pass import GROWN, SHORT, _analysed, _change_of  # noqa: E402


def test_the_summary_follows_the_change_read_anew_and_says_so_meanwhile(window, qtbot, tiny_model_dir):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode, controller = window.text_view, window.text_view.change_mode, window.text
    _analysed(qtbot, window, SHORT)
    grown = _analysed(qtbot, window, GROWN)  # keeps SHORT's records: read in a shorter pass
    assert view.summary_panel.summary is controller.summary and REREAD not in view.summary_panel.figures.text()
    while_scored = []
    mode.panel.bar.valueChanged.connect(
        lambda _v: while_scored.append((mode.panel.bar.format(), view.summary_panel.figures.text())))
    mode.toggle.click()
    change = _change_of(qtbot, mode, grown)
    assert change.adapter is not grown  # read anew: the analysis could not serve as the adapter's pass
    assert any("pass 1 of 2" in bar and REREAD in figures for bar, figures in while_scored)
    # once shown: one scoring on screen, in the heatmap, the summary and what an export writes
    assert controller.scored is change.adapter and controller.previous is change.adapter
    assert view.heatmap.records == change.adapter.records
    assert view.summary_panel.summary is controller.summary
    assert controller.summary.tokens == len(change.adapter.records)
    assert view.summary_panel.figures.text() == figures_text(summarize(change.adapter.records))
    assert view.analysis_tools.shown[0] is change.adapter
    assert REREAD not in view.summary_panel.figures.text()


def test_the_change_that_uses_the_analysis_says_nothing_of_reading_again(window, qtbot, tiny_model_dir):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode, controller = window.text_view, window.text_view.change_mode, window.text
    scored = _analysed(qtbot, window, GROWN)  # read whole: the base pass reads the same passes
    summary = controller.summary
    notes = []
    mode.panel.bar.valueChanged.connect(lambda _v: notes.append(view.summary_panel.note))
    mode.toggle.click()
    change = _change_of(qtbot, mode, scored)
    assert change.adapter is scored and controller.summary is summary
    assert notes and not any(notes)


def test_turned_off_while_it_reads_again_the_note_goes(window, qtbot, tiny_model_dir):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode = window.text_view, window.text_view.change_mode
    _analysed(qtbot, window, SHORT)
    _analysed(qtbot, window, GROWN)
    seen = []

    def off_at_first_pass(_value) -> None:
        if view.summary_panel.note and not seen:
            seen.append(view.summary_panel.figures.text())
            mode.toggle.click()

    mode.panel.bar.valueChanged.connect(off_at_first_pass)
    mode.toggle.click()
    qtbot.waitUntil(lambda: bool(seen) and not mode.lane.find("text change"), timeout=WAIT_MS)
    assert REREAD in seen[0]
    assert not view.summary_panel.note and REREAD not in view.summary_panel.figures.text()
