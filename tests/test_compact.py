"""Compact precision: the linear layers compute with int8 copies of their weights (core.compact),
the records say so, LoRA adapters still apply, and every case the kernel cannot take falls
back to the plain layer with a reason."""

from __future__ import annotations

import pytest
import torch

from desktop_app.core import compact
from desktop_app.core import precision as P
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.scoring import score_ids
from tiny_model import build_tiny_llama

needs_compact = pytest.mark.skipif(P.compact_unsupported(torch.device("cpu")) is not None,
                                   reason="no native bfloat16 or no int8 weight kernel on this CPU/torch")

# Why 0.5 nats: int8 with one scale per output row rounds each weight by at most max|w|/254
# of its row, i.e. about 1% of a typical weight, on top of Fast's bfloat16 (whose own test
# allows 0.25). Measured worst cases: tiny GPT-2 0.005 (Fast 0.003), tiny Llama 0.18 (Fast 0.11); the
# bundled SmolLM2 over 400 tokens of text 0.63 (bf16 alone 0.22; bench/generation_speed.py).
COMPACT_TOLERANCE = 0.5


@pytest.fixture(scope="module")
def tiny_llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


def _prompt(tokenizer, n=20):
    return build_prompt(tokenizer, [Turn("user", "Hello, how are you today?")], context_window=128,
                        max_new_tokens=n).ids


def test_labels_and_choices():
    cpu = torch.device("cpu")
    assert P.label("int8") == "Compact (int8 weights)"
    assert P.weights_dtype(cpu, "compact") == P.weights_dtype(cpu, "fast")
    assert "compact" in P.CHOICES
    assert "for CPUs" in P.compact_unsupported(torch.device("cuda"))


@needs_compact
@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_compact_records_stay_close_to_float32(arch, tiny_model_dir, tiny_llama_dir, session_paths):
    folder = str(tiny_model_dir if arch == "gpt2" else tiny_llama_dir)
    exact = open_model(folder, session_paths, device="cpu", precision="exact")
    small = open_model(folder, session_paths, device="cpu", precision="compact")
    assert small.precision == "int8" and small.precision_label == "Compact (int8 weights)"
    assert small.precision_note is None and small.dtype == torch.bfloat16
    linear = sum(1 for m in small.model.modules() if type(m).__name__ in ("Linear", "Conv1D"))
    assert compact.quantized_layers(small.model) == linear  # every layer, the output layer too
    prompt = _prompt(exact.tokenizer)
    answer = generate(exact, prompt, SamplingSettings(max_new_tokens=20, greedy=True))
    ids = [r.id for r in answer.records]
    scored = score_ids(small, prompt, ids)  # many rows at once: the dequantized product
    assert {r.precision for r in scored} == {"int8"}
    worst = max(abs(a.logprob - b.logprob) for a, b in zip(answer.records, scored))
    assert 0 < worst < COMPACT_TOLERANCE
    # one token at a time (the int8 kernel) gives the records the whole-text scoring gave
    stepped = generate(small, prompt, SamplingSettings(max_new_tokens=20, greedy=True))
    assert {r.precision for r in stepped.records} == {"int8"}
    n = next((i for i, (a, b) in enumerate(zip(ids, [r.id for r in stepped.records])) if a != b), len(ids))
    assert n >= 3
    assert max(abs(a.logprob - b.logprob) for a, b in zip(scored[:n], stepped.records[:n])) < 0.1


@needs_compact
def test_tied_embeddings_stay_tied_and_unquantized(tiny_llama_dir, session_paths):
    small = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="compact")
    model = small.model
    assert model.lm_head.weight is model.model.embed_tokens.weight
    exact = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="exact")
    assert torch.equal(model.model.embed_tokens.weight, exact.model.model.embed_tokens.weight.bfloat16())
    assert hasattr(model.lm_head, "_gpt2desk_int8")  # the output product uses its own int8 copy


