"""On Fast (bfloat16) weights "Why this token?" leads with the inspector's chance for a token and gives the
re-read's beside it ("The model alone gave it 15.7% (read again as a whole text: 16.2%)"), but the sampler's
figures after it ("temperature 0.4 raised that to 45.4%; it was drawn at 45.4%") were worked from the
re-read's 16.2%: a sentence whose figures did not follow from the one it began with. They now follow from
the inspector's. And the CLI led with the re-read's figure where the window gave the inspector's: both now
say it in the same words (core.sampler_words.chance_words). The bundled model at Fast writes a real answer,
stored as the app stores it; its tokens are explained as far as their sampler part (one forward pass)."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.percent_words import percent
from helpers import stored_answer

# temperature alone: the token's chance after it follows from the model's figure by the softmax alone
TEMPERATURE_ONLY = SamplingSettings(max_new_tokens=24, temperature=0.4, top_k=0, top_p=1.0, seed=3)


@pytest.fixture(scope="module")
def fast_answer(bundled_model_dir, tmp_path_factory):
    """The bundled model on Fast weights, and its answer's tokens whose re-read rounds apart from the record,
    each explained as far as its sampler part, with the re-read's logits."""
    from desktop_app.core.explain import explain_layers
    from desktop_app.core.lens import final_logits
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.token_context import context_for_message

    from desktop_app.core.precision import cpu_has_native_bf16

    if not cpu_has_native_bf16():
        pytest.skip("this CPU has no native bfloat16: Fast falls back to Exact")
    paths = AppPaths.resolve(tmp_path_factory.mktemp("fast_home")).ensure()
    loaded = open_model(str(bundled_model_dir), paths, device="cpu", precision="fast")
    db, mid, run = stored_answer(loaded, str(tmp_path_factory.mktemp("db") / "a.sqlite3"), TEMPERATURE_ONLY,
                                 question="Tell me about the moon.")
    apart = []
    with Store.open(db) as store:
        for index in range(len(run.records)):
            first, _other = explain_layers(loaded, context_for_message(store, loaded, mid, index))
            if first.rounded_apart:
                apart.append((first, final_logits(loaded, first.context.ids[:-1])))
    assert apart, "no token of the answer rounded apart on bfloat16"
    return loaded, apart


def _as_recorded_after_temperature(logits: torch.Tensor, chosen: int, recorded: float, temperature: float) -> float:
    """The token's chance after temperature, worked from the record: the token's odds set to the record's,
    the other tokens' shares of the rest as the re-read has them."""
    logits = logits.float().clone()
    now = float(torch.softmax(logits, -1)[chosen])
    logits[chosen] += torch.logit(torch.tensor(recorded, dtype=torch.float64)) - torch.logit(
        torch.tensor(now, dtype=torch.float64))
    return float(torch.softmax(logits / temperature, -1)[chosen])


def test_the_samplers_figures_follow_from_the_inspectors_chance(fast_answer):
    from desktop_app.gui.explain_words import sampler_gist, sampler_words

    _loaded, apart = fast_answer
    told_apart = 0
    for first, logits in apart:
        c = first.context
        after = _as_recorded_after_temperature(logits, c.chosen, c.recorded_prob, TEMPERATURE_ONLY.temperature)
        reread_after = dict(first.sampler.stages)["temperature"]
        gist = sampler_gist(first)
        assert gist.startswith(f"The model alone gave it {percent(c.recorded_prob)} (read again as a whole text: "
                               f"{percent(first.sampler.raw_prob)})"), gist
        shown = f"{after * 100:.1f}%"
        if "temperature 0.4 raised" in gist or "temperature 0.4 lowered" in gist:  # a mover (else it ends the story)
            assert f"temperature 0.4 {'raised' if after >= c.recorded_prob else 'lowered'} that to {shown}" in gist
        assert f"<b>{shown}</b>" in gist, gist  # the chance it was drawn with
        assert f"{percent(after)} as sampled" in sampler_words(first)
        told_apart += shown != f"{reread_after * 100:.1f}%"
    assert told_apart, "no token's sampled chance printed apart from the re-read's: the case this is about"


def test_the_cli_leads_with_the_windows_figure_in_the_windows_words(fast_answer):
    from desktop_app.cli.explain_cmds import sampler_lines
    from desktop_app.gui.explain_words import sampler_words

    _loaded, apart = fast_answer
    for first, logits in apart:
        c = first.context
        after = _as_recorded_after_temperature(logits, c.chosen, c.recorded_prob, TEMPERATURE_ONLY.temperature)
        words = (f"{percent(c.recorded_prob)} under the model (read again as a whole text: "
                 f"{percent(first.sampler.raw_prob)}), {percent(after)} as sampled")
        cli = "\n".join(sampler_lines(first))
        assert f"  probability {words}; " in cli, cli
        assert words in sampler_words(first)  # the window's sampler lines: the same words
