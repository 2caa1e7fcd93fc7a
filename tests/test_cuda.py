"""The CUDA path: loading in each precision, the fast decoding path (static cache, CUDA graphs)
against the plain one, and a short fine-tune. Marked ``cuda``: skipped without a GPU;
bench/gpu_suite.sh runs them on one."""

from __future__ import annotations

import pytest

from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.prompts import Turn, build_prompt

pytestmark = pytest.mark.cuda


@pytest.fixture(scope="module")
def cuda_models(tiny_model_dir, session_paths):
    from desktop_app.core.models import open_model

    return {p: open_model(str(tiny_model_dir), session_paths, device="cuda", precision=p) for p in ("exact", "fast")}


def prompt_ids(loaded):
    return build_prompt(loaded.tokenizer, [Turn("user", "Hello 😀, what is the capital of France?")],
                        context_window=loaded.context_window, max_new_tokens=40).ids


def test_precisions_on_cuda(cuda_models):
    import torch

    exact, fast = cuda_models["exact"], cuda_models["fast"]
    assert exact.device.type == "cuda" and exact.dtype == torch.float32
    assert fast.dtype == (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    gen = generate(fast, prompt_ids(fast), SamplingSettings(max_new_tokens=20, seed=1))
    assert gen.records and {r.precision for r in gen.records} == {fast.precision}


@pytest.mark.parametrize("settings", [SamplingSettings(max_new_tokens=40, greedy=True),
                                      SamplingSettings(max_new_tokens=40, seed=3, temperature=0.9)],
                         ids=["greedy", "sampled"])
def test_fast_path_matches_plain_on_cuda(cuda_models, settings):
    exact = cuda_models["exact"]
    ids = prompt_ids(exact)
    plain = generate(exact, ids, settings, fast=False)
    fast = generate(exact, ids, settings, fast=True)
    assert [r.id for r in fast.records] == [r.id for r in plain.records]
    for a, b in zip(plain.records, fast.records):
        assert abs(a.logprob - b.logprob) < 1e-4 and a.rank == b.rank


def test_cuda_graph_step_matches_plain(cuda_models, monkeypatch):
    from desktop_app.core import fast_decode

    exact = cuda_models["exact"]
    ids = prompt_ids(exact)
    settings = SamplingSettings(max_new_tokens=30, greedy=True)
    plain = generate(exact, ids, settings, fast=False)
    monkeypatch.setenv(fast_decode.ENV_COMPILE, "1")
    took = fast_decode.prepare(exact, len(ids) + 30)
    assert took > 0 and fast_decode.compiled_forward(exact, fast_decode.cache_length(len(ids) + 30, 128)) is not None
    graphed = generate(exact, ids, settings, fast=True)
    assert [r.id for r in graphed.records] == [r.id for r in plain.records]
    for a, b in zip(plain.records, graphed.records):
        assert abs(a.logprob - b.logprob) < 1e-4


def test_finetune_runs_on_cuda(tiny_model_dir, tmp_path):
    import torch

    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cuda")
    store = Store.open(paths.db_path)
    for i in range(8):
        conv = store.create_conversation(f"q{i}")
        user = store.add_message(conv, "user", f"Question {i}?")
        answer = store.add_message(conv, "assistant", "The capital of France is Paris." if i % 2 else "No.",
                                   parent_id=user, model_id=loaded.model_id)
        store.rate_message(answer, 1 if i % 2 else -1)
    torch.cuda.reset_peak_memory_stats()
    result = run_finetune(store, loaded, paths, FineTuneSettings(max_steps=4, min_steps=4, reask_count=1,
                                                                 reask_tokens=4))
    assert result.status in ("kept", "discarded")
    assert torch.cuda.max_memory_allocated() > 0
    store.close()
