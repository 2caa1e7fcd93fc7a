"""Fine-tune's change over a text with the model's continuation in it: the headline gives the person's
own text's change and perplexities first, then the whole text's (a continuation written with the adapter
on tends to be likelier under it because it wrote it: under Xvfb a 145-token story was 320× more likely on
its own, 1,100× with a 128-token continuation), as GLTR's summary gives "Your text" first."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.adapter_change import TextChange, deltas
from desktop_app.core.records import TokenRecord
from desktop_app.core.session import ScoredText
from desktop_app.gui.text_change_words import headline_html, summary_html


def _scored(logprobs) -> ScoredText:
    records = [TokenRecord(i, f" w{i}", lp, 1, 1.0) for i, lp in enumerate(logprobs)]
    return ScoredText(list(range(len(records))), "", records, None, False, 0)


def _change(base, adapter) -> TextChange:
    a, b = _scored(adapter), _scored(base)
    return TextChange(a, b, 1, deltas(a.records, b.records))


# the person's four tokens unmoved, the model's two each 3 nats likelier under the adapter
CHANGE = _change([-2.0, -2.0, -2.0, -2.0, -4.0, -4.0], [-2.0, -2.0, -2.0, -2.0, -1.0, -1.0])


def test_with_a_continuation_the_persons_text_comes_first_then_the_whole():
    said = headline_html(CHANGE, "your adapter", model_written=[4, 5])
    yours, whole = said.split("With the model's continuation")
    assert "your text is <b" in yours and "about as likely</b> as under the base model" in yours
    assert f"Perplexity {math.e ** 2:,.1f} (base model) \u2192 {math.e ** 2:,.1f} (your adapter)" in yours
    assert whole.startswith(" (2 tokens, in italics) it is") and "much more likely" in whole
    assert "your text" in summary_html(CHANGE, "your adapter", lambda t: t, [4, 5])


@pytest.mark.parametrize("written", [(), (0, 1, 2, 3, 4, 5)])
def test_without_one_or_all_the_models_it_speaks_of_this_text(written):
    said = headline_html(CHANGE, "your adapter", model_written=written)
    assert said.startswith("Under your adapter this text is <b") and "continuation" not in said
    assert "much more likely" in said  # the whole text's 6 nats
    perplexities = f"{math.exp(16 / 6):,.1f} (base model) \u2192 {math.exp(10 / 6):,.1f} (your adapter)"
    assert perplexities in said


def test_in_the_window_a_continued_text_says_the_persons_change_first(window, qtbot, tiny_model_dir):
    pytest.importorskip("PySide6")
    from gui_windows import WAIT_MS
    from test_cli40_outside_adapter import _use_imported
    from test_textchange42_gui_one_pass import GROWN, _analysed

    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode = window.text_view, window.text_view.change_mode
    _analysed(qtbot, window, GROWN)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        window.text_mode.ctrl_enter()
    qtbot.waitUntil(lambda: not window.text.continuing and window.text.summary is not None
                    and window.text.summary.yours is not None, timeout=WAIT_MS)
    mode.toggle.click()
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete, timeout=WAIT_MS)
    words = mode.panel.words.text()
    assert view.heatmap.model_written and "your text is" in words and "With the model's continuation (" in words


from gui_windows import window_in_text_mode  # noqa: E402,F401 (the window fixture)


def test_a_png_of_the_change_suggests_a_name_of_its_own(window, qtbot, tiny_model_dir):
    from test_cli40_outside_adapter import _use_imported
    from test_textchange42_gui_one_pass import GROWN, _analysed

    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    tools, mode = window.text_view.analysis_tools, window.text_view.change_mode
    _analysed(qtbot, window, GROWN)
    plain = tools.suggested_name("png")
    mode.toggle.click()
    assert plain.endswith(".png") and not plain.endswith("-change.png")
    assert tools.suggested_name("png") == plain[:-len(".png")] + "-change.png"
    assert tools.suggested_name("csv").endswith("-summary.csv") and tools.suggested_name("json") == plain[:-3] + "json"
    mode.toggle.click()
    assert tools.suggested_name("png") == plain
