"""The lean decode step (core.lean_decode) gives the plain path's tokens and records: float32
within 1e-5 for GPT-2 and Llama, greedy and sampled, branches, stop sequences, the window's
edge, with and without a LoRA adapter (switched, disabled, removed); Fast and Compact use
their own kernels on the fused weights; anything unknown falls back to the plain path."""

from __future__ import annotations

import math

import pytest
import torch

from desktop_app.core import adapters, bf16_gemv, lean_decode
from desktop_app.core.fast_decode import PlainSteps
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.prompts import Turn, build_prompt
from test_fast_decode import assert_same, prompt_ids
from tiny_model import build_tiny_llama

SETTINGS = [
    SamplingSettings(max_new_tokens=40, greedy=True, alternatives=5),
    SamplingSettings(max_new_tokens=40, seed=3, temperature=0.9, top_k=50, top_p=0.95),
    SamplingSettings(max_new_tokens=40, seed=11, temperature=1.3, top_k=0, top_p=1.0, alternatives=10),
]
# bfloat16 (Fast) and int8 (Compact): the lean step rounds at other places than the modules do
# (rms_norm in one pass, rotary in one addcmul, products over fused weights). Measured on these
# tiny models (weights of std 0.2, much larger than a trained model's): at most 0.1 apart.
TOL_16 = 0.5


@pytest.fixture(scope="module")
def llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


@pytest.fixture(params=["gpt2", "llama"])
def folder(request, tiny_model_dir, llama_dir):
    return tiny_model_dir if request.param == "gpt2" else llama_dir


def load(folder, session_paths, precision="exact"):
    return open_model(str(folder), session_paths, device="cpu", precision=precision)


def both(loaded, ids, settings, **kwargs):
    plain = generate(loaded, ids, settings, lean=False, **kwargs)
    lean = generate(loaded, ids, settings, lean=True, **kwargs)
    assert (plain.path, lean.path) == ("plain", "lean")
    return plain, lean


@pytest.mark.parametrize("settings", SETTINGS, ids=["greedy", "top-k-top-p", "pure-sampling"])
def test_lean_step_gives_the_same_tokens_and_records(folder, session_paths, settings):
    loaded = load(folder, session_paths)
    plain, lean = both(loaded, prompt_ids(loaded), settings)
    assert len(plain.records) > 5
    assert_same(plain, lean)


def test_lean_step_same_for_a_branch_a_stop_sequence_and_the_window_edge(folder, session_paths):
    loaded = load(folder, session_paths)
    ids = prompt_ids(loaded)
    base = generate(loaded, ids, SamplingSettings(max_new_tokens=60, seed=5), lean=False)
    alternative = next(a.id for a in base.records[3].top if a.id != base.records[3].id)
    prefix = [r.id for r in base.records[:3]] + [alternative]
    plain, lean = both(loaded, ids, SamplingSettings(max_new_tokens=15, seed=2), prefix_ids=prefix)
    assert [r.id for r in lean.records[:4]] == prefix
    assert_same(plain, lean)
    stop = base.text[8:11]
    plain, lean = both(loaded, ids, SamplingSettings(max_new_tokens=60, seed=5, stop_sequences=(stop,)))
    assert plain.finish_reason == "stop"
    assert_same(plain, lean)
    long = build_prompt(loaded.tokenizer, [Turn("user", "word " * 20)], context_window=128, max_new_tokens=500)
    plain, lean = both(loaded, long.ids, SamplingSettings(max_new_tokens=500, seed=1, temperature=1.5, top_k=0,
                                                           top_p=1.0))
    assert len(long.ids) + len(lean.records) == 128 and lean.finish_reason == "context"
    assert_same(plain, lean)


def test_the_lean_step_is_the_default_on_the_cpu(tiny_model):
    gen = generate(tiny_model, prompt_ids(tiny_model), SamplingSettings(max_new_tokens=3, seed=1))
    assert gen.path == "lean" and len(gen.records) == 3


