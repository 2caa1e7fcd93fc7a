"""The fast decoding path (static cache, records on the device, one host copy per token) gives
the same tokens and records as the plain path, in float32, for every way an answer is made."""

from __future__ import annotations

import pytest

from desktop_app.core import fast_decode
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.prompts import Turn, build_prompt

TOL = 1e-5


def prompt_ids(loaded, text="Hello 😀, what is the capital of France?"):
    return build_prompt(loaded.tokenizer, [Turn("user", text)], context_window=loaded.context_window,
                        max_new_tokens=40).ids


def close(a, b):
    """Within TOL, relative where the value is larger than 1: on the 135M model an entropy near 3.5
    summed over 49k probabilities in another order differs by a few float32 ulps of 3.5 (1.05e-5 seen)."""
    return abs(a - b) <= TOL * max(1.0, abs(a))


def assert_same(plain, fast):
    assert [r.id for r in fast.records] == [r.id for r in plain.records]
    assert [r.text for r in fast.records] == [r.text for r in plain.records]
    assert fast.finish_reason == plain.finish_reason
    for p, f in zip(plain.records, fast.records):
        assert close(p.logprob, f.logprob)
        assert close(p.entropy, f.entropy)
        assert p.rank == f.rank
        assert [a.id for a in f.top] == [a.id for a in p.top]
        assert [a.text for a in f.top] == [a.text for a in p.top]
        assert max(abs(a.prob - b.prob) for a, b in zip(p.top, f.top)) <= TOL
        assert f.precision == p.precision == "float32"


def both(loaded, ids, settings, **kwargs):
    plain = generate(loaded, ids, settings, fast=False, **kwargs)
    fast = generate(loaded, ids, settings, fast=True, **kwargs)
    return plain, fast


@pytest.mark.parametrize("settings", [
    SamplingSettings(max_new_tokens=40, greedy=True, alternatives=5),
    SamplingSettings(max_new_tokens=40, seed=3, temperature=0.9, top_k=50, top_p=0.95),
    SamplingSettings(max_new_tokens=40, seed=11, temperature=1.3, top_k=0, top_p=1.0, alternatives=10),
], ids=["greedy", "top-k-top-p", "pure-sampling"])
def test_fast_path_gives_the_same_tokens_and_records(tiny_model, settings):
    plain, fast = both(tiny_model, prompt_ids(tiny_model), settings)
    assert len(plain.records) > 5
    assert_same(plain, fast)


def test_fast_path_same_for_a_branch_from_a_forced_prefix(tiny_model):
    ids = prompt_ids(tiny_model)
    base = generate(tiny_model, ids, SamplingSettings(max_new_tokens=12, seed=2), fast=False)
    alternative = next(a.id for a in base.records[3].top if a.id != base.records[3].id)
    prefix = [r.id for r in base.records[:3]] + [alternative]
    plain, fast = both(tiny_model, ids, SamplingSettings(max_new_tokens=15, seed=2), prefix_ids=prefix)
    assert [r.id for r in fast.records[:4]] == prefix
    assert_same(plain, fast)


def test_fast_path_same_with_a_stop_sequence_and_at_the_window_edge(tiny_model):
    ids = prompt_ids(tiny_model)
    free = generate(tiny_model, ids, SamplingSettings(max_new_tokens=60, seed=5), fast=False)
    stop = free.text[8:11]
    plain, fast = both(tiny_model, ids, SamplingSettings(max_new_tokens=60, seed=5, stop_sequences=(stop,)))
    assert plain.finish_reason == "stop"
    assert_same(plain, fast)
    # an answer that runs into the 128-token window: the static cache is capped there
    long = build_prompt(tiny_model.tokenizer, [Turn("user", "word " * 20)], context_window=128,
                        max_new_tokens=500)
    plain, fast = both(tiny_model, long.ids, SamplingSettings(max_new_tokens=500, seed=1, temperature=1.5,
                                                               top_k=0, top_p=1.0))
    assert len(long.ids) + len(fast.records) <= 128
    assert_same(plain, fast)


def test_cache_lengths_come_in_buckets_within_the_window():
    assert fast_decode.cache_length(1, 1024) == fast_decode.CACHE_BUCKET
    assert fast_decode.cache_length(fast_decode.CACHE_BUCKET + 1, 4096) == 2 * fast_decode.CACHE_BUCKET
    assert fast_decode.cache_length(5000, 1024) == 1024


def test_compilation_is_off_on_the_cpu_unless_asked(monkeypatch):
    import torch

    monkeypatch.delenv(fast_decode.ENV_COMPILE, raising=False)
    assert not fast_decode.compile_wanted(torch.device("cpu"))
    assert fast_decode.compile_wanted(torch.device("cuda"))
    monkeypatch.setenv(fast_decode.ENV_COMPILE, "0")
    assert not fast_decode.compile_wanted(torch.device("cuda"))


@pytest.mark.slow
def test_fast_path_same_on_the_real_offline_model(bundled_model):
    ids = prompt_ids(bundled_model, "Name three colours of the rainbow.")
    for settings in (SamplingSettings(max_new_tokens=24, greedy=True),
                     SamplingSettings(max_new_tokens=24, seed=4, temperature=0.8)):
        plain, fast = both(bundled_model, ids, settings)
        assert_same(plain, fast)


