"""A transformers GPT-2 or Llama-style model -> one GGUF file, written with the ``gguf`` package.

llama.cpp's ``convert_hf_to_gguf.py`` is the reference for what goes in: the tensor names
come from the ``gguf`` package's own name map, GPT-2's Conv1D weights are transposed to
(out, in) and its output matrix is written beside the token embedding, Llama's q/k
projections are permuted into llama.cpp's rotary layout, and norms, biases and GPT-2's
position embedding stay F32 whatever the file type. The tokenizer goes in as llama.cpp's
"gpt2" byte-level BPE (tokens, types, merges, special ids, chat template).

We write the file ourselves rather than run llama.cpp's converter: that script is not a
package (it ships with llama.cpp's source tree), while the ``gguf`` package it is built on
is on PyPI and already a dependency.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop_app.core.errors import UserFacingError

log = logging.getLogger(__name__)

QUANTS = ("f16", "q8_0")
ARCHITECTURES = ("gpt2", "llama")
# The GPT-2 Conv1D weights, stored (in, out); GGUF wants (out, in) as nn.Linear has it.
GPT2_CONV1D = (".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight")
SKIPPED_SUFFIXES = (".attn.bias", ".attn.masked_bias", ".rotary_emb.inv_freq")

Progress = Callable[[str, int, int], None]


class GGUFExportError(UserFacingError):
    pass


class ExportCancelled(GGUFExportError):
    def __init__(self):
        super().__init__("The export was cancelled; nothing was written.")


@dataclass(frozen=True)
class GGUFInfo:
    architecture: str
    quant: str
    tensors: int
    pre_tokenizer: str


def check_architecture(config) -> str:
    kind = getattr(config, "model_type", "?")
    if kind not in ARCHITECTURES:
        raise GGUFExportError(
            f"GGUF export knows the GPT-2 and Llama architectures; this model is '{kind}'. Export it as "
            "'merged' and convert that folder with llama.cpp's convert_hf_to_gguf.py.")
    return kind


def permute(weights, n_head: int):
    """llama.cpp's rotary layout for q/k rows (HF interleaves the two halves differently)."""
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def _tensors(model, arch: str):
    """(gguf name, float32 numpy array) in the order llama.cpp's converter writes them."""
    import gguf
    import torch

    config = model.config
    n_layer = config.n_layer if arch == "gpt2" else config.num_hidden_layers
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GPT2 if arch == "gpt2" else gguf.MODEL_ARCH.LLAMA, n_layer)
    tied = bool(getattr(config, "tie_word_embeddings", False))
    for name, tensor in model.state_dict().items():
        if name.endswith(SKIPPED_SUFFIXES) or (arch == "llama" and tied and name == "lm_head.weight"):
            continue
        if arch == "gpt2" and name == "lm_head.weight":
            continue  # written below from the embedding, as llama.cpp's converter does
        data = tensor.detach().to(torch.float32).cpu()
        if arch == "gpt2" and name.endswith(GPT2_CONV1D):
            data = data.T.contiguous()
        if arch == "llama" and name.endswith("q_proj.weight"):
            data = permute(data, config.num_attention_heads)
        if arch == "llama" and name.endswith("k_proj.weight"):
            data = permute(data, getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
        new = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if new is None:
            raise GGUFExportError(f"The model has a tensor GGUF has no name for: {name}.")
        yield new, data.numpy()
        if arch == "gpt2" and new == "token_embd.weight":
            head = model.get_output_embeddings().weight.detach().to(torch.float32).cpu().numpy()
            yield "output.weight", head


def _tensor_type(name: str, data, quant: str):
    import gguf

    F32 = gguf.GGMLQuantizationType.F32
    if data.ndim <= 1 or name.endswith("_norm.weight") or not name.endswith(".weight") \
            or name == "position_embd.weight":
        return F32
    return gguf.GGMLQuantizationType.Q8_0 if quant == "q8_0" else gguf.GGMLQuantizationType.F16


def _add_tensor(writer, name: str, data, quant: str):
    """``data`` packed in its GGUF type, announced to ``writer``; returned for writing."""
    import gguf

    qtype = _tensor_type(name, data, quant)
    try:
        packed = gguf.quants.quantize(data, qtype)
    except gguf.QuantError:  # a row length Q8_0 cannot hold (not a multiple of 32)
        qtype = gguf.GGMLQuantizationType.F16
        packed = gguf.quants.quantize(data, qtype)
    writer.add_tensor_info(name, packed.shape, packed.dtype, packed.nbytes, raw_dtype=qtype)
    return packed


def _hparams(writer, config, arch: str) -> None:
    if arch == "gpt2":
        writer.add_block_count(config.n_layer)
        writer.add_context_length(config.n_positions)
        writer.add_embedding_length(config.n_embd)
        writer.add_feed_forward_length(config.n_inner or 4 * config.n_embd)
        writer.add_head_count(config.n_head)
        writer.add_layer_norm_eps(config.layer_norm_epsilon)
        return
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    writer.add_block_count(config.num_hidden_layers)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_freq_base(_rope_theta(config))
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(config.vocab_size)
    scaling = getattr(config, "rope_scaling", None) or {}
    if scaling.get("rope_type", scaling.get("type")) not in (None, "default"):
        raise GGUFExportError(f"This model uses '{scaling.get('rope_type')}' rope scaling, which the GGUF "
                              "export does not write; export it as 'merged' and use llama.cpp's converter.")


def _rope_theta(config) -> float:
    theta = getattr(config, "rope_theta", None)
    if theta is None:  # transformers 5 keeps it in rope_parameters
        theta = (getattr(config, "rope_parameters", None) or {}).get("rope_theta", 10000.0)
    return float(theta)


def _vocab(writer, tokenizer, tokenizer_folder: Path, vocab_size: int, pre: str) -> None:
    """llama.cpp's "gpt2" (byte-level BPE) tokenizer: every id up to the model's vocab size."""
    import gguf

    by_id = {i: t for t, i in tokenizer.get_vocab().items()}
    added = tokenizer.get_added_vocab()
    special = {str(t) for t in tokenizer.all_special_tokens}
    tokens, types = [], []
    for i in range(vocab_size):
        token = by_id.get(i)
        if token is None:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif token in added:
            tokens.append(token)
            looks_special = token in special or (token.startswith("<|") and token.endswith("|>"))
            types.append(gguf.TokenType.CONTROL if looks_special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(token)
            types.append(gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special_vocab = gguf.SpecialVocab(tokenizer_folder, load_merges=True, n_vocab=vocab_size)
    if not special_vocab.merges:
        raise GGUFExportError("The tokenizer has no BPE merges; GGUF export needs a byte-level BPE tokenizer "
                              "(GPT-2, SmolLM2, Llama 3 style).")
    special_vocab.add_to_gguf(writer)


def write_gguf(model, tokenizer, tokenizer_folder: Path, out: Path, *, quant: str = "f16", name: str = "model",
               pre_tokenizer: str = "gpt-2", progress: Progress | None = None,
               cancel: threading.Event | None = None) -> GGUFInfo:
    """Write ``model`` (float weights, no adapter) to ``out`` (a path that does not exist yet)."""
    import gguf

    if quant not in QUANTS:
        raise GGUFExportError(f"Unknown GGUF type {quant!r}; use one of {', '.join(QUANTS)}.")
    report = progress or (lambda *a: None)
    arch = check_architecture(model.config)
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[
        gguf.MODEL_ARCH.GPT2 if arch == "gpt2" else gguf.MODEL_ARCH.LLAMA])
    try:
        writer.add_type(gguf.GGUFType.MODEL)
        writer.add_name(name)
        _hparams(writer, model.config, arch)
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if quant == "q8_0" else gguf.LlamaFileType.MOSTLY_F16)
        _vocab(writer, tokenizer, tokenizer_folder, model.config.vocab_size, pre_tokenizer)
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
        packed = _packed(writer, list(_tensors(model, arch)), quant, report, cancel)
        _write(writer, packed, report, cancel)
    finally:
        writer.close()
    return GGUFInfo(arch, quant, len(packed), pre_tokenizer)


# Packing and writing share one count, 2 per tensor, so that the bar moves once across the
# whole file: packing fills its first half, writing tensor by tensor its second.
def _packed(writer, items: list, quant: str, report: Progress, cancel) -> list:
    """Each tensor in its GGUF type, announced to ``writer`` (its data is written by ``_write``)."""
    out = []
    for done, (tensor_name, data) in enumerate(items):
        _stop_if(cancel)
        report(f"Packing tensors ({quant})", done, 2 * len(items))
        out.append(_add_tensor(writer, tensor_name, data, quant))
    return out


def _write(writer, packed: list, report: Progress, cancel) -> None:
    """The header, then the tensors one by one, each let go once written."""
    total = 2 * len(packed)
    report("Writing the GGUF file", len(packed), total)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for done in range(len(packed)):
        _stop_if(cancel)
        writer.write_tensor_data(packed[done])
        packed[done] = None
        report("Writing the GGUF file", len(packed) + done + 1, total)


def _stop_if(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled()


def check_written(path: Path) -> dict:
    """What llama.cpp needs to load the file, read back with the ``gguf`` package's reader."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    arch = reader.fields["general.architecture"].contents()
    needed = ["general.architecture", "general.file_type", f"{arch}.block_count", f"{arch}.context_length",
              f"{arch}.embedding_length", f"{arch}.feed_forward_length", f"{arch}.attention.head_count",
              "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.merges",
              "tokenizer.ggml.eos_token_id"]
    missing = [key for key in needed if key not in reader.fields]
    if missing:
        raise GGUFExportError(f"{path} lacks metadata llama.cpp needs: {', '.join(missing)}.")
    return {"architecture": arch, "tensors": len(reader.tensors), "bytes": os.path.getsize(path),
            "types": sorted({t.tensor_type.name for t in reader.tensors})}