def make_adapter(folder, session_paths, out, seed: int):
    """A LoRA adapter (PEFT, every linear layer, random A and B so it changes the answer), saved
    as the app keeps them."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    model = load(folder, session_paths).model
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    peft_model = get_peft_model(model, config)
    peft_model.save_pretrained(str(out))
    (out / adapters.META_FILE).write_text("{}")
    return out


def test_lean_step_with_an_adapter_switched_disabled_and_removed(folder, session_paths, tmp_path):
    loaded = load(folder, session_paths)
    ids = prompt_ids(loaded)
    settings = SamplingSettings(max_new_tokens=30, seed=7)
    bare = generate(loaded, ids, settings, lean=True)
    first = make_adapter(folder, session_paths, tmp_path / "one", seed=1)
    second = make_adapter(folder, session_paths, tmp_path / "two", seed=2)
    adapters.attach(loaded, first, 1)
    plain, lean = both(loaded, ids, settings)
    assert_same(plain, lean)
    assert max(abs(a.logprob - b.logprob) for a, b in zip(bare.records, lean.records)) > 1e-2  # it does something
    adapters.attach(loaded, second, 2)  # switching: the other adapter's deltas, read at the next answer
    plain2, lean2 = both(loaded, ids, settings)
    assert_same(plain2, lean2)
    assert [r.logprob for r in lean2.records] != [r.logprob for r in lean.records]
    with loaded.model.disable_adapter():  # the compare view's "without the adapter"
        plain_off, lean_off = both(loaded, ids, settings)
    assert_same(plain_off, lean_off)
    assert_same(bare, lean_off)
    adapters.detach(loaded)
    assert_same(bare, generate(loaded, ids, settings, lean=True))


def test_a_weight_changed_in_place_rebuilds_the_fused_weights(folder, session_paths):
    loaded = load(folder, session_paths)
    ids = prompt_ids(loaded)
    settings = SamplingSettings(max_new_tokens=20, seed=4)
    before = generate(loaded, ids, settings, lean=True)
    layer = lean_decode.plan_for(loaded).projections[0].modules()[0]
    with torch.no_grad():
        lean_decode._rows(layer).mul_(3.0)  # as merging an adapter into the weights would
    plain, lean = both(loaded, ids, settings)
    assert_same(plain, lean)
    assert [r.logprob for r in lean.records] != [r.logprob for r in before.records]


def forced_logprobs(loaded, make_steps, ids, tokens) -> torch.Tensor:
    """Log-probs after each of ``tokens`` fed one by one after the prompt ``ids``."""
    with torch.inference_mode():
        steps = make_steps(loaded, len(ids) + len(tokens) + 1)
        rows = [steps.prefill(ids, 1)[-1]]
        rows += [steps.step(torch.tensor(t)) for t in tokens]
    return torch.log_softmax(torch.stack(rows).float(), dim=-1)


@pytest.mark.parametrize("precision", ["fast", "compact"])
def test_fast_and_compact_use_their_kernels_on_fused_weights(folder, session_paths, tmp_path, precision):
    from desktop_app.core.precision import compact_unsupported, fast_dtype

    cpu = torch.device("cpu")
    if fast_dtype(cpu) != torch.bfloat16 or (precision == "compact" and compact_unsupported(cpu)):
        pytest.skip("this CPU has no native bfloat16 (or no int8 kernel): Fast/Compact load as another precision")
    loaded = load(folder, session_paths, precision)
    ids, tokens = prompt_ids(loaded), list(range(5, 45))
    for adapter in (None, make_adapter(folder, session_paths, tmp_path / "a", seed=3)):
        if adapter:
            adapters.attach(loaded, adapter, 1)
        plan = lean_decode.plan_for(loaded)
        fused = plan.layers[0][1]
        assert (fused.int8 if precision == "compact" else (fused.packed, fused.blocked)[bf16_gemv.library() is not None]) is not None
        assert (fused.lora is not None) == bool(adapter)
        if adapter:  # PEFT keeps a 16-bit model's adapter in float32 and adds its delta there
            assert fused.lora[0].dtype == torch.float32
        lean = forced_logprobs(loaded, lean_decode.lean_steps, ids, tokens)
        plain = forced_logprobs(loaded, PlainSteps, ids, tokens)
        assert (lean - plain).abs().max() < TOL_16
        assert (lean.argmax(-1) == plain.argmax(-1)).float().mean() > 0.9


def test_unknown_models_and_settings_fall_back_to_the_plain_path(tiny_model, tiny_model_dir, session_paths, tmp_path):
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    loaded = load(tiny_model_dir, session_paths)
    ids = prompt_ids(loaded)
    settings = SamplingSettings(max_new_tokens=5, seed=1)
    loaded.model.train()  # a model being trained (dropout on): its own forward
    assert generate(loaded, ids, settings).path == "plain"
    loaded.model.eval()
    from peft import LoraConfig, get_peft_model

    loaded.model = get_peft_model(loaded.model, LoraConfig(r=2, target_modules=["c_attn"], use_dora=True))
    loaded.model.eval()
    assert generate(loaded, ids, settings).path == "plain"  # DoRA: not a plain LoRA delta
    neox = GPTNeoXForCausalLM(GPTNeoXConfig(vocab_size=len(loaded.tokenizer), hidden_size=32, num_hidden_layers=1,
                                            num_attention_heads=2, intermediate_size=64,
                                            max_position_embeddings=128)).eval()
    loaded.model = neox
    gen = generate(loaded, ids, settings)
    assert gen.path == "plain" and len(gen.records) == 5


def test_exact_fused_weights_are_shared_with_the_model(llama_dir, session_paths):
    """Exact keeps one copy of q/k/v and gate/up: the layers' weights become views of the fused
    matrix, so the model's own forward (prompts, scoring) reads the same numbers."""
    loaded = load(llama_dir, session_paths)
    before = generate(loaded, prompt_ids(loaded), SamplingSettings(max_new_tokens=10, seed=2), lean=False)
    plan = lean_decode.plan_for(loaded)
    attention = loaded.model.model.layers[0].self_attn
    fused = plan.layers[0][1].weight
    assert attention.q_proj.weight.data_ptr() == fused.data_ptr()
    assert attention.v_proj.weight.data_ptr() == fused[-attention.v_proj.weight.shape[0]:].data_ptr()
    assert_same(before, generate(loaded, prompt_ids(loaded), SamplingSettings(max_new_tokens=10, seed=2), lean=False))


