"""Model specs, safety checks, errors a person can act on, context fitting, layering."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from desktop_app.core import model_sources
from desktop_app.core.errors import ModelError
from desktop_app.core.model_sources import GPT2_FAMILY, resolve_spec
from desktop_app.core.models import load_model, open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import Turn, build_prompt


def test_gpt2_family_short_names_and_offline_default_falls_back_to_bundled(monkeypatch):
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    source = resolve_spec(None, probe=lambda: False)
    assert source.model_id == "bundled:SmolLM2-135M-Instruct"
    assert source.kind == "gguf" and source.location.endswith(".gguf")
    assert "out of reach" in source.notice and source.notice.startswith("Using the bundled model") and GPT2_FAMILY["gpt2"] in source.notice


def test_hub_model_when_the_hub_answers(monkeypatch):
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    source = resolve_spec("gpt2-medium", probe=lambda: True)
    assert (source.kind, source.location) == ("hub", "openai-community/gpt2-medium")


def test_cached_hub_model_is_used_without_probing(monkeypatch, tiny_model_dir):
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: tiny_model_dir)

    def probe():
        raise AssertionError("a cached model must not touch the network")

    source = resolve_spec("distilgpt2", probe=probe)
    assert source.kind == "folder" and source.model_id == "distilbert/distilgpt2"


def test_unknown_hub_id_offline_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    with pytest.raises(ModelError, match="not in the local cache.*offline") as info:
        resolve_spec("someone/no-such-model", probe=lambda: False)
    assert "\n" not in str(info.value)


def test_offline_is_decided_fast(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    model_sources._reachable_endpoints.clear()
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", "http://10.255.255.1:9")  # unroutable: hangs
    start = time.perf_counter()
    assert model_sources.hub_reachable(timeout=1.0) is False
    assert time.perf_counter() - start < 2.0
    model_sources._reachable_endpoints.clear()


def test_missing_path_and_non_model_folder(tmp_path):
    with pytest.raises(ModelError, match="No such model folder"):
        resolve_spec(str(tmp_path / "nope"))
    with pytest.raises(ModelError, match="No such GGUF file"):
        resolve_spec(str(tmp_path / "nope.gguf"))
    (tmp_path / "empty").mkdir()
    source = resolve_spec(str(tmp_path / "empty"))
    with pytest.raises(ModelError, match="not a model folder"):
        load_model(source, AppPaths.resolve(tmp_path / "data"))
    (tmp_path / "peft").mkdir()
    (tmp_path / "peft" / "adapter_config.json").write_text("{}")
    with pytest.raises(ModelError, match="holds a LoRA adapter, not a model: bring it in with Adapter history"):
        load_model(resolve_spec(str(tmp_path / "peft")), AppPaths.resolve(tmp_path / "data"))


def test_pickle_only_folder_is_refused_not_loaded(tmp_path, tiny_model_dir):
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").unlink()
    (folder / "pytorch_model.bin").write_bytes(b"not loaded, ever")
    with pytest.raises(ModelError, match="only pickle weights"):
        open_model(str(folder), AppPaths.resolve(tmp_path / "data"))


def test_weights_overwritten_with_nan_are_refused_at_load(tmp_path, tiny_model_dir):
    folder = tmp_path / "nan"
    shutil.copytree(tiny_model_dir, folder)
    weights = folder / "model.safetensors"
    header = 8 + int.from_bytes(weights.read_bytes()[:8], "little")
    data = bytearray(weights.read_bytes())
    data[header + 64:header + 4096] = b"\xff" * (4096 - 64)  # the header still reads; the numbers are NaN
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="is damaged: its weights .* hold invalid numbers"):
        open_model(str(folder), AppPaths.resolve(tmp_path / "data"), precision="exact")


@pytest.mark.parametrize("content", [b"", b"GGUF\x03\x00\x00\x00" + b"\x00" * 5, b"PK\x03\x04 a zip file"])
def test_truncated_or_foreign_gguf_is_a_clear_error(tmp_path, content):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(content)
    with pytest.raises(ModelError, match="broken.gguf") as info:
        open_model(str(bad), AppPaths.resolve(tmp_path / "data"))
    assert re.search(r"not a GGUF file|truncated or corrupt", str(info.value))


def test_truncated_copy_of_the_real_gguf(tmp_path):
    real = model_sources.bundled_gguf_path()
    cut = tmp_path / "cut.gguf"
    with open(real, "rb") as src:
        cut.write_bytes(src.read(2_000_000))
    with pytest.raises(ModelError, match="truncated or corrupt"):
        open_model(str(cut), AppPaths.resolve(tmp_path / "data"))


def test_cli_errors_are_one_line_without_traceback(capsys, tmp_path):
    from desktop_app.cli import main

    code = main(["generate", "--model", str(tmp_path / "missing"), "hi"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err and "No such model folder" in err


def test_common_options_before_or_after_the_command(tmp_path, tiny_model_dir, capsys):
    import json

    from desktop_app.cli import main

    data = tmp_path / "d"
    for argv in (["--data-dir", str(data), "--model", str(tiny_model_dir), "generate", "hi"],
                 ["generate", "hi", "--data-dir", str(data), "--model", str(tiny_model_dir)]):
        assert main(argv + ["--max-new-tokens", "3", "--seed", "1", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["model"] == f"folder:{tiny_model_dir.resolve()}" and len(out["tokens"]) <= 3
    assert (data / "logs").is_dir()


def test_context_fitting_drops_oldest_turns_never_the_newest(tiny_model):
    tok = tiny_model.tokenizer
    turns = []
    for i in range(12):
        turns += [Turn("user", f"question {i} " + "blah " * 5), Turn("assistant", f"answer {i} " + "yes " * 5)]
    turns.append(Turn("user", "the newest prompt"))
    prompt = build_prompt(tok, turns, context_window=128, max_new_tokens=32)
    assert len(prompt.ids) <= 128 - 32
    assert prompt.dropped_turns > 0 and prompt.dropped_turns % 2 == 0
    assert prompt.text.rstrip().endswith("User: the newest prompt\nAssistant:")
    assert "question 0 " not in prompt.text and "question 11" in prompt.text
    assert "oldest turn" in prompt.notice


def test_a_single_prompt_longer_than_the_window_keeps_its_start_and_end(tiny_model):
    """A pasted text comes with what to do with it: "Summarize this:" must reach the model."""
    long_text = "Summarize this: " + " ".join(f"w{i}" for i in range(400)) + " THE END"
    prompt = build_prompt(tiny_model.tokenizer, [Turn("user", long_text)], context_window=128, max_new_tokens=32)
    assert len(prompt.ids) <= 96
    assert prompt.truncated_tokens > 0
    assert "Summarize this:" in prompt.text and "THE END" in prompt.text
    assert "w200 " not in prompt.text and "[...]" in prompt.text
    assert "middle" in prompt.notice


def test_chat_template_is_used_when_the_tokenizer_has_one(bundled_model):
    prompt = build_prompt(bundled_model.tokenizer, [Turn("user", "Hi")], system="Be brief.",
                          context_window=bundled_model.context_window)
    assert "<|im_start|>user\nHi<|im_end|>" in prompt.text
    assert prompt.text.endswith("<|im_start|>assistant\n")
    assert prompt.stop_sequences == ()


def test_core_never_imports_qt():
    core = Path(__file__).parents[1] / "desktop_app" / "core"
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt5|PyQt6|shiboken6|pyqtgraph|qtpy)", re.M)
    offenders = [p.name for p in core.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_a_conversion_leaves_no_model_behind_with_the_collector_paused(tmp_path, bundled_model_dir):
    """A first start converts the bundled GGUF inside a load, which keeps the collector paused:
    the dequantized model and the plain one it is saved through are freed by the time the
    conversion returns (they held ~1 GB for the rest of the session), and the file is the same."""
    import dataclasses
    import gc
    import hashlib
    import weakref

    from transformers import AutoModelForCausalLM

    from desktop_app.core.gguf_conversion import convert_gguf
    from desktop_app.core.model_sources import bundled_gguf_path
    from desktop_app.core.paths import AppPaths

    made = []
    loads, builds = AutoModelForCausalLM.from_pretrained, AutoModelForCausalLM.from_config

    def remembered(real):
        def make(*args, **kwargs):
            model = real(*args, **kwargs)
            made.append(weakref.ref(model))
            return model
        return make

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    paths = dataclasses.replace(paths, shared_cache_dir=paths.cache_dir)
    was_enabled = gc.isenabled()
    try:
        AutoModelForCausalLM.from_pretrained, AutoModelForCausalLM.from_config = remembered(loads), remembered(builds)
        gc.disable()
        folder = convert_gguf(bundled_gguf_path(), paths)
        assert len(made) == 2 and all(ref() is None for ref in made)
    finally:
        AutoModelForCausalLM.from_pretrained, AutoModelForCausalLM.from_config = loads, builds
        if was_enabled:
            gc.enable()

    def digest(f):
        return hashlib.sha256((f / "model.safetensors").read_bytes()).hexdigest()
    assert digest(folder) == digest(bundled_model_dir)
