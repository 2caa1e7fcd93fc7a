"""While a continuation is written the summary shows the figures of the text it starts from (after a
"Continue with…" from mid-text, those of the tokens before it, not those of words no longer on screen). From its first token until the
analysis of the text with it arrives, the figures, bar and histograms are dimmed and the shares' line
says whose they are; the analysis's figures then show plain. pytest-qt on the real window,
tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.documents import summarize  # noqa: E402
from desktop_app.core.text_notes import FIGURES_BEFORE_CONTINUATION  # noqa: E402
from desktop_app.gui.text_summary import figures_text  # noqa: E402
from gui_windows import WAIT_MS, not_busy  # noqa: E402
from test_gui_loom import window  # noqa: E402,F401 (the window fixture: the story analysed)


def summary_state(panel) -> dict:
    return {"figures": panel.figures.text(), "summary": panel.summary, "dimmed": panel.bar.dimmed,
            "charts": (panel.probabilities.dimmed, panel.entropies.dimmed), "styled": panel.figures.styleSheet()}


def test_continue_with_an_alternative_dims_the_old_figures_until_the_new_analysis(window, qtbot):
    view, panel = window.text_view, window.text_view.summary_panel
    before = panel.summary
    index = 4
    record, kept = view.heatmap.records[index], view.heatmap.records[:index]
    alternative = next(alt for alt in record.top if alt.id != record.id)
    at_start = []
    window.text.stream_started.connect(lambda _plan: at_start.append(summary_state(panel)))
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        assert view.continue_with(index, alternative)
    (start,) = at_start
    # the figures on screen are of the text before the alternative, the tokens the heatmap keeps (textflow67)
    assert start["summary"] == summarize(kept) != before
    words, _shares = figures_text(start["summary"]).split("\n")  # the shares' line says whose the figures are
    assert start["figures"] == f"{words}\n{FIGURES_BEFORE_CONTINUATION}"
    assert start["dimmed"] and start["charts"] == (True, True) and "color" in start["styled"]
    qtbot.waitUntil(lambda: not_busy(window) and window.text.summary is not before, timeout=WAIT_MS)
    assert panel.summary is window.text.summary
    assert panel.figures.text() == figures_text(window.text.summary), "the new figures, with no note"
    assert FIGURES_BEFORE_CONTINUATION not in panel.figures.text()
    assert not panel.bar.dimmed and not panel.probabilities.dimmed and not panel.figures.styleSheet()


def test_a_continuation_stopped_before_its_first_token_leaves_the_figures_plain(window, qtbot):
    """Stopped with nothing written: the text is analysed again and its figures show undimmed."""
    view, panel = window.text_view, window.text_view.summary_panel
    window.text.stream_started.connect(lambda _plan: window.text.stop())
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: not_busy(window) and FIGURES_BEFORE_CONTINUATION not in panel.figures.text(),
                    timeout=WAIT_MS)
    assert not panel.bar.dimmed and panel.figures.text().startswith(figures_text(panel.summary))
