""""Why this token?" said "Sampled at 100.0%, where the model alone gave it 56.7% (55.80% when written:
…): temperature 0.4 made it 1.7× likelier": the drawn figure first, the model's after it, a third
figure between, and a factor that did not take 56.7% to 100.0%. It now tells one story, figure to
figure: the model's own chance, what the settings made of it, the chance it was drawn with."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_app.core.sampler_facts import SamplerFacts
from desktop_app.core.sampler_words import story_words


def _facts(stages, raw=0.567) -> SamplerFacts:
    return SamplerFacts(token_id=1, raw_prob=raw, used_prob=stages[-1][1], kept=True, kept_size=3, mass95_size=4,
                        temperature=0.4, top_k=50, top_p=0.95, greedy=False, stages=tuple(stages))


def test_the_story_gives_each_setting_the_figure_it_took_the_token_to():
    steps, ends_there = story_words(_facts([("temperature", 0.964), ("top-k", 0.964), ("top-p", 1.0)]), "answer")
    assert steps == "temperature 0.4 raised that to 96.4%" and not ends_there, steps  # top-p's step was small
    steps, ends_there = story_words(_facts([("temperature", 0.30), ("top-k", 0.30), ("top-p", 0.60)]), "answer")
    assert steps == ("temperature 0.4 lowered that to 30.0%; then top-p 0.95 raised it to 60.0% "
                     "by dropping less likely tokens"), steps
    assert ends_there and "\u00d7" not in steps


pytest.importorskip("PySide6")

from test_gui_explain import window  # noqa: E402,F401  (the window with one answer)
from test_why28_explain import _explained  # noqa: E402


def test_the_gist_reads_from_the_model_to_the_draw(window, qtbot):
    view = _explained(window, qtbot)
    result = view.result
    facts = _facts([("temperature", 0.964), ("top-k", 0.964), ("top-p", 1.0)])
    # explained with other weights than the answer's: the inspector's figure is another model's, told after
    # the story (one that only rounded apart stands by the model's figure: test_explainwords49)
    moved = replace(result, sampler=facts, context=replace(result.context, recorded_prob=0.558), precision="float32")
    view._show_sampler(moved)
    gist = view.gist.text()
    assert "Sampled at" not in gist and "likelier" not in gist
    model, step, drawn = (gist.index(words) for words in ("The model alone gave it 56.7%", "raised that to 96.4%",
                                                          "took it to <b>100.0%</b>, the chance it was drawn with"))
    assert model < step < drawn, gist
    assert gist.index("When written, the model gave it 55.80%: ") > drawn, "the inspector's figure, after the story"