def test_exact_fused_weights_made_in_inference_mode_still_take_gradients(llama_dir, session_paths):
    """The plan is made under inference mode (the load's prepare, an answer); the layers' weights
    it turns into views must stay normal tensors, or "Why this token?" cannot go backward."""
    from desktop_app.core.attribution import integrated_gradients

    loaded = load(llama_dir, session_paths)
    assert lean_decode.prepare(loaded)  # under inference mode, as the load does it
    q_proj = loaded.model.model.layers[0].self_attn.q_proj
    plan = lean_decode.plan_for(loaded)
    assert q_proj.weight.data_ptr() == plan.layers[0][1].weight.data_ptr()  # shared, as before
    assert not q_proj.weight.is_inference()
    ids = prompt_ids(loaded)
    result = integrated_gradients(loaded, ids[:-1], ids[-1], (ids[-1] + 1) % len(loaded.tokenizer), steps=2,
                                  max_steps=2)
    assert len(result.scores) == len(ids) - 1 and all(math.isfinite(s) for s in result.scores)


def test_the_app_makes_the_fused_weights_when_the_model_loads(llama_dir, session_paths):
    from desktop_app.core.fast_decode import prepare_or_skip

    loaded = load(llama_dir, session_paths, "compact")
    assert lean_decode._base_model(loaded.model) not in lean_decode._plans
    prepare_or_skip(loaded)
    plan = lean_decode._plans[lean_decode._base_model(loaded.model)]
    with torch.inference_mode():
        assert lean_decode.plan_for(loaded) is plan  # the answer reuses it


