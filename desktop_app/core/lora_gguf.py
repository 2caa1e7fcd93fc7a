"""A PEFT LoRA adapter -> one GGUF adapter file, which llama.cpp applies over a base model's GGUF
at load time (``llama-cli -m BASE.gguf --lora ADAPTER.gguf``), written with the ``gguf`` package.

llama.cpp's ``convert_lora_to_gguf.py`` is the reference: ``general.type`` "adapter",
``adapter.type`` "lora", ``adapter.lora.alpha``, and each adapted weight as two tensors named after
the base model's tensor: ``<name>.lora_a`` (rank x in) and ``<name>.lora_b`` (out x rank). The
layout follows the base writer (``gguf_export``): Llama's q/k rows are permuted into llama.cpp's
rotary layout (rows are B's, so B alone is permuted); GPT-2's Conv1D needs nothing, since PEFT keeps
its A and B as nn.Linear's (B @ A is already (out, in), the layout the base file holds).

A and B stay F32, as llama.cpp's converter writes them (its rule: a tensor whose name does not
end in ".weight" is F32); an adapter is a few MB. The file this writes for the bundled model's
adapter equals the converter's own output to 1.5e-5. llama.cpp builds of spring 2025 crash or
write garbage with any LoRA on a CPU (llama.cpp issue 12587); a newer build, or the merged GGUF.
llama.cpp scales B @ A by alpha / rank; PEFT by lora_alpha / r, or lora_alpha / sqrt(r) under
rsLoRA, so the alpha written is PEFT's own scale times the rank.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Callable

from desktop_app.core.gguf_export import ExportCancelled, GGUFExportError, GGUFInfo, check_architecture, permute

Progress = Callable[[str, int, int], None]
PEFT_PREFIX = "base_model.model."
PAIR_SUFFIXES = {".lora_A.weight": "lora_a", ".lora_B.weight": "lora_b"}


def llama_cpp_alpha(adapter_config: dict) -> float:
    """The alpha that makes llama.cpp's alpha / rank equal to PEFT's own scale."""
    rank, alpha = int(adapter_config["r"]), float(adapter_config["lora_alpha"])
    scale = alpha / math.sqrt(rank) if adapter_config.get("use_rslora") else alpha / rank
    return scale * rank


def _check_plain_lora(adapter_config: dict, names: list[str]) -> None:
    """Only what llama.cpp's LoRA loader reads: one rank and alpha for every layer, no extras."""
    odd = [n for n in names if not n.endswith(tuple(PAIR_SUFFIXES))]
    if adapter_config.get("peft_type", "LORA") != "LORA" or odd:
        raise GGUFExportError("This adapter holds more than LoRA pairs (" + ", ".join(odd[:3] or ["not LoRA"])
                              + "); llama.cpp's adapter format cannot carry it. Export it as 'gguf' (merged).")
    if adapter_config.get("rank_pattern") or adapter_config.get("alpha_pattern"):
        raise GGUFExportError("This adapter has a rank or alpha per layer, which llama.cpp's adapter format cannot "
                              "hold. Export it as 'gguf' (merged).")


def _pairs(weights: dict, base_config, arch: str):
    """(gguf tensor name, float32 array) of each lora_a and lora_b, in the adapter's order."""
    import gguf

    n_layer = base_config.n_layer if arch == "gpt2" else base_config.num_hidden_layers
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GPT2 if arch == "gpt2" else gguf.MODEL_ARCH.LLAMA, n_layer)
    for key, tensor in weights.items():
        suffix = next(s for s in PAIR_SUFFIXES if key.endswith(s))
        module = key[:-len(suffix)].removeprefix(PEFT_PREFIX)
        target = names.get_name(module + ".weight", try_suffixes=(".weight",))
        if target is None:
            raise GGUFExportError(f"The adapter changes a tensor GGUF has no name for: {module}.")
        data = tensor.float()
        if arch == "llama" and suffix == ".lora_B.weight" and module.endswith(("q_proj", "k_proj")):
            heads = base_config.num_attention_heads if module.endswith("q_proj") else \
                (getattr(base_config, "num_key_value_heads", None) or base_config.num_attention_heads)
            data = permute(data, heads)
        yield f"{target}.{PAIR_SUFFIXES[suffix]}", data.contiguous().numpy()


def write_lora_gguf(adapter_folder: Path, base_config, out: Path, *, name: str = "adapter",
                    progress: Progress | None = None, cancel: threading.Event | None = None) -> GGUFInfo:
    """Write the PEFT adapter in ``adapter_folder`` (trained on a model with ``base_config``) to
    ``out``, a path that does not exist yet."""
    import gguf
    from safetensors.torch import load_file

    report = progress or (lambda *a: None)
    arch = check_architecture(base_config)
    adapter_config = json.loads((adapter_folder / "adapter_config.json").read_text())
    weights = load_file(str(adapter_folder / "adapter_model.safetensors"))
    _check_plain_lora(adapter_config, list(weights))
    tensors = list(_pairs(weights, base_config, arch))
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[
        gguf.MODEL_ARCH.GPT2 if arch == "gpt2" else gguf.MODEL_ARCH.LLAMA])
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_name(name)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, llama_cpp_alpha(adapter_config))
        for tensor_name, data in tensors:
            writer.add_tensor(tensor_name, data)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        _write_tensors(writer, len(tensors), report, cancel)
    finally:
        writer.close()
    return GGUFInfo(arch, "f32", len(tensors), "")


def _write_tensors(writer, count: int, report: Progress, cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled()
    report("Writing the adapter's GGUF file", 0, count)
    writer.write_tensors_to_file(progress=False)
    report("Writing the adapter's GGUF file", count, count)


def check_written_lora(path: Path) -> dict:
    """What llama.cpp's LoRA loader checks before it reads a tensor, read back with ``gguf``."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    fields = reader.fields
    kind = fields["general.type"].contents() if "general.type" in fields else None
    if kind != "adapter" or fields.get("adapter.type") is None or fields["adapter.type"].contents() != "lora":
        raise GGUFExportError(f"{path} is not a LoRA adapter GGUF (general.type {kind!r}).")
    names = [t.name for t in reader.tensors]
    halves = {end: {n[:-len(end)] for n in names if n.endswith(end)} for end in (".lora_a", ".lora_b")}
    unpaired = sorted(halves[".lora_a"] ^ halves[".lora_b"])
    if unpaired or len(names) != sum(len(h) for h in halves.values()):
        raise GGUFExportError(f"{path} has LoRA tensors without their pair: {', '.join(unpaired[:3]) or 'others'}.")
    return {"architecture": fields["general.architecture"].contents(), "tensors": len(names),
            "alpha": float(fields["adapter.lora.alpha"].contents()), "types": sorted({t.tensor_type.name for t in reader.tensors})}
