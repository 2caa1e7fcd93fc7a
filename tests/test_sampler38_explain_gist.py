"""The explain view names the sampler setting that moved the token (usertest 13, finding 9:
"the sampler's settings made it 2.3x likelier" at temperature 0.4 named none), lists each
setting's factor in the lower section, and says by the figure why it differs from the inspector's."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.decoding import token_texts  # noqa: E402
from desktop_app.core.generation import recommended_sampling  # noqa: E402
from desktop_app.core.palette import visible_whitespace  # noqa: E402
from desktop_app.core.sampler_facts import sampler_facts  # noqa: E402
from test_gui_explain import window  # noqa: E402,F401  (the window with one answer)
from test_sampler38_movers import CHOSEN, placed_logits  # noqa: E402
from test_why28_explain import _explained  # noqa: E402


def test_the_gist_names_the_setting_that_moved_the_token_and_why(window, qtbot):
    view = _explained(window, qtbot)
    result = view.result
    loaded = window.chat.loaded
    texts = token_texts(loaded.tokenizer).text
    logits, ids = placed_logits(loaded)
    facts = sampler_facts(logits, ids[CHOSEN], recommended_sampling(), answer_before=ids[:2], texts=texts)
    # the placed logits' facts, with no record beside them (a record rounded apart leads with its own figure
    # and works the sampler's from it: test_explain57_inspector_story)
    view._show_sampler(replace(result, sampler=facts, context=replace(result.context, recorded_prob=None)))
    gist = view.gist.text()
    assert "the sampler's settings" not in gist
    assert "the repetition penalty 1.1 raised that to 8.9% by lowering" in gist  # from the model's 5.4%
    shown = [f"\u201c{html.escape(visible_whitespace(texts(i)))}\u201d" for i in ids[:2]]  # as the chat shows them
    assert all(name in gist for name in shown)  # the tokens it lowered
    assert "which the answer already had" in gist
    assert "then temperature 0.4 lowered it to 6.9%" in gist
    lower = view.sampler.text()
    assert "Setting by setting" in lower and "repetition penalty 1.1 \u00d71.64" in lower
    assert "temperature 0.4 \u00d70.78" in lower and "(together \u00d71.30)" in lower


def test_the_gist_says_by_the_figure_why_the_inspector_shows_another(window, qtbot):
    view = _explained(window, qtbot)
    result = view.result
    recorded = result.sampler.raw_prob + 0.05
    moved = replace(result, context=replace(result.context, recorded_prob=recorded), precision="float32")
    view._show_sampler(moved)  # other weights wrote it (rounding apart alone: test_explainwords49)
    assert f"When written, the model gave it {recorded * 100:.2f}%: {moved.recorded_reason}." in view.gist.text()
    assert moved.recorded_reason not in view.sampler.text()  # the bottom line keeps its short pointer
