"""A looping run with no clean earlier checkpoint tries its last weights with their change scaled down
(gate.PerplexityGuard.blended, FineTuneSettings.step_back_blend) before the run is refused."""

import pytest

from desktop_app.core import gate
from desktop_app.core.train_settings import FineTuneSettings
from tests.test_training_guard import _guard_on_a_lora, _pass_checks

torch = pytest.importorskip("torch")


def _named_lora(guard) -> dict:
    return {n: p for n, p in guard.model.named_parameters() if p.requires_grad}


def test_blended_scales_only_the_b_matrices_so_the_change_scales_by_the_share():
    a, b = torch.ones(2, 3), torch.full((3, 2), 2.0)
    out = gate.PerplexityGuard.blended({"x.lora_A.default.weight": a, "x.lora_B.default.weight": b}, 0.6)
    assert torch.equal(out["x.lora_A.default.weight"], a)
    assert torch.allclose(out["x.lora_B.default.weight"] @ out["x.lora_A.default.weight"], 0.6 * (b @ a))


def test_with_no_clean_checkpoint_the_first_clean_blend_of_the_last_weights_is_kept(tiny_model_dir):
    guard, lora = _guard_on_a_lora(tiny_model_dir, total=12, checks=6)
    _pass_checks(guard, lora, (4, 8, 12))
    named = _named_lora(guard)
    last = {n: p.detach().clone() for n, p in named.items()}
    b_name = next(n for n in named if "lora_B" in n)
    tried = []

    def clean() -> bool:  # the checkpoints (8, 4) and the 0.75 blend loop; the 0.6 blend is clean
        return len(tried) == 4

    step = guard.step_back_clean(clean, blends=(0.75, 0.6, 0.5), trying=lambda s, n, of: tried.append((s, n, of)))
    assert step == 12
    assert tried == [(8, 1, 5), (4, 2, 5), (12, 3, 5), (12, 4, 5)]  # the checkpoints first, then the blends
    assert torch.allclose(named[b_name], 0.6 * last[b_name])
    assert all(torch.equal(named[n], last[n]) for n in named if "lora_A" in n)
    assert guard.summary()["stepped_back"] == {"from": 12, "to": 12, "degenerate": True, "blend": 0.6}
    assert torch.allclose(guard.kept[b_name], 0.6 * last[b_name])  # what the run saves


def test_with_no_blend_clean_the_last_weights_come_back_whole(tiny_model_dir):
    guard, lora = _guard_on_a_lora(tiny_model_dir, total=12, checks=6)
    _pass_checks(guard, lora, (4, 8, 12))
    named = _named_lora(guard)
    last = {n: p.detach().clone() for n, p in named.items()}
    assert guard.step_back_clean(lambda: False, blends=(0.75, 0.5)) is None
    assert all(torch.equal(named[n], last[n]) for n in named) and "stepped_back" not in guard.summary()


def test_the_default_settings_try_blends_and_an_empty_list_turns_them_off():
    assert FineTuneSettings().step_back_blend == (0.75, 0.6, 0.5)
    assert tuple(FineTuneSettings.from_dict({"step_back_blend": []}).step_back_blend) == ()


def test_the_card_and_the_progress_line_say_the_adapter_keeps_part_of_its_change():
    from desktop_app.core.train_verdict import measuring_again_words
    from desktop_app.gui.finetune_words import softened_words

    m = {"steps": 25, "guard": {"stepped_back": {"from": 25, "to": 25, "degenerate": True, "blend": 0.6}}}
    assert "keeps 60% of what the run changed" in softened_words(m)
    assert measuring_again_words(m) == ("checking the run's adapter at 60% of its change, since at full strength it "
                                        "made an answer go wrong")
    assert softened_words({"guard": {"stepped_back": {"from": 25, "to": 18, "degenerate": True}}}) == ""
