"""Exporting an adapter: PEFT folder, merged transformers folder, GGUF (f16, q8_0) for the
GPT-2 and Llama architectures, read back with transformers and the gguf reader."""

from __future__ import annotations

import copy
import json
import threading

import pytest
import torch

from desktop_app.core import adapters, gguf_export, model_export
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.scoring import score_ids
from tiny_model import random_lora
from desktop_app.core.store import Store
from tiny_model import build_tiny_llama

METRICS = {"data_thumbs_up": 3, "data_thumbs_down": 2, "data_corrections": 1, "data_pairs": 1,
           "train_size": 5, "heldout_size": 1, "gate_margin_on": "heldout", "margin_before": -1.25,
           "margin_after": -0.5, "probe_ppl_before": 40.0, "probe_ppl_after": 40.5, "reask_count": 3,
           "reask_degenerate_before": 0, "reask_degenerate_after": 0}
PROMPTS = ["Hello, how are you?", "The capital of France is Paris.", "A stitch in time"]


def _lora(folder, seed=1):
    return random_lora(folder, seed, std=0.3)


def _setup(tmp_path, folder):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(folder), paths, device="cpu", precision="exact")
    run = store.create_run({"lora_r": 4}, loaded.model_id)
    aid = adapters.save_adapter(store, _lora(folder), paths, base_model=loaded.model_id, run_id=run, parent_id=None,
                                settings={"lora_r": 4, "lr": 3e-4}, metrics=METRICS)
    return paths, store, loaded, aid


@pytest.fixture
def gpt2_env(tmp_path, tiny_model_dir):
    paths, store, loaded, aid = _setup(tmp_path, tiny_model_dir)
    yield paths, store, loaded, aid
    store.close()


@pytest.fixture(scope="module")
def tiny_llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


def _app_logprobs(loaded, store, aid, text):
    """Log-probabilities the app computes with the adapter attached (its own scoring path)."""
    adapters.switch_to(loaded, store, aid)
    ids = loaded.tokenizer(text)["input_ids"]
    return torch.tensor([r.logprob for r in score_ids(loaded, ids[:1], ids[1:])])


def _full_logprobs(model, tokenizer, text):
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids
    with torch.no_grad():
        return model(ids).logits.log_softmax(-1)


def test_peft_export_has_a_card_and_loads_with_peft(gpt2_env, tmp_path, tiny_model_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    paths, store, loaded, aid = gpt2_env
    out = tmp_path / "adapter-peft"
    result = model_export.export_adapter(store, aid, "peft", out, paths)
    assert result.path == out and {p.name for p in out.iterdir()} == {
        "adapter_config.json", "adapter_model.safetensors", "README.md"}
    card = (out / "README.md").read_text()
    assert "thumbs up: 3" in card and "thumbs down: 2" in card and "corrections: 1" in card
    assert "| -1.250 | -0.500 |" in card and "| 40.00 | 40.50 |" in card
    # a folder base by its name: its path on this machine means nothing where the card is read (export81)
    assert f"- Base model: `{tiny_model_dir.name}`" in card and str(tiny_model_dir) not in card
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    peft_model = PeftModel.from_pretrained(base, str(out)).eval()
    text = PROMPTS[0]
    ids = loaded.tokenizer(text)["input_ids"]
    with torch.no_grad():
        logp = peft_model(torch.tensor([ids])).logits.log_softmax(-1)[0, :-1]
    theirs = logp.gather(-1, torch.tensor(ids[1:])[:, None])[:, 0]
    assert torch.allclose(theirs, _app_logprobs(loaded, store, aid, text), atol=1e-5)
    with pytest.raises(model_export.ExportError, match="already exists"):
        model_export.export_adapter(store, aid, "peft", out, paths)


def test_merged_export_matches_the_app_with_its_adapter(gpt2_env, tmp_path):
    paths, store, loaded, aid = gpt2_env
    out = tmp_path / "merged"
    stages = []
    result = model_export.export_adapter(store, aid, "merged", out, paths, progress=lambda s, d, t: stages.append(s))
    names = {p.name for p in out.iterdir()}
    assert {"model.safetensors", "config.json", "generation_config.json", "tokenizer.json", "README.md"} <= names
    assert result.bytes > 0 and any("Merging" in s for s in stages)
    merged = open_model(str(out), paths, device="cpu", precision="exact")  # the app's own loader: safetensors only
    worst = 0.0
    for text in PROMPTS:
        ids = merged.tokenizer(text)["input_ids"]
        theirs = torch.tensor([r.logprob for r in score_ids(merged, ids[:1], ids[1:])])
        ours = _app_logprobs(loaded, store, aid, text)
        worst = max(worst, float((theirs - ours).abs().max()))
    base_lp = torch.tensor([r.logprob for r in score_ids(open_model(str(loaded.folder), paths, device="cpu", precision="exact"),
                                                         ids[:1], ids[1:])])
    assert worst < 1e-4 and float((base_lp - ours).abs().max()) > 1e-2  # the adapter really changed it


def _rounded_to_f16(model):
    """What an f16 GGUF holds: every matrix rounded to half precision (norms, biases and GPT-2's
    position table stay float32)."""
    copy_ = copy.deepcopy(model)
    with torch.no_grad():
        for name, p in copy_.named_parameters():
            if p.ndim > 1 and "wpe" not in name:
                p.copy_(p.half().float())
    return copy_


def _gguf_model(path, **overrides):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32, **overrides)
    return model.eval(), AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)


