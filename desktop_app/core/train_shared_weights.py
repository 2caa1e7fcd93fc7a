"""A fine-tune's model over the float32 chat model's own tensors (core.train_copy takes it
where it can, instead of loading a second float32 copy from the model's folder)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def sharing_weights(chat):
    """A model of its own for the run (its own modules, so PEFT's layers and the attention
    setting stay off the chat model) whose weights are the float32 chat model's own tensors:
    the run would otherwise load a second float32 copy of them (540 MB for the bundled model,
    bench/memory.py). Sharing is safe because nothing writes to them: the base is frozen, the
    adapter trains its own tensors, an answer on the model lane meanwhile only reads them, and
    a chat model replaced during the run keeps its tensors alive until the run ends. None for a
    16-bit or Compact chat model (the run trains on float32 weights), or where the model does not
    rebuild from its config: then the run loads its copy as before."""
    import copy

    import torch
    from transformers import AutoModelForCausalLM

    if chat.dtype != torch.float32 or chat.weights is not None:
        return None
    source = chat.model.get_base_model() if hasattr(chat.model, "get_base_model") else chat.model
    try:  # read without the chat model's lock (an answer may be streaming): a switch of adapters
        # meanwhile can only leave a weight out, and a model with any weight left out is not used
        tensors = _base_tensors(source)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(copy.deepcopy(source.config), dtype=torch.float32)
        model.load_state_dict(tensors, strict=False, assign=True)
        for name, buffer in source.named_buffers():  # the non-persistent ones too (rotary tables)
            if name in _own_buffer_names(model):
                module, _, leaf = name.rpartition(".")
                model.get_submodule(module)._buffers[leaf] = buffer
        model.tie_weights()
    except (RuntimeError, ValueError, KeyError, AttributeError, TypeError) as exc:
        log.info("the training run loads its own copy: %s", exc)
        return None
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        log.info("the training run loads its own copy: not shared %s", left[:3])
        return None
    model.generation_config = copy.deepcopy(source.generation_config)
    model.requires_grad_(False)  # its own Parameters over the shared storage: the chat model's flags stay
    return model


def _base_tensors(source) -> dict:
    """{name as in a plain model: the tensor, not copied} of the base weights under any PEFT
    layers ("q_proj.base_layer.weight" -> "q_proj.weight"; the adapters' own left out)."""
    import torch

    out = {}
    for name, tensor in [*source.named_parameters(remove_duplicate=False), *source.named_buffers()]:
        if "lora_" in name or "modules_to_save" in name:
            continue
        out[name.replace(".base_layer.", ".")] = torch.nn.Parameter(tensor.detach(), requires_grad=False) \
            if isinstance(tensor, torch.nn.Parameter) else tensor
    return out


def _own_buffer_names(model) -> set:
    return {name for name, _ in model.named_buffers()}
