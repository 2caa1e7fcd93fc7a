"""A start does not repeat work on files that cannot have changed (usertest 9, B1): a first
conversion reads the GGUF's header once, not once per transformers call, and the weights'
finiteness check is remembered per file; a file changed after its check is checked again."""

from __future__ import annotations

import gguf
from transformers import AutoModelForCausalLM, AutoTokenizer

from desktop_app.core.gguf_export import write_gguf
from desktop_app.core.models import convert_gguf
from desktop_app.core.paths import AppPaths
from tiny_model import build_tiny_llama


def _tiny_gguf(tmp_path, tiny_model_dir):
    llama = build_tiny_llama(tmp_path / "llama", tiny_model_dir)  # the bundled model's architecture
    gguf_path = tmp_path / "tiny.gguf"
    write_gguf(AutoModelForCausalLM.from_pretrained(llama), AutoTokenizer.from_pretrained(llama), llama, gguf_path,
               quant="f16", pre_tokenizer="smollm")
    return llama, gguf_path


def test_a_first_conversion_reads_the_gguf_header_once(tmp_path, tiny_model_dir, monkeypatch):
    """The check, the tokenizer's config, the model's config, its tensors and the saved config
    each built a reader of the whole file: five on the bundled model, half the conversion."""
    llama, gguf_path = _tiny_gguf(tmp_path, tiny_model_dir)
    built = []
    real_init = gguf.gguf_reader.GGUFReader.__init__

    def counted(self, path, *args, **kwargs):
        built.append(str(path))
        real_init(self, path, *args, **kwargs)

    monkeypatch.setattr(gguf.gguf_reader.GGUFReader, "__init__", counted)
    folder = convert_gguf(gguf_path, AppPaths.resolve(tmp_path / "data").ensure())
    assert built == [str(gguf_path)]
    converted = AutoModelForCausalLM.from_pretrained(folder)
    source = AutoModelForCausalLM.from_pretrained(llama)
    for name, tensor in source.state_dict().items():  # the same weights (float16 in the file)
        assert (converted.state_dict()[name] - tensor).abs().max() < 1e-2, name
    assert AutoTokenizer.from_pretrained(folder)("Hello world").input_ids == \
        AutoTokenizer.from_pretrained(llama)("Hello world").input_ids
    assert gguf.GGUFReader is gguf.gguf_reader.GGUFReader, "the reader is the library's own again afterwards"
