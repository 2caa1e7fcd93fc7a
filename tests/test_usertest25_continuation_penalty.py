"""Why this token? on a Text mode continuation's token gives the sampler that continuation's
tokens before it, which its repetition penalty lowered (core.generation: the answer's tokens so
far, the prompt left out). Usertest 25: a continuation's " said" read "temperature 0.4 lowered that
to 3.9%; then min-p 0.1 left it out; it was drawn at 0.0%", for a token the model had just written:
the explanation had read the whole text as the prompt, so no penalty, and "was" and "had", which the
continuation already had, stayed on top."""

from __future__ import annotations

from desktop_app.core.documents import continue_text
from desktop_app.core.explain import explain_layers
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.prompts import encode
from desktop_app.core.token_context import context_for_text
from test_gui_text import text_window  # noqa: F401 (a fixture)
from test_gui_text_explain import click_heatmap

TEXT = "The model reads this paragraph and says how predictable every token was."
# a strong penalty and a high min-p: many tokens the continuation wrote were in reach only once the
# penalty had lowered the ones it already had
SETTINGS = SamplingSettings(temperature=1.0, repetition_penalty=3.0, min_p=0.3, max_new_tokens=24, seed=5)


def continued(tiny_model):
    """The text continued: (the text's ids and then the continuation's, as an analysis that reads it
    in the tokens it was written in has them; where the continuation's records begin; its own ids)."""
    generation = continue_text(tiny_model, TEXT, SETTINGS)
    written = [r.id for r in generation.records]
    text_ids = encode(tiny_model.tokenizer, TEXT)
    return text_ids + written, len(text_ids), written


def sampler_of(tiny_model, ids, index, **kwargs):
    context = context_for_text(tiny_model, ids, index, SETTINGS, by_model=True, **kwargs)
    first, _other = explain_layers(tiny_model, context)
    return context, first.sampler


def test_every_token_a_continuation_wrote_was_inside_what_its_settings_kept(tiny_model):
    ids, start, written = continued(tiny_model)
    for at in range(start, len(ids)):
        context, sampler = sampler_of(tiny_model, ids, at, written_from=start)
        assert context.sampled_before == written[:at - start]
        assert sampler.kept and sampler.used_prob > 0, (at - start, sampler)


def test_without_where_it_began_the_penalty_is_not_applied(tiny_model):
    """The case the fix is for: read as a prompt, the text before gets no penalty, and some token the
    continuation wrote falls outside what the settings keep."""
    ids, start, _written = continued(tiny_model)
    outside = [at for at in range(start, len(ids)) if not sampler_of(tiny_model, ids, at)[1].kept]
    assert outside, "these settings would not show the difference"


def test_the_text_tab_explains_a_continuation_token_with_the_tokens_it_had_written(text_window, qtbot):
    from dataclasses import replace

    from test_gui_text_explain import continued_token_picked, explained

    window = text_window(max_new_tokens=12)
    window.chat.settings = replace(window.chat.settings, temperature=1.0, repetition_penalty=3.0, min_p=0.3)
    last, view = continued_token_picked(qtbot, window, TEXT, (1280, 800))
    first = min(window.text_view.heatmap.model_written)  # the continuation's first token, in italics
    assert window.text_mode.continuation_start(last) == first and window.text_mode.continuation_start(2) is None
    result = explained(qtbot, view)
    written = [r.id for r in window.text_view.heatmap.records[first:last]]
    assert result.context.sampled_before == written and len(written) > 3
    assert result.sampler.repetition_penalty == 3.0
