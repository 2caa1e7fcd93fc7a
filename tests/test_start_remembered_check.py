"""A start does not repeat work on files that cannot have changed (usertest 9, B1): a first
conversion reads the GGUF's header once, not once per transformers call, and the weights'
finiteness check is remembered per file; a file changed after its check is checked again."""

from __future__ import annotations

import json
import os
import shutil

import gguf
import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from desktop_app.core import checks_passed
from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_export import write_gguf
from desktop_app.core.gguf_conversion import convert_gguf
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from helpers import watch_calls
from tiny_model import build_tiny_llama


def _tiny_gguf(tmp_path, tiny_model_dir):
    llama = build_tiny_llama(tmp_path / "llama", tiny_model_dir)  # the bundled model's architecture
    gguf_path = tmp_path / "tiny.gguf"
    write_gguf(AutoModelForCausalLM.from_pretrained(llama), AutoTokenizer.from_pretrained(llama), llama, gguf_path,
               quant="f16", pre_tokenizer="smollm")
    return llama, gguf_path


def test_a_first_conversion_reads_the_gguf_header_once_and_names_its_parts(tmp_path, tiny_model_dir, monkeypatch):
    """The check, the tokenizer's config, the model's config, its tensors and the saved config
    each built a reader of the whole file: five on the bundled model, half the conversion; the
    parts before and after the counted tensors showed one unchanging stage."""
    llama, gguf_path = _tiny_gguf(tmp_path, tiny_model_dir)
    built = []
    real_init = gguf.gguf_reader.GGUFReader.__init__

    def counted(self, path, *args, **kwargs):
        built.append(str(path))
        real_init(self, path, *args, **kwargs)

    monkeypatch.setattr(gguf.gguf_reader.GGUFReader, "__init__", counted)
    seen = []
    folder = convert_gguf(gguf_path, AppPaths.resolve(tmp_path / "data").ensure(),
                          progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert built == [str(gguf_path)]
    # the parts without a count (17 of 21 CPU-s on the bundled model) say what they do
    uncounted = list(dict.fromkeys(stage.rpartition(" \u00b7 ")[2] for stage, _d, total in seen if not total))
    assert uncounted == ["reading the file", "reading its vocabulary", "reading its layers", "writing the result"]
    assert {stage.rpartition(" \u00b7 ")[2] for stage, _d, total in seen if total} == {"de-quantizing its tensors"}
    converted = AutoModelForCausalLM.from_pretrained(folder)
    source = AutoModelForCausalLM.from_pretrained(llama)
    for name, tensor in source.state_dict().items():  # the same weights (float16 in the file)
        assert (converted.state_dict()[name] - tensor).abs().max() < 1e-2, name
    assert AutoTokenizer.from_pretrained(folder)("Hello world").input_ids == \
        AutoTokenizer.from_pretrained(llama)("Hello world").input_ids
    assert gguf.GGUFReader is gguf.gguf_reader.GGUFReader, "the reader is the library's own again afterwards"


def _nan_copy(folder):
    """The weights with a stretch of numbers overwritten: the header still reads, the values are NaN."""
    weights = folder / "model.safetensors"
    header = 8 + int.from_bytes(weights.read_bytes()[:8], "little")
    data = bytearray(weights.read_bytes())
    data[header + 64:header + 4096] = b"\xff" * (4096 - 64)
    return bytes(data)


def _isfinite_calls(monkeypatch):
    import torch

    return watch_calls(monkeypatch, torch, "isfinite", lambda tensor: tuple(tensor.shape))


def test_a_second_start_does_not_check_the_same_weights_again(tmp_path, tiny_model_dir, monkeypatch):
    """One pass over every weight at each start (~0.9 CPU-s of the bundled model's start on a
    busy CPU) for files that had passed it before."""
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    paths = AppPaths.resolve(tmp_path / "data")
    calls = _isfinite_calls(monkeypatch)
    open_model(str(folder), paths, device="cpu", precision="exact")
    first = len(calls)
    assert first >= 4, "the first load checks every weight"
    assert (paths.cache_dir / checks_passed.RECORD_NAME).is_file()
    open_model(str(folder), paths, device="cpu", precision="exact")
    assert len(calls) == first, "the second load of the same files does not"
    other = AppPaths.resolve(tmp_path / "other-data")  # another data folder keeps its own record
    open_model(str(folder), other, device="cpu", precision="exact")
    assert len(calls) == 2 * first


def test_a_file_changed_after_its_check_was_remembered_is_checked_again(tmp_path, tiny_model_dir):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    paths = AppPaths.resolve(tmp_path / "data")
    open_model(str(folder), paths, device="cpu", precision="exact")
    record = paths.cache_dir / checks_passed.RECORD_NAME
    assert len(json.loads(record.read_text())) == 1, "the passed check is remembered"
    weights = folder / "model.safetensors"
    weights.write_bytes(_nan_copy(folder))  # edited in place: same size
    with pytest.raises(ModelError, match="is damaged: its weights .* hold invalid numbers"):
        open_model(str(folder), paths, device="cpu", precision="exact")
    assert len(json.loads(record.read_text())) == 1, "a failed check is not remembered"


def test_a_damaged_copy_with_the_same_size_and_time_is_checked_again(tmp_path, tiny_model_dir):
    """A copy that keeps the time (cp -p, shutil.copy2) and the size of the file it replaces."""
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    paths = AppPaths.resolve(tmp_path / "data")
    open_model(str(folder), paths, device="cpu", precision="exact")
    assert (paths.cache_dir / checks_passed.RECORD_NAME).is_file(), "its check was remembered"
    weights = folder / "model.safetensors"
    before = weights.stat()
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(_nan_copy(folder))
    os.utime(damaged, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(damaged, weights)
    assert (weights.stat().st_size, weights.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(ModelError, match="is damaged"):
        open_model(str(folder), paths, device="cpu", precision="exact")