def _round_trip(paths, store, aid, folder, out, quant, **overrides):
    """Max |log-prob difference| over PROMPTS: GGUF vs merged, and GGUF vs merged rounded to f16."""
    result = model_export.export_adapter(store, aid, "gguf", out, paths, quant=quant)
    merged = model_export.load_merged(folder, store.get_adapter(aid)["path"])
    rounded = _rounded_to_f16(merged)
    gguf_model, gguf_tokenizer = _gguf_model(out, **overrides)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    vs_merged = vs_rounded = 0.0
    for text in PROMPTS:
        assert gguf_tokenizer(text, add_special_tokens=False).input_ids == tokenizer(
            text, add_special_tokens=False).input_ids
        theirs = _full_logprobs(gguf_model, tokenizer, text)
        vs_merged = max(vs_merged, float((theirs - _full_logprobs(merged, tokenizer, text)).abs().max()))
        vs_rounded = max(vs_rounded, float((theirs - _full_logprobs(rounded, tokenizer, text)).abs().max()))
    return result, vs_merged, vs_rounded


@pytest.mark.parametrize("quant", ["f16", "q8_0"])
def test_gguf_export_gpt2_reads_back(gpt2_env, tmp_path, tiny_model_dir, quant):
    paths, store, loaded, aid = gpt2_env
    out = tmp_path / f"tiny-{quant}.gguf"
    # transformers' GGUF reader maps context_length to n_ctx only; GPT-2's n_positions is given
    result, vs_merged, vs_rounded = _round_trip(paths, store, aid, tiny_model_dir, out, quant, n_positions=128)
    print(f"gpt2 {quant}: max |dlogp| vs merged {vs_merged:.2e}, vs f16-rounded {vs_rounded:.2e}, "
          f"{result.bytes} bytes")
    meta = gguf_export.check_written(out)
    assert meta["architecture"] == "gpt2" and meta["tensors"] == 29
    assert meta["types"] == (["F16", "F32"] if quant == "f16" else ["F32", "Q8_0"])
    if quant == "f16":
        assert vs_rounded < 1e-4  # the layout is exact: only f16 rounding separates it from the merge
    assert vs_merged < 0.05
    assert any("llama.cpp" in n for n in result.notes)
    assert result.extra_files == [model_export.card_path_for(out)], "a GPT-2 GGUF has its card, and no Modelfile"
    from gguf import GGUFReader

    fields = GGUFReader(str(out)).fields
    assert fields["tokenizer.ggml.pre"].contents() == "gpt-2"
    assert fields["gpt2.context_length"].contents() == 128
    assert len(fields["tokenizer.ggml.tokens"].contents()) == loaded.model.config.vocab_size


def test_gguf_export_llama_with_modelfile(tmp_path, tiny_llama_dir):
    paths, store, loaded, aid = _setup(tmp_path, tiny_llama_dir)
    out = tmp_path / "llama.gguf"
    result, vs_merged, vs_rounded = _round_trip(paths, store, aid, tiny_llama_dir, out, "f16")
    print(f"llama f16: max |dlogp| vs merged {vs_merged:.2e}, vs f16-rounded {vs_rounded:.2e}")
    assert vs_rounded < 1e-4  # q/k permutation, grouped kv heads and tied embeddings are right
    modelfile = out.with_suffix(".Modelfile")
    assert result.extra_files == [modelfile, model_export.card_path_for(out)]
    text = modelfile.read_text()
    assert "FROM ./llama.gguf" in text and "<|im_start|>{{ .Role }}" in text
    assert 'SYSTEM """You are a tiny test model."""' in text and 'PARAMETER stop "<|im_end|>"' in text
    from gguf import GGUFReader

    fields = GGUFReader(str(out)).fields
    assert "<|im_start|>" in fields["tokenizer.chat_template"].contents()
    assert fields["llama.attention.head_count_kv"].contents() == 2
    assert "output.weight" not in {t.name for t in GGUFReader(str(out)).tensors}  # tied, as llama.cpp expects
    with pytest.raises(model_export.ExportError, match="already exists"):
        model_export.export_adapter(store, aid, "gguf", out, paths)
    store.close()