@needs_compact
def test_the_fast_path_and_the_plain_path_agree_under_compact(tiny_llama_dir, session_paths):
    small = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="compact")
    prompt = _prompt(small.tokenizer)
    settings = SamplingSettings(max_new_tokens=16, greedy=True)
    plain = generate(small, prompt, settings, fast=False)
    static = generate(small, prompt, settings, fast=True)
    assert [r.id for r in plain.records] == [r.id for r in static.records]
    # bfloat16 attention over the static cache's padded block sums in another order: Fast
    # differs by about the same here (float32 paths agree within 1e-5, test_fast_decode.py),
    # so a seeded sample may part ways where two tokens are nearly as likely; greedy does not
    assert max(abs(a.logprob - b.logprob) for a, b in zip(plain.records, static.records)) < 0.05


@needs_compact
def test_a_compile_request_leaves_compact_layers_as_they_are(tiny_llama_dir, session_paths, monkeypatch):
    from desktop_app.core import fast_decode

    monkeypatch.setenv(fast_decode.ENV_COMPILE, "1")
    small = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="compact")
    assert fast_decode.prepare(small, 64, backend="eager") == 0.0  # a compiled step would skip the int8 layers
    assert not fast_decode.compiled_step_ready(small)


@needs_compact
def test_a_lora_adapter_changes_compact_answers_as_it_changes_exact_ones(tiny_model_dir, tmp_path):
    from desktop_app.core import adapters
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from tiny_model import random_lora

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    exact = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    small = open_model(str(tiny_model_dir), paths, device="cpu", precision="compact")
    adapter_id = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), paths, base_model=exact.model_id, run_id=None,
                                       parent_id=None, settings={}, metrics={})
    path = store.get_adapter(adapter_id)["path"]
    prompt = _prompt(exact.tokenizer)
    ids = [r.id for r in generate(exact, prompt, SamplingSettings(max_new_tokens=12, greedy=True)).records]
    shift = {}
    for name, loaded in (("exact", exact), ("compact", small)):
        before = [r.logprob for r in score_ids(loaded, prompt, ids)]
        adapters.attach(loaded, path, adapter_id)
        after = [r.logprob for r in score_ids(loaded, prompt, ids)]
        shift[name] = [a - b for a, b in zip(after, before)]
    store.close()
    assert max(abs(s) for s in shift["exact"]) > 0.5  # the adapter really moves the figures
    assert max(abs(a - b) for a, b in zip(shift["exact"], shift["compact"])) < COMPACT_TOLERANCE
    lora_layer = next(m for m in small.model.modules() if type(m).__name__ == "Linear" and hasattr(m, "base_layer"))
    assert hasattr(lora_layer.base_layer, "_gpt2desk_int8")  # the adapter sits on top of the int8 layer


@needs_compact
def test_layers_the_kernel_cannot_take_fall_back():
    from transformers.pytorch_utils import Conv1D

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 96), torch.nn.GELU(), torch.nn.Linear(96, 40, bias=False),
                                torch.nn.Linear(40, 32), Conv1D(48, 32))  # 40 inputs: not a multiple of 32
    x = torch.randn(1, compact.KERNEL_ROWS + 4, 64)
    with torch.no_grad():
        want = model(x)
    count, skipped = compact.quantize_cpu_weights(model, torch.bfloat16)
    assert count == 3 and len(skipped) == 1 and "40 is not a multiple of 32" in skipped[0]
    assert not hasattr(model[3], "_gpt2desk_int8")
    assert "_gpt2desk_int8" not in str(list(model.state_dict())) and len(model.state_dict()) == 7
    with torch.inference_mode():
        one_row, rows = model(x[:, :1].bfloat16()), model(x.bfloat16())  # the kernel; the dequantized product
    assert torch.allclose(rows.float(), want, atol=0.1) and torch.allclose(one_row.float(), want[:, :1], atol=0.1)
    y = model(x.bfloat16().requires_grad_())  # gradients on: the plain layers, so backward works
    y.float().sum().backward()
    assert model[0].weight.grad is not None
    with torch.no_grad():  # a weight changed in place (a merged adapter): the copy is stale, the layer plain
        model[0].weight.mul_(0)
        assert torch.equal(model[0](x.bfloat16()), model[0].bias.expand(1, x.shape[1], 96))


