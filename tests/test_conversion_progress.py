"""A first GGUF conversion counts its tensors as it de-quantizes them (usertest 9, B1: the bar
sat at a third for three minutes) and says that it happens only the first time."""

from __future__ import annotations

from transformers import AutoModelForCausalLM, AutoTokenizer

from desktop_app.core.gguf_export import write_gguf
from desktop_app.core.load_progress import GGUF_DESC
from desktop_app.core.gguf_conversion import convert_gguf
from desktop_app.core.paths import AppPaths
from tiny_model import build_tiny_llama


def test_the_conversion_reports_each_tensor_and_its_one_time_hint(tmp_path, tiny_model_dir, capsys):
    llama = build_tiny_llama(tmp_path / "llama", tiny_model_dir)  # the bundled model's architecture
    model = AutoModelForCausalLM.from_pretrained(llama)
    tokenizer = AutoTokenizer.from_pretrained(llama)
    gguf_path = tmp_path / "tiny.gguf"
    write_gguf(model, tokenizer, llama, gguf_path, quant="f16", pre_tokenizer="smollm")
    from gguf import GGUFReader

    tensors = len(GGUFReader(str(gguf_path)).tensors)
    seen = []
    folder = convert_gguf(gguf_path, AppPaths.resolve(tmp_path / "data").ensure(),
                          progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert any(folder.glob("model*.safetensors"))
    assert all("only the first time" in stage for stage, _d, _t in seen)
    assert seen[0][1:] == (0, 0), "no count yet while the header and tokenizer are read: an indeterminate bar"
    counted = [(done, total) for _s, done, total in seen if total]
    assert counted == [(i, tensors) for i in range(1, tensors + 1)], "one report per tensor, rising"
    assert seen[-1][1:] == (0, 0), "writing the result: no count, not a full bar that stops"
    assert GGUF_DESC not in capsys.readouterr().err, "transformers' own bar is not drawn beside ours (usertest27)"


def test_the_wait_before_loading_is_named_as_starting_pytorch(tiny_model_dir, session_paths):
    """~25 s of importing PyTorch and transformers read "Finding the model" under a banner that
    had already named the model."""
    from desktop_app.core import session

    stages = []
    session.open_model(str(tiny_model_dir), session_paths, "cpu",
                       progress=lambda stage, done, total: stages.append(stage))
    assert stages[0].startswith("Starting PyTorch to run "), stages
