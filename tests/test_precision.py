"""Precision: Exact (float32) and Fast (16-bit weights where the hardware has it), and records
that remember which one made them (store schema 3; files from before open and say 'not recorded')."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
import torch

from desktop_app.core import precision as P
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.scoring import score_ids
from desktop_app.core.store import Store
from desktop_app.core.store_schema import MIGRATIONS, SCHEMA_VERSION
from test_store import make_records


def test_choices_map_to_dtypes_and_labels(auto_as_the_machine_reads_it):
    cpu = torch.device("cpu")
    assert P.weights_dtype(cpu, "exact") == torch.float32
    fast = P.fast_dtype(cpu)
    assert P.weights_dtype(cpu, "fast") == (fast or torch.float32)
    assert P.weights_dtype(cpu, "auto") == P.weights_dtype(cpu, "fast")
    # the CPU answer follows torch's own view of the hardware, never the CPU's name
    assert (fast == torch.bfloat16) == (P.cpu_has_native_bf16() and P.bf16_matmul_works("cpu"))
    assert P.label("bfloat16") == "Fast (bfloat16)" and P.label("float32") == "Exact (float32)"
    assert P.label(None) == "not recorded"
    with pytest.raises(ValueError, match="precision is one of"):
        P.weights_dtype(cpu, "half")


def test_bf16_probe_computes_a_real_product():
    assert P.bf16_matmul_works("cpu")  # every torch build here has the CPU kernels


def test_fast_model_labels_its_records_and_stays_close_to_exact(tiny_model, tiny_model_dir, session_paths):
    fast = open_model(str(tiny_model_dir), session_paths, device="cpu", precision="fast")
    if fast.dtype == torch.float32:
        pytest.skip("this CPU has no native bfloat16: Fast falls back to Exact")
    assert fast.precision == "bfloat16" and fast.precision_label == "Fast (bfloat16)"
    assert "Fast (bfloat16)" in fast.describe()
    prompt = build_prompt(tiny_model.tokenizer, [Turn("user", "Hello, how are you?")], context_window=128,
                          max_new_tokens=20)
    exact = generate(tiny_model, prompt.ids, SamplingSettings(max_new_tokens=20, greedy=True))
    assert {r.precision for r in exact.records} == {"float32"}
    ids = [r.id for r in exact.records]
    scored_fast = score_ids(fast, prompt.ids, ids)
    assert {r.precision for r in scored_fast} == {"bfloat16"}
    worst = max(abs(a.logprob - b.logprob) for a, b in zip(exact.records, scored_fast))
    assert 0 < worst < 0.25  # 16-bit weights move the figures a little, never a lot


def test_records_keep_their_precision_in_the_store(tmp_path):
    store = Store.open(tmp_path / "app.sqlite3")
    conv = store.create_conversation()
    records = [replace(r, precision="bfloat16") for r in make_records(3)]
    mid = store.add_message(conv, "assistant", "x", records=records)
    back = store.token_records(mid)
    assert back == records and {r.precision for r in back} == {"bfloat16"}
    store.set_token_records(mid, [replace(r, precision="float32") for r in records], kind="rescored")
    assert {r.precision for r in store.token_records(mid, kind="rescored")} == {"float32"}
    plain = store.add_message(conv, "assistant", "y", records=make_records(2))
    assert {r.precision for r in store.token_records(plain)} == {None}
    store.close()


def test_a_version_2_file_opens_and_its_records_say_not_recorded(tmp_path):
    from desktop_app.core import store_codec

    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        for statement in step:
            conn.execute(statement)
    t = "2026-01-01T00:00:00.000000+00:00"
    conn.execute("INSERT INTO conversations VALUES (1, 'Old chat', ?, ?)", (t, t))
    conn.execute("INSERT INTO messages VALUES (1, 1, NULL, 'assistant', 'hello', 'gpt2', NULL, '{}', ?)", (t,))
    conn.execute("INSERT INTO token_records VALUES (1, 'generated', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (*store_codec.encode(make_records(4)), t))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()

    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION >= 3
    old = store.token_records(1)
    assert old == make_records(4) and {r.precision for r in old} == {None}
    assert P.label(old[0].precision) == "not recorded"
    new = store.add_message(1, "assistant", "again", records=[replace(r, precision="float32") for r in old])
    assert store.token_records(new)[0].precision == "float32"
    assert store.integrity_check() == ["ok"]
    store.close()


def test_cli_precision_option_reaches_the_loader(tiny_model_dir, tmp_path, capsys):
    from desktop_app.cli import main

    code = main(["generate", "--model", str(tiny_model_dir), "--device", "cpu", "--precision", "exact",
                 "--json", "--max-new-tokens", "3", "--temperature", "0", "Hi"])
    assert code == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert {t["precision"] for t in out["tokens"]} == {"float32"}


def test_packed_cpu_weights_give_the_plain_products_and_step_aside_for_gradients():
    from desktop_app.core.fast_decode import pack_cpu_weights

    if not P.cpu_has_native_bf16():
        pytest.skip("no native bfloat16 on this CPU")
    torch.manual_seed(0)
    from transformers.pytorch_utils import Conv1D

    model = torch.nn.Sequential(torch.nn.Linear(64, 96), torch.nn.GELU(), torch.nn.Linear(96, 32, bias=False),
                                Conv1D(48, 32))  # GPT-2's layer: weight [in, out]
    model.to(torch.bfloat16)
    x = torch.randn(3, 5, 64, dtype=torch.bfloat16)
    with torch.no_grad():
        plain = model(x)
    assert pack_cpu_weights(model) == 3
    with torch.inference_mode():
        packed = model(x)
    assert torch.allclose(packed.float(), plain.float(), atol=0.05)
    assert "_gpt2desk_packed" not in model.state_dict() and len(model.state_dict()) == 5
    y = model(x.requires_grad_())  # gradients on: the plain product, so backward works
    y.float().sum().backward()
    assert x.grad is not None and model[0].weight.grad is not None