def test_a_torch_without_the_kernel_loads_fast_and_says_why(tiny_model_dir, session_paths, monkeypatch):
    from desktop_app.core import session

    monkeypatch.delattr(torch, "_weight_int8pack_mm", raising=False)
    compact.kernel_works.cache_clear()
    try:
        notices = []
        loaded = session.open_model(str(tiny_model_dir), session_paths, device="cpu", precision="compact",
                                    notice=notices.append)
    finally:
        compact.kernel_works.cache_clear()
    assert loaded.precision in ("bfloat16", "float32") and compact.quantized_layers(loaded.model) == 0
    note = loaded.precision_note or ""
    assert "int8 weight kernel" in note or "native bfloat16" in note
    assert notices == [loaded.precision_note]


@needs_compact
def test_cli_compact_option(tiny_model_dir, capsys):
    import json

    from desktop_app.cli import main

    code = main(["generate", "--model", str(tiny_model_dir), "--device", "cpu", "--precision", "compact",
                 "--json", "--max-new-tokens", "3", "--temperature", "0", "Hi"])
    assert code == 0
    assert {t["precision"] for t in json.loads(capsys.readouterr().out)["tokens"]} == {"int8"}


@needs_compact
def test_an_explanation_under_compact_uses_the_int8_weights_and_says_so(tiny_llama_dir, session_paths, tmp_path,
                                                                       monkeypatch):
    """With gradients on (the attribution), a layer's int8 copy now serves inside
    ``int8_with_gradients`` (before: the bfloat16 weights); the explanation says its weights."""
    from contextlib import contextmanager

    from desktop_app.core import explain as ex
    from desktop_app.core.store import Store
    from desktop_app.core.token_context import context_for_message

    small = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="compact")
    layer = next(m for m in small.model.modules() if hasattr(m, "_gpt2desk_int8"))
    x = torch.randn(3, 20, layer.in_features, dtype=torch.bfloat16, requires_grad=True)
    with torch.no_grad():
        int8_out = layer(x)  # more than KERNEL_ROWS rows: the int8 weights, dequantized
        plain_out = layer._gpt2desk_int8.plain(x)
    assert not torch.equal(int8_out, plain_out)
    with torch.enable_grad():
        assert torch.equal(layer(x), plain_out), "outside the context a gradient pass steps aside"
        with compact.int8_with_gradients():
            out = layer(x)
        (grad,) = torch.autograd.grad(out.float().sum(), x)
    assert torch.equal(out.detach(), int8_out) and torch.isfinite(grad).all()

    entered = []
    real = compact.int8_with_gradients

    @contextmanager
    def recorded():
        entered.append(True)
        with real():
            yield

    monkeypatch.setattr(compact, "int8_with_gradients", recorded)
    settings = SamplingSettings(max_new_tokens=6, temperature=0)
    run = generate(small, _prompt(small.tokenizer, 8), settings)
    store = Store.open(tmp_path / "db.sqlite")
    conversation = store.create_conversation("t")
    user = store.add_message(conversation, "user", "Hello, how are you today?")
    mid = store.add_message(conversation, "assistant", run.text, parent_id=user, model_id=small.model_id,
                            settings=settings.to_dict(), records=run.records)
    context = context_for_message(store, small, mid, 2)
    result = ex.explain(small, context, steps=2, max_steps=2)
    assert entered, "the attribution's gradient passes ran inside int8_with_gradients"
    assert context.written_precision == "int8" and result.precision == "int8" and result.precision_note is None
    exact = open_model(str(tiny_llama_dir), session_paths, device="cpu", precision="exact")
    other = ex.explain(exact, context_for_message(store, exact, mid, 2), steps=2, max_steps=2)
    assert other.precision == "float32" and "Compact (int8 weights)" in other.precision_note
    assert "Exact (float32)" in other.precision_note
    store.close()
