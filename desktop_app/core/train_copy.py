"""The model a fine-tune trains (core.training runs it): float32 base weights in modules of
its own, never the chat model: a copy loaded from the model's folder, or the float32 chat
model's own tensors (core.train_shared_weights), frozen, with a fresh LoRA adapter on top."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import Callable

from desktop_app.core.memory import collection_paused
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.train_shared_weights import sharing_weights

log = logging.getLogger(__name__)

SHARED = "shared with the chat model"  # metrics["base_weights"] of a run over the chat model's tensors


@dataclass
class ResolvedModel:
    """The model a run trains: float32 base weights (a copy, or a float32 chat model's own
    tensors) in modules of its own, never the chat model."""
    tokenizer: object
    base: object  # transformers model, frozen; the LoRA adapter goes on top of it
    device: object
    window: int
    model_id: str
    source: object
    folder: object
    shared: bool = False  # the base is over the chat model's tensors (``sharing_weights``)
    copy_ref: object = None  # weakref to a base made for the run (a copy, or shared), to check it is freed

    @property
    def pad_id(self) -> int:
        tok = self.tokenizer
        return tok.pad_token_id if tok.pad_token_id is not None else (tok.eos_token_id or 0)


def resolve_model(given, paths, device_pref: str, say: Callable[[str], None]) -> ResolvedModel:
    """``given``: a LoadedModel (the chat model: a copy is trained, or its float32 tensors are
    shared) or a model spec (loaded here, in float32, the run's alone). ``say``: a progress line."""
    from transformers import AutoTokenizer

    import torch

    from desktop_app.core.models import LoadedModel, open_model

    owned = not isinstance(given, LoadedModel)
    if owned:  # a spec: this model is ours alone, trained in float32
        given = open_model(given, paths, device_pref, precision="exact")
    say("Loading a separate copy of the model for training")
    # the chat model's tokenizer stays the chat thread's own
    tokenizer = AutoTokenizer.from_pretrained(given.folder) if owned else given.training_tokenizer()
    shared = False
    if owned and given.dtype == torch.float32 and given.adapter_id is None:
        base = given.model
    elif (base := sharing_weights(given)) is not None:  # a float32 chat model: no second copy
        shared = True
    else:
        base = _load_copy(given)
    copy_ref = None if base is given.model else weakref.ref(base)
    base.eval()
    for p in base.parameters():
        p.requires_grad_(False)
    cpu_attention(base, given.device)
    return ResolvedModel(tokenizer, base, given.device, given.context_window, given.model_id, given.source,
                         given.folder, shared, copy_ref)


def _load_copy(given):
    """A float32 copy of the chat model's base weights, from its folder."""
    from transformers import AutoModelForCausalLM

    import torch

    # as a chat model load does (core.memory): no collector passes, each a stall of
    # the window, while the copy is built, and its objects set aside afterwards
    with collection_paused(settle_after=True):
        base = AutoModelForCausalLM.from_pretrained(given.folder, dtype=torch.float32,
                                                    use_safetensors=True, trust_remote_code=False)
    base.to(given.device)
    return base


def cpu_attention(model, device) -> None:
    """On a CPU the training copy computes attention with plain products ("eager") rather
    than PyTorch's fused kernel (SDPA): measured on the bundled model, one thread, a step
    (forward and backward) took 2.17 CPU-s eager and 3.38 SDPA under bfloat16 autocast (the
    fused kernel's backward is slow in bfloat16 on a CPU), and 3.90 against 4.29 in float32,
    with the same loss to 5 digits. GPUs keep SDPA."""
    if getattr(device, "type", str(device)) != "cpu":
        return
    try:
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError) as exc:  # a model without the choice keeps its own
        log.info("training copy keeps its attention implementation: %s", exc)


def with_lora(resolved: ResolvedModel, s: FineTuneSettings):
    """A LoadedModel of the training copy with a fresh LoRA adapter on it."""
    import warnings

    import torch
    from peft import LoraConfig, get_peft_model

    from desktop_app.core.models import LoadedModel

    config = LoraConfig(r=s.lora_r, lora_alpha=s.lora_alpha, lora_dropout=s.lora_dropout,
                        target_modules=s.target_modules, task_type="CAUSAL_LM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        model = get_peft_model(resolved.base, config)
    model.eval()  # no dropout anywhere; gradients still flow to the LoRA weights
    return LoadedModel(model, resolved.tokenizer, resolved.source, resolved.folder, resolved.device,
                       torch.float32, resolved.window)


def follow_chat_precision(precision: str, chat) -> str:
    """A person who chose Exact for the chat model (float32 where Fast was possible) gets a
    float32 fine-tune too; otherwise ``precision`` as set."""
    import torch

    from desktop_app.core.precision import EXACT, fast_dtype

    if chat.dtype == torch.float32 and fast_dtype(chat.device) is not None:
        return EXACT
    return precision