def test_a_prepared_compiled_step_gives_the_same_answer(tiny_model_dir, session_paths, monkeypatch):
    """The compile path end to end on the CPU (dynamo tracing with the eager backend: quick,
    no code generation); on a GPU bench/gpu_suite.sh runs it with CUDA graphs."""
    import torch
    from torch._dynamo.utils import counters

    from desktop_app.core import threads
    from desktop_app.core.models import open_model

    loaded = open_model(str(tiny_model_dir), session_paths, device="cpu", precision="exact")
    ids = prompt_ids(loaded)
    settings = SamplingSettings(max_new_tokens=12, seed=4)
    plain = generate(loaded, ids, settings, fast=False)
    monkeypatch.setenv(fast_decode.ENV_COMPILE, "1")
    monkeypatch.setenv(threads.ENV_OVERRIDE, str(torch.get_num_threads() + 1))  # answers' team != torch's
    stages = []
    took = fast_decode.prepare(loaded, len(ids) + 12, progress=lambda *a: stages.append(a), backend="eager")
    length = fast_decode.cache_length(len(ids) + 12, loaded.context_window)
    assert took > 0 and fast_decode.compiled_forward(loaded, length) is not None
    assert [s[1:] for s in stages] == [(0, 1), (1, 1)] and "Preparing" in stages[0][0]
    assert fast_decode.prepare(loaded, len(ids) + 12, backend="eager") == 0.0  # once per model and size
    graphs = counters["stats"]["unique_graphs"]
    for _ in range(2):  # the pooled cache is reset between answers
        compiled = generate(loaded, ids, settings, fast=True)
        assert_same(plain, compiled)
    # prepared with the answers' thread team (a compiled step is guarded on it): no compile in an answer
    assert counters["stats"]["unique_graphs"] == graphs
    # by default a model with a prepared step answers on the fast path, any other on the plain one
    assert generate(loaded, ids, settings).fast is True
    monkeypatch.delenv(fast_decode.ENV_COMPILE)
    assert generate(loaded, ids, settings).fast is False  # on a CPU compile is not wanted


def test_the_default_path_is_plain_without_a_prepared_step(tiny_model, monkeypatch):
    monkeypatch.delenv(fast_decode.ENV_COMPILE, raising=False)
    assert fast_decode.prepare_or_skip(tiny_model) == 0.0  # nothing to prepare on a CPU
    gen = generate(tiny_model, prompt_ids(tiny_model), SamplingSettings(max_new_tokens=3, seed=1))
    assert gen.fast is False and len(gen.records) == 3


@pytest.mark.slow
def test_a_step_compiled_to_cpu_code_gives_the_same_answer(tiny_model_dir, session_paths, monkeypatch, tmp_path):
    """Inductor on the CPU (C++ code, about a minute here; opt-in in the app): float32 keeps the
    plain path's records; Fast (bfloat16, weights packed for the plain path) compiles too,
    its packed products stepping aside for the compiler, and the generated code is kept in
    the folder compiled_code_dir names."""
    from desktop_app.core.models import open_model
    from desktop_app.core.precision import fast_dtype

    import torch

    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "compiled"))
    monkeypatch.setenv(fast_decode.ENV_COMPILE, "1")
    ids = prompt_ids(open_model(str(tiny_model_dir), session_paths, device="cpu", precision="exact"))
    settings = SamplingSettings(max_new_tokens=12, seed=4)
    for precision in ("exact", "fast"):
        loaded = open_model(str(tiny_model_dir), session_paths, device="cpu", precision=precision)
        plain = generate(loaded, ids, settings, fast=False)
        assert fast_decode.prepare(loaded, len(ids) + 12) > 0
        compiled = generate(loaded, ids, settings)
        assert compiled.fast is True
        if precision == "exact":
            assert_same(plain, compiled)
        else:
            assert loaded.dtype == (fast_dtype(torch.device("cpu")) or torch.float32)
            assert len(compiled.records) == len(plain.records) and compiled.records[0].precision == plain.records[0].precision
    assert any((tmp_path / "compiled").iterdir())


def test_a_long_prompt_read_in_chunks_gives_the_same_answer(tiny_model, monkeypatch):
    """A prompt longer than a chunk is read a chunk at a time (so Stop works while it is read):
    the same tokens and records as one pass, on the plain loop and the lean step, with a
    branch's forced prefix longer than a chunk too."""
    ids = prompt_ids(tiny_model, "Tell me a long story about " + "a cat and a dog " * 5)
    settings = SamplingSettings(max_new_tokens=12, seed=5, alternatives=5)
    one_pass = generate(tiny_model, ids, settings, fast=True)  # the static path reads it in one pass
    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 7)
    assert len(ids) > 3 * fast_decode.PREFILL_CHUNK
    for lean in (False, True):
        chunked = generate(tiny_model, ids, settings, fast=False, lean=lean)
        assert chunked.path == ("lean" if lean else "plain")
        assert_same(one_pass, chunked)
    prefix = [r.id for r in one_pass.records[:9]]
    branch_one = generate(tiny_model, ids, settings, fast=True, prefix_ids=prefix)
    branch_chunked = generate(tiny_model, ids, settings, fast=False, prefix_ids=prefix)
    assert_same(branch_one, branch_chunked)


def test_stop_while_a_long_prompt_is_read_ends_before_the_first_token(tiny_model, monkeypatch):
    import threading

    monkeypatch.setattr(fast_decode, "PREFILL_CHUNK", 7)
    cancel, passes = threading.Event(), []

    def press_stop_after_the_first_chunk(_module, _args, _out):
        passes.append(1)
        cancel.set()

    hook = tiny_model.model.register_forward_hook(press_stop_after_the_first_chunk)
    try:
        gen = generate(tiny_model, prompt_ids(tiny_model, "word " * 40), SamplingSettings(max_new_tokens=8, seed=1),
                       fast=False, cancel=cancel)
        records = list(gen)
    finally:
        hook.remove()
    assert records == [] and gen.finish_reason == "cancelled"
    assert len(passes) == 1  # the rest of the prompt was never read
