""""Why this token?"'s gist said "the sampling settings barely moved that; the other settings took it to 100.0%":
"the other settings" after naming none. It names the settings that took the token to the chance it was drawn
with, for a few settings' combinations (the words are Qt-free)."""

from __future__ import annotations

import pytest

from desktop_app.core.sampler_facts import SamplerFacts
from desktop_app.core.sampler_words import other_settings_words, story_words
from desktop_app.gui.explain_words import drawn_words


def _facts(stages, raw, temperature=1.0, top_k=50, top_p=0.95, min_p=0.0, penalty=1.0) -> SamplerFacts:
    return SamplerFacts(token_id=1, raw_prob=raw, used_prob=stages[-1][1], kept=True, kept_size=3, mass95_size=4,
                        temperature=temperature, top_k=top_k, top_p=top_p, greedy=False, stages=tuple(stages),
                        repetition_penalty=penalty, min_p=min_p)


def _story(s) -> str:
    steps, ends_there = story_words(s, "answer")
    return f"The model alone gave it {s.raw_prob * 100:.1f}%" + (f"; {steps}" if steps else "") + \
        drawn_words(s, bool(steps), ends_there) + "."


@pytest.mark.parametrize("stages, raw, settings, expected", [
    # ux: a likely token, top-p took the last few percent (none moved it 1.25x)
    ([("temperature", 0.90), ("top-k", 0.905), ("top-p", 1.0)], 0.90, {},
     "The model alone gave it 90.0%; top-k 50 and top-p 0.95 took that to <b>100.0%</b>, "
     "the chance it was drawn with."),
    # temperature did most, top-p the rest: the rest is named
    ([("temperature", 0.964), ("top-k", 0.964), ("top-p", 1.0)], 0.567, {"temperature": 0.4},
     "The model alone gave it 56.7%; temperature 0.4 raised that to 96.4%; then top-p 0.95 took it to "
     "<b>100.0%</b>, the chance it was drawn with."),
    # nothing changed the figure as shown: said so, not "barely moved ... the other settings"
    ([("temperature", 0.5672), ("top-k", 0.5672), ("top-p", 0.5672)], 0.567, {},
     "The model alone gave it 56.7%; no sampling setting changed that: it was drawn at <b>56.7%</b>."),
    # the repetition penalty and min-p each a little, in the sampler's order
    ([("repetition penalty", 0.42), ("temperature", 0.42), ("min-p", 0.44), ("top-p", 0.46)], 0.40,
     {"penalty": 1.1, "min_p": 0.05},
     "The model alone gave it 40.0%; the repetition penalty 1.1, min-p 0.05 and top-p 0.95 took that "
     "to <b>46.0%</b>, the chance it was drawn with."),
])
def test_the_story_names_the_settings_that_took_the_token_to_its_draw(stages, raw, settings, expected):
    said = _story(_facts(stages, raw, **settings))
    assert said == expected
    assert "other settings" not in said and "barely moved" not in said


def test_the_other_settings_are_those_the_story_did_not_name():
    s = _facts([("temperature", 0.30), ("top-k", 0.30), ("top-p", 0.60)], 0.567, temperature=0.4)
    steps, ends_there = story_words(s, "answer")
    assert "temperature 0.4" in steps and "top-p 0.95" in steps and ends_there
    assert other_settings_words(s) == ""  # both named: the story ends "it was drawn at"
    assert drawn_words(s, True, ends_there) == "; it was drawn at <b>60.0%</b>"