def test_a_model_with_a_plan_is_freed_when_dropped(folder, session_paths):
    """The plans are kept per model weakly: a replaced model (another one loaded) is not held."""
    import gc
    import weakref

    loaded = load(folder, session_paths)
    generate(loaded, prompt_ids(loaded), SamplingSettings(max_new_tokens=3, seed=1), lean=True)
    ref = weakref.ref(loaded.model)
    assert loaded.model in lean_decode._plans
    del loaded
    gc.collect()
    assert ref() is None


@pytest.mark.slow
def test_lean_step_same_on_the_real_offline_model(bundled_model):
    ids = prompt_ids(bundled_model, "Name three colours of the rainbow.")
    for settings in (SamplingSettings(max_new_tokens=24, greedy=True),
                     SamplingSettings(max_new_tokens=24, seed=4, temperature=0.8)):
        plain, lean = both(bundled_model, ids, settings)
        assert_same(plain, lean)


def kernel_or_skip():
    from desktop_app.core.precision import fast_dtype

    if fast_dtype(torch.device("cpu")) != torch.bfloat16:
        pytest.skip("this CPU has no native bfloat16: Fast loads as Exact, the bf16 kernel is not used")
    lib = bf16_gemv.library()
    if lib is None:
        pytest.skip("the bf16 matrix-vector kernel does not build or run here (see the log): oneDNN's product answers")
    return lib


