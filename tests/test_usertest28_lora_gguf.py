"""usertest28: the adapter alone as a GGUF LoRA file, for llama.cpp's ``--lora`` over the base
model's GGUF (before, only the merged model went out as GGUF). The file is read back with the
``gguf`` package: every pair, scaled by llama.cpp's alpha / rank, must be exactly what the merge
adds to that tensor in the base GGUF's own layout (names, GPT-2's Conv1D, Llama's rotary rows)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from desktop_app.core import adapters, gguf_export, lora_gguf, model_export
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from tiny_model import build_tiny_llama, random_lora


def _saved_adapter(tmp_path, folder):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(folder), paths, device="cpu", precision="exact")
    run = store.create_run({"lora_r": 4}, loaded.model_id)
    aid = adapters.save_adapter(store, random_lora(folder, 3, std=0.3), paths, base_model=loaded.model_id,
                                run_id=run, parent_id=None, settings={"lora_r": 4}, metrics={})
    return paths, store, aid


def _gguf_tensors(model) -> dict[str, np.ndarray]:
    arch = gguf_export.check_architecture(model.config)
    return dict(gguf_export._tensors(model, arch))


def _lora_products(path) -> dict[str, np.ndarray]:
    """Each adapted tensor's change as llama.cpp computes it: alpha / rank * B @ A."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    alpha = float(reader.fields["adapter.lora.alpha"].contents())
    found = {t.name: np.asarray(t.data, dtype=np.float32).reshape(list(reversed(t.shape.tolist())))
             for t in reader.tensors}
    out = {}
    for name in (n[:-len(".lora_a")] for n in found if n.endswith(".lora_a")):
        a, b = found[name + ".lora_a"], found[name + ".lora_b"]
        out[name] = alpha / a.shape[0] * (b @ a)
    return out


def _check_against_merge(store, aid, folder, out):
    from transformers import AutoModelForCausalLM

    base = _gguf_tensors(AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32))
    merged = _gguf_tensors(model_export.load_merged(folder, store.get_adapter(aid)["path"]))
    changes = _lora_products(out)
    changed = {n for n in merged if not np.array_equal(merged[n], base[n])}
    assert changed and set(changes) == changed  # every tensor the merge moved, and only those
    for name, delta in changes.items():
        assert delta.shape == base[name].shape, name
        np.testing.assert_allclose(base[name] + delta, merged[name], atol=2e-5, err_msg=name)


def test_gpt2_adapter_as_lora_gguf_is_what_the_merge_adds(tmp_path, tiny_model_dir):
    paths, store, aid = _saved_adapter(tmp_path, tiny_model_dir)
    out = tmp_path / "adapter.gguf"
    result = model_export.export_adapter(store, aid, "gguf-lora", out, paths)
    meta = lora_gguf.check_written_lora(out)
    assert result.format == "gguf-lora" and meta["architecture"] == "gpt2" and meta["types"] == ["F32"]
    assert meta["alpha"] == 8.0  # rank 4, lora_alpha 8: PEFT's scale 2 = llama.cpp's alpha / rank
    assert any("--lora" in note for note in result.notes)
    _check_against_merge(store, aid, tiny_model_dir, out)
    store.close()


def test_llama_adapter_as_lora_gguf_permutes_q_and_k(tmp_path, tiny_model_dir):
    folder = build_tiny_llama(tmp_path / "tiny-llama", tiny_model_dir)
    paths, store, aid = _saved_adapter(tmp_path, folder)
    out = tmp_path / "llama-adapter.gguf"
    model_export.export_adapter(store, aid, "gguf-lora", out, paths)
    assert lora_gguf.check_written_lora(out)["architecture"] == "llama"
    _check_against_merge(store, aid, folder, out)
    store.close()


def test_rslora_scale_is_kept():
    assert lora_gguf.llama_cpp_alpha({"r": 16, "lora_alpha": 16}) == 16.0
    assert lora_gguf.llama_cpp_alpha({"r": 16, "lora_alpha": 16, "use_rslora": True}) == pytest.approx(64.0)


def exported_by_the_cli(tmp_path, tiny_model_dir, out) -> tuple[list[str], int]:
    """A saved adapter exported by `adapters export --format gguf-lora` to ``out``: (the common options, its id)."""
    from desktop_app.cli import main

    _paths, store, aid = _saved_adapter(tmp_path, tiny_model_dir)
    store.close()
    common = ["--data-dir", str(tmp_path / "data"), "--model", str(tiny_model_dir)]
    assert main(common + ["adapters", "export", str(aid), "--format", "gguf-lora", "--out", str(out)]) == 0
    return common, aid


def test_cli_exports_the_lora_gguf_and_refuses_quant(tmp_path, tiny_model_dir, capsys):
    from desktop_app.cli import main

    out = tmp_path / "cli-adapter.gguf"
    common, aid = exported_by_the_cli(tmp_path, tiny_model_dir, out)
    assert "--lora" in capsys.readouterr().err and lora_gguf.check_written_lora(out)["tensors"] == 16
    assert main(common + ["adapters", "export", str(aid), "--format", "gguf-lora", "--quant", "q8_0",
                          "--out", str(tmp_path / "q.gguf")]) != 0
    assert not (tmp_path / "q.gguf").exists()



def test_a_peft_export_of_a_gguf_model_names_the_file_it_learned_on(tmp_path, tiny_model_dir):
    """The bundled model's adapter learned on its Q4_1 GGUF, dequantized: over the hub's model (the
    only base the note named) a plain script's figures were not the app's; over the file they are.
    The file is named by its name alone: its folder is the app's install (export81)."""
    from desktop_app.core.model_sources import bundled_gguf_path

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 3), paths, base_model="bundled:SmolLM2-135M-Instruct",
                                run_id=None, parent_id=None, settings={}, metrics={})
    result = model_export.export_adapter(store, aid, "peft", tmp_path / "peft", paths)
    store.close()
    gguf = bundled_gguf_path()
    assert any(f"gguf_file={gguf.name!r}" in note and str(gguf.parent) not in note for note in result.notes), result.notes