def test_export_refuses_bad_requests_and_leaves_nothing(gpt2_env, tmp_path, monkeypatch):
    from transformers import OPTConfig

    paths, store, loaded, aid = gpt2_env
    with pytest.raises(model_export.ExportError, match="Unknown export format"):
        model_export.export_adapter(store, aid, "onnx", tmp_path / "x", paths)
    with pytest.raises(model_export.ExportError, match="ending in .gguf"):
        model_export.export_adapter(store, aid, "gguf", tmp_path / "x.bin", paths)
    with pytest.raises(model_export.ExportError, match="There is no folder .*: create it first"):
        model_export.export_adapter(store, aid, "merged", tmp_path / "no" / "x", paths)
    with pytest.raises(gguf_export.GGUFExportError, match="'opt'"):
        gguf_export.check_architecture(OPTConfig())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(gguf_export.ExportCancelled):
        model_export.export_adapter(store, aid, "gguf", tmp_path / "c.gguf", paths, cancel=cancel)
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=1000))
    with pytest.raises(model_export.ExportError, match="Not enough disk space"):
        model_export.export_adapter(store, aid, "merged", tmp_path / "m", paths)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert not any(name.startswith(".tmp-") or name in ("c.gguf", "m", "x") for name in left), left


def test_cli_adapters_export(gpt2_env, tmp_path, tiny_model_dir, capsys):
    from desktop_app.cli import main

    paths, store, loaded, aid = gpt2_env
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    out = tmp_path / "cli.gguf"
    assert main(["adapters", "export", str(aid), "--format", "gguf", "--quant", "q8_0", "--out", str(out),
                 "--json", *common]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["path"] == str(out) and answer["bytes"] == out.stat().st_size
    assert gguf_export.check_written(out)["types"] == ["F32", "Q8_0"]
    assert main(["adapters", "export", str(aid), "--format", "peft", "--out", str(out), *common]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["adapters", "export", str(aid + 5), "--format", "peft", "--out", str(tmp_path / "p"), *common]) == 2
    assert f"no adapter {aid + 5}" in capsys.readouterr().err


@pytest.mark.slow
def test_bundled_model_gguf_export(tmp_path, bundled_model_dir):
    """The real SmolLM2 (Llama architecture, ChatML, grouped kv heads): the GGUF f16 equals the
    merged model rounded to f16, keeps the source file's pre-tokenizer, and its Modelfile
    carries the model's default system text."""
    from gguf import GGUFReader

    from desktop_app.core.model_sources import bundled_gguf_path, resolve_spec

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    aid = adapters.save_adapter(store, _lora(bundled_model_dir, seed=2), paths,
                                base_model=resolve_spec("bundled").model_id, run_id=None, parent_id=None,
                                settings={}, metrics={})
    # the export finds the base by the stored model id: point the bundled conversion at the session's copy
    paths.converted_models_dir.mkdir(parents=True, exist_ok=True)
    (paths.converted_models_dir / bundled_model_dir.name).symlink_to(bundled_model_dir)
    out = tmp_path / "smol.gguf"
    _result, _vs_merged, vs_rounded = _round_trip(paths, store, aid, bundled_model_dir, out, "f16")
    assert vs_rounded < 1e-4
    fields = GGUFReader(str(out)).fields
    source = GGUFReader(str(bundled_gguf_path())).fields
    assert fields["tokenizer.ggml.pre"].contents() == source["tokenizer.ggml.pre"].contents()
    assert fields["tokenizer.chat_template"].contents() == source["tokenizer.chat_template"].contents()
    assert 'SYSTEM """You are a helpful AI assistant named SmolLM' in out.with_suffix(".Modelfile").read_text()
    store.close()


def test_card_shows_the_schedule_the_run_used_not_none():
    """Under the automatic schedule the settings hold None for epochs, batch size and lr:
    the card shows what the run really used (its metrics' schedule)."""
    row = {"id": 3, "base_model": "tiny", "settings": {"lora_r": 8, "lr": None, "epochs": None, "batch_size": None,
                                                        "beta": 0.1},
           "metrics": {"schedule": {"examples": 6, "batch_size": 2, "updates": 24, "lr": 5e-4, "epochs": 8.0,
                                    "rule": "auto"}}}
    card = model_export.model_card(row, "peft")
    assert "None" not in card
    assert "updates=24, batch_size=2, lr=5e-04, epochs=8.0 (auto schedule)" in card and "lora_r=8" in card


def test_gguf_export_progress_follows_the_work_tensor_by_tensor(gpt2_env, tmp_path):
    paths, store, _loaded, aid = gpt2_env
    seen = []
    model_export.export_adapter(store, aid, "gguf", tmp_path / "p.gguf", paths,
                                progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = [s for s, _d, _t in seen]
    loading = [(d, t) for s, d, t in seen if s == "Loading the base model"]
    assert loading[0] == (0, 0) and len(loading) > 3, "a busy bar, then the tensors counted as they load"
    assert [d for d, _t in loading[1:]] == list(range(1, len(loading))) and loading[-1][0] == loading[-1][1]
    assert stages.index("Loading the base model") < stages.index("Adding the adapter") < stages.index(
        "Merging the adapter into the base model") < stages.index("Packing tensors (f16)")
    counted = [(s, d / t) for s, d, t in seen if t and s in ("Packing tensors (f16)", "Writing the GGUF file")]
    fractions = [f for _s, f in counted]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    writing = [f for s, f in counted if s == "Writing the GGUF file"]
    assert len({f for f in writing if 0.5 < f < 1.0}) >= 10, "the file is written tensor by tensor, each counted"
    assert stages[-1] == "Checking the written file"