@pytest.mark.parametrize("shape", [(130, 96), (64, 64), (3, 2), (200, 770)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_the_bf16_kernel_is_the_product_rounded_once(shape, with_bias):
    """W x (+ b) summed in float32 and rounded once to bfloat16, as oneDNN's product: the same
    numbers within one rounding, on one thread and on two, partial blocks of rows included."""
    lib = kernel_or_skip()
    gen = torch.Generator().manual_seed(shape[0])
    w = torch.randn(*shape, generator=gen).bfloat16()
    x = torch.randn(1, shape[1], generator=gen).bfloat16()
    bias = torch.randn(shape[0], generator=gen).bfloat16() if with_bias else None
    want = x.float() @ w.float().t() + (bias.float() if with_bias else 0)
    packed = torch.ops.mkldnn._reorder_linear_weight(w, None)
    onednn = torch.ops.mkldnn._linear_pointwise(x, packed, bias, "none", [], "").float()
    kernel = bf16_gemv.Blocked(lib, w, bias)
    for threads in (1, 2):
        got = kernel(x, threads)
        assert got.shape == (1, shape[0]) and got.dtype == torch.bfloat16
        ulp = want.abs() * 2 ** -7 + 1e-6  # one bfloat16 rounding (8 bits of mantissa), with slack for sum order
        assert ((got.float() - want).abs() <= ulp).all()
        assert ((got.float() - onednn).abs() <= 2 * ulp).all()


def over_packed_or_skip(kernel, projection):
    parts = [(lean_decode._rows(m), lean_decode._base(m)._gpt2desk_packed[1]) for m in projection.modules()]
    over = bf16_gemv.Blocked.over_packed(kernel, parts, None)
    if over is None:
        pytest.skip("oneDNN packs bfloat16 weights in another layout on this CPU: the kernel keeps a copy")
    return parts, over


def test_the_bf16_kernel_reads_onednns_packed_weights_and_gives_the_same_bits(folder, session_paths):
    """Where oneDNN's prepacked bfloat16 copies are laid out as the kernel reads (this CPU), the
    lean step's products read them (no copy of the weights of their own) and give the same bits
    as the kernel on a copy, for every fused projection and the head, on one thread and two."""
    kernel = kernel_or_skip()
    loaded = load(folder, session_paths, "fast")
    plan = lean_decode.plan_for(loaded)
    over_packed_or_skip(kernel, plan.layers[0][1])
    gen = torch.Generator().manual_seed(0)
    for projection in plan.projections:
        packs = [lean_decode._base(m)._gpt2desk_packed[1] for m in projection.modules()]
        assert all(any(kept is pack for kept in projection.blocked.keep) for pack in packs)
        weights = torch.cat([lean_decode._rows(m) for m in projection.modules()])
        biases = [lean_decode._base(m).bias for m in projection.modules()]
        bias = None if biases[0] is None else torch.cat(biases)
        copy = bf16_gemv.Blocked(kernel, weights, bias)
        x = torch.randn(1, weights.shape[1], generator=gen).bfloat16()
        for threads in (1, 2):
            assert torch.equal(projection.blocked(x, threads), copy(x, threads))


def test_a_packed_copy_that_no_longer_holds_the_weight_is_not_read(folder, session_paths):
    """A weight changed in place after packing (its prepacked copy now stale): the kernel makes a
    copy of its own from the weight, so the lean step answers with the weight's numbers."""
    kernel = kernel_or_skip()
    loaded = load(folder, session_paths, "fast")
    parts, _over = over_packed_or_skip(kernel, lean_decode.plan_for(loaded).layers[0][1])
    with torch.no_grad():
        parts[0][0].mul_(2.0)
    assert bf16_gemv.Blocked.over_packed(kernel, parts, None) is None
    fused = lean_decode.plan_for(loaded).layers[0][1]  # made again: the weight changed
    assert not any(kept.is_mkldnn for kept in fused.blocked.keep)
    x = torch.randn(1, parts[0][0].shape[1]).bfloat16()
    weights = torch.cat([w for w, _pack in parts])
    assert torch.equal(fused.blocked(x), bf16_gemv.Blocked(kernel, weights, None)(x))


@pytest.mark.parametrize("settings", SETTINGS[:2], ids=["greedy", "seeded"])
def test_the_bf16_kernel_gives_onednns_tokens_and_records_with_an_adapter(folder, session_paths, tmp_path,
                                                                          monkeypatch, settings):
    """Fast's lean step on the kernel against the same step on oneDNN's products (the path before
    it), with a LoRA adapter on top: the same tokens, the records within Fast's tolerance."""
    kernel_or_skip()
    loaded = load(folder, session_paths, "fast")
    adapters.attach(loaded, make_adapter(folder, session_paths, tmp_path / "a", seed=5), 1)
    ids = prompt_ids(loaded)
    kernel = generate(loaded, ids, settings, lean=True)
    fused = lean_decode.plan_for(loaded).layers[0][1]
    assert fused.blocked is not None and fused.packed is None and fused.lora is not None
    monkeypatch.setenv(bf16_gemv.ENV, "0")
    onednn = generate(loaded, ids, settings, lean=True)
    fused = lean_decode.plan_for(loaded).layers[0][1]
    assert fused.blocked is None and fused.packed is not None and fused.lora is not None
    assert kernel.path == onednn.path == "lean" and len(kernel.records) > 5
    assert [r.id for r in kernel.records] == [r.id for r in onednn.records]
    for a, b in zip(kernel.records, onednn.records):
        assert a.precision == b.precision == "bfloat16"
        assert abs(a.logprob - b.logprob) < TOL_16 and abs(a.entropy - b.entropy) < TOL_16
        assert max(abs(x.prob - y.prob) for x, y in zip(a.top, b.top)) < TOL_16


def test_without_a_compiler_the_bf16_kernel_steps_aside(folder, session_paths, tmp_path, monkeypatch, caplog):
    """No C compiler (or any failed build): the reason is logged once, and Fast's lean step
    answers with oneDNN's products."""
    from desktop_app.core.precision import fast_dtype

    if fast_dtype(torch.device("cpu")) != torch.bfloat16:
        pytest.skip("this CPU has no native bfloat16: Fast loads as Exact")
    monkeypatch.setattr(bf16_gemv, "_loaded", [])
    monkeypatch.setenv("GPT2_DESK_SHARED_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    with caplog.at_level("INFO", logger=bf16_gemv.__name__):
        loaded = load(folder, session_paths, "fast")
    assert bf16_gemv.library() is None
    assert any("kernel not used" in r.getMessage() for r in caplog.records)
    gen = generate(loaded, prompt_ids(loaded), SamplingSettings(max_new_tokens=8, seed=1), lean=True)
    assert gen.path == "lean" and len(gen.records) == 8
    assert lean_decode.plan_for(loaded).layers[0][1].packed is not None
