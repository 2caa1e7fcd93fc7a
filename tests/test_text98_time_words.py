"""text98: "Why this token?" said its time as a span as wide as the run's possible lengths ("3–57 min" on a busy
core), and "Show 40 more" said nothing of how long it takes. The time to the attribution's first check (where it
ends if the result holds steady) now leads, measured from the passes so far, with the most only as its bound;
"Show 40 more" says it is one pass of the model, and once one has run, how long it took. (The words on real
ExplainProgress figures; the button on the real window with the tiny fixture model.)"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.attribution import IG_MAX_STEPS, IG_STEPS, ExplainProgress  # noqa: E402
from desktop_app.core.more_alternatives import MORE_ALTERNATIVES  # noqa: E402
from desktop_app.gui.explain_words import progress_line  # noqa: E402
from desktop_app.gui.inspector_words import MORE_TIP, more_words, read_time_words  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def test_the_time_to_the_first_check_leads_not_a_span():
    busy = ExplainProgress(2, IG_MAX_STEPS + 1, 20.0, sweep=IG_STEPS + 1)  # 10 s a pass on a busy core
    line = progress_line(busy)
    assert "\u2013" not in line and " to 43 min" not in line, line
    assert "2 of 17 passes \u00b7 about 3 min to the first check" in line, line
    assert line.endswith("(if not, at most 43 min in all)"), line
    later = ExplainProgress(30, IG_MAX_STEPS + 1, 300.0, sweep=IG_STEPS + 1)  # past the check: only a most is known
    assert "at most about 38 min left" in progress_line(later)


def test_show_more_says_what_it_costs():
    assert "one pass of the model" in MORE_TIP
    assert more_words(10) == f"Show {MORE_ALTERNATIVES - 10} more"
    assert more_words(10, 0.4) == f"Show {MORE_ALTERNATIVES - 10} more \u00b7 under a second"
    assert read_time_words(3.2) == "about 3 s" and read_time_words(150) == "about 3 min"


def test_the_button_says_how_long_the_last_read_took(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.text_view.set_editing(False)
        heatmap, inspector = window.text_view.heatmap, window.inspector
        heatmap.choose_token(3)
        assert inspector.more_button.text() == more_words(len(heatmap.records[3].top)), "none measured yet"
        inspector.more_button.click()
        qtbot.waitUntil(lambda: len(inspector.chart.alternatives) == MORE_ALTERNATIVES, timeout=WAIT_MS)
        took = inspector.more_seconds
        assert took is not None and took >= 0
        heatmap.choose_token(4)
        assert inspector.more_button.text() == more_words(len(heatmap.records[4].top), took)
        assert "\u00b7" in inspector.more_button.text()
        window.chat.shutdown()
