"""The run's precision and weights: the guard's figure before training at either training precision, a
float32 chat model lending its tensors to the run rather than a copy. Split from test_training.py (robust108)."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training import FAST, env  # noqa: F401 (the fixture, used by name)
from test_training_data import rate_three_answers


def test_the_guards_figure_before_training_is_the_same_at_either_training_precision(tmp_path, tiny_model,
                                                                                   tiny_model_dir,
                                                                                   auto_as_the_machine_reads_it):
    """The guard's perplexity before training is kept with the "before" figures (BeforeCache)
    without the training precision in its key: a run at one precision takes the figure a run at
    the other read. That holds because the guard reads its text in float32, outside the steps'
    autocast: read afresh under each precision, the figure is the same to the last bit."""
    import json

    from desktop_app.core.precision import fast_dtype

    if fast_dtype("cpu") is None:
        pytest.skip("no 16-bit autocast on this CPU: both runs would train in float32")
    read = {}
    for precision in ("exact", "auto"):
        paths = AppPaths.resolve(tmp_path / precision).ensure()  # a cache of its own: the figure read afresh
        store = Store.open(paths.db_path)
        rate_three_answers(store, tiny_model, first_seed=10)
        settings = FineTuneSettings(**{**FAST, "max_steps": 2, "min_steps": 2, "reask_count": 1, "reask_tokens": 4},
                                    guard_ppl_rise=10.0, guard_checks=1, rescore=False, precision=precision)
        m = run_finetune(store, str(tiny_model_dir), paths, settings).metrics  # a spec: the setting is kept
        store.close()
        cached = json.loads((paths.cache_dir / "finetune-before.json").read_text(encoding="utf-8"))
        read[m["train_precision"]] = [v for k, v in cached.items() if "|guard_ppl:" in k]
    assert set(read) == {"float32", "float32 weights, bfloat16 autocast"}
    (exact,), (mixed,) = read.values()
    assert exact == mixed


def test_a_float32_chat_model_lends_its_weights_to_the_run_rather_than_a_copy(tiny_model):
    """The run's model has modules of its own (PEFT's layers and the eager attention stay off the
    chat model) over the chat model's own tensors: no second float32 copy."""
    from desktop_app.core.train_shared_weights import sharing_weights

    flags = {n: p.requires_grad for n, p in tiny_model.model.named_parameters()}
    shared = sharing_weights(tiny_model)
    assert shared is not None and shared is not tiny_model.model
    chat = dict(tiny_model.model.named_parameters(remove_duplicate=False))
    mine = dict(shared.named_parameters(remove_duplicate=False))
    assert set(mine) == set(chat)
    assert all(mine[n].data_ptr() == chat[n].data_ptr() for n in chat)
    assert not any(p.requires_grad for p in mine.values())
    assert flags == {n: p.requires_grad for n, p in tiny_model.model.named_parameters()}
    assert all(a is not b for a, b in zip(shared.modules(), tiny_model.model.modules()))


def test_a_run_on_shared_weights_trains_exactly_as_on_a_copy(tmp_path, tiny_model, monkeypatch, one_thread):
    """Same losses, gradient norms and margins whether the run reads the chat model's tensors or
    a copy loaded from its folder; the chat model comes out as it went in."""
    import torch

    from desktop_app.core import train_copy

    before = {n: p.detach().clone() for n, p in tiny_model.model.named_parameters()}
    attention = tiny_model.model.config._attn_implementation
    figures = []
    for share in (True, False):
        if not share:
            monkeypatch.setattr(train_copy, "sharing_weights", lambda chat: None)
        paths = AppPaths.resolve(tmp_path / f"data-{share}").ensure()
        store = Store.open(paths.db_path)
        rate_three_answers(store, tiny_model, first_seed=10)
        m = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST)).metrics
        store.close()
        assert (m.get("base_weights") == "shared with the chat model") == share
        figures.append([m[k] for k in ("final_loss", "grad_norms", "margin_before", "margin_after",
                                       "probe_ppl_before", "probe_ppl_after")])
    assert figures[0][:2] == figures[1][:2]  # the steps: the same losses and gradient norms, bit for bit
    # the measuring passes may take another attention kernel on the run's own modules: float rounding
    assert figures[0][2:] == pytest.approx(figures[1][2:], rel=1e-5)
    assert all(torch.equal(p, before[n]) for n, p in tiny_model.model.named_parameters())
    assert tiny_model.model.config._attn_implementation == attention
    assert not any("lora" in n for n, _ in tiny_model.model.named_parameters())


def test_a_chat_model_wearing_an_adapter_lends_its_base_weights_not_the_adapters(env, tiny_model):
    store, paths = env
    result = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert result.kept, result.reason
    from desktop_app.core.train_shared_weights import sharing_weights

    adapters.attach_active(tiny_model, store)
    try:
        assert tiny_model.adapter_id == result.adapter_id
        base = {n.replace(".base_layer.", "."): p for n, p in tiny_model.model.get_base_model().named_parameters()
                if "lora_" not in n}
        shared = sharing_weights(tiny_model)
        mine = dict(shared.named_parameters())
        assert set(mine) <= set(base) and not any("lora" in n for n in mine)
        assert all(p.data_ptr() == base[n].data_ptr() for n, p in mine.items())
    finally:
        adapters.detach(tiny_model)
