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


def test_the_summary_follows_the_change_over_a_grown_analysis_without_reading_it_anew(window, qtbot, tiny_model_dir):
    """Since repeat51 a grown analysis reads as a fresh one (fixed passes): it serves as the change's
    adapter pass, the summary never says it is read anew, and what is shown is that one scoring."""
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode, controller = window.text_view, window.text_view.change_mode, window.text
    _analysed(qtbot, window, SHORT)
    grown = _analysed(qtbot, window, GROWN)  # keeps SHORT's records, read in a fresh analysis's passes
    assert view.summary_panel.summary is controller.summary and REREAD not in view.summary_panel.figures.text()
    while_scored = []
    mode.panel.bar.valueChanged.connect(lambda _v: while_scored.append(view.summary_panel.figures.text()))
    mode.toggle.click()
    change = _change_of(qtbot, mode, grown)
    assert change.adapter is grown
    assert not any(REREAD in figures for figures in while_scored)
    assert controller.scored is change.adapter and view.heatmap.records == change.adapter.records
    assert view.summary_panel.summary is controller.summary
    assert view.summary_panel.figures.text() == figures_text(summarize(change.adapter.records))
    assert view.analysis_tools.shown[0] is change.adapter


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
