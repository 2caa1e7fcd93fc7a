"""Precision of the chat model's weights: Exact (float32), Fast (16-bit where the hardware has
it) or Compact (8-bit integer weights for the linear layers, on a CPU; core.compact).

Fast is bfloat16 on a CPU with native bfloat16 instructions (AVX512-BF16 or AMX), on a CUDA
GPU bfloat16 where supported and float16 otherwise, float16 on Apple MPS. The hardware is
asked through torch, never guessed from a CPU's name. Records (log-probabilities, ranks,
top-k) are always computed in float32 from the logits; what changes is the weights, so a
record says which precision made it. The fine-tune trains its own float32 copy.
Compact needs a CPU with native bfloat16 and torch's int8 weight kernel; elsewhere it loads
as Fast (or Exact), and the model says why (``compact_unsupported``).
"""

from __future__ import annotations

import functools
import os

EXACT, FAST, COMPACT, AUTO = "exact", "fast", "compact", "auto"
CHOICES = (AUTO, EXACT, FAST, COMPACT)
LABELS = {"float32": "Exact", "bfloat16": "Fast", "float16": "Fast"}
QUANTIZED = {"int8": "Compact"}  # weight-only integer kinds (the activations are bfloat16)
NOT_FAST = "Exact (float32)"  # what Fast loads where 16-bit would not be faster
# what Auto means where it is set (exact or fast): a CPU with native bfloat16 reads Auto as Fast and one
# without as Exact, so figures differ by machine; "exact" gives every machine float32's (the tests set it)
AUTO_ENV = "GPT2_DESK_AUTO_PRECISION"


def dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


def label(name: str | None) -> str:
    """'bfloat16' -> 'Fast (bfloat16)', 'int8' -> 'Compact (int8 weights)'; None (a record from
    before precisions were kept) -> 'not recorded'."""
    if not name:
        return "not recorded"
    if name in QUANTIZED:
        return f"{QUANTIZED[name]} ({name} weights)"
    return f"{LABELS.get(name, name)} ({name})"


# what each precision means to a person who does not know "bfloat16" (words45: the status bar's
# "Fast (bfloat16)" was never explained); ``meaning`` picks one
MEANINGS = {
    "Exact": "Exact: every weight is a full 32-bit number, the reference figures; slower than Fast.",
    "Fast": "Fast: the weights are 16-bit numbers instead of 32-bit, so answers come faster; probabilities "
            "can differ from Exact by tiny rounding amounts.",
    "Compact": "Compact: the weights are stored as 8-bit integers to save memory; probabilities differ "
               "from Exact a little more than Fast's.",
}


def meaning(name: str | None) -> str:
    """``label``'s precision in plain words ("" for one not recorded or unknown)."""
    return MEANINGS.get(QUANTIZED.get(name) or LABELS.get(name or ""), "")


@functools.lru_cache(maxsize=None)
def cpu_has_native_bf16() -> bool:
    """True when this CPU runs bfloat16 matrix products natively (AVX512-BF16 or AMX-BF16).

    Emulated bfloat16 would be slower than float32, so this is what decides Fast on a CPU."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = [getattr(cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    flags = [bool(check()) for check in checks if callable(check)]
    if flags:
        return any(flags)
    try:  # older torch: oneDNN's own answer
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@functools.lru_cache(maxsize=None)
def bf16_matmul_works(device_type: str) -> bool:
    """A tiny bfloat16 product on the device: the kernels exist and give the right answer."""
    import torch

    try:
        a = torch.arange(1, 5, dtype=torch.bfloat16, device=device_type).reshape(2, 2)
        return (a @ a).float().cpu().tolist() == [[7.0, 10.0], [15.0, 22.0]]
    except (RuntimeError, TypeError):
        return False


def fast_dtype(device):
    """The 16-bit weight dtype for ``device``, or None where 16-bit would not be faster."""
    import torch

    kind = getattr(device, "type", str(device))
    if kind == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if kind == "mps":
        return torch.float16
    if kind == "cpu" and cpu_has_native_bf16() and bf16_matmul_works("cpu"):
        return torch.bfloat16
    return None


def fast_on(device) -> str:
    """What Fast gives on ``device``, by the loader's own rule (``fast_dtype``), for the model dialog:
    "here: bfloat16 weights", or "not here: loads Exact (float32)" (short: a combo box's item)."""
    dtype = fast_dtype(device)
    return f"here: {dtype_name(dtype)} weights" if dtype is not None else f"not here: loads {NOT_FAST}"


def why_not_fast(device) -> str:
    """Why Fast loads Exact on ``device`` (a sentence), or "" where Fast runs."""
    if fast_dtype(device) is not None:
        return ""
    if getattr(device, "type", str(device)) == "cpu":
        return (f"On this computer Fast and Auto load {NOT_FAST}: this CPU has no native bfloat16 products "
                "(AVX512-BF16 or AMX), and emulated 16-bit would be slower than float32.")
    return f"On this device Fast and Auto load {NOT_FAST}."


def meant(precision: str) -> str:
    """``precision`` with Auto read as AUTO_ENV says where it is set to exact or fast; else unchanged."""
    if precision not in CHOICES:
        raise ValueError(f"precision is one of {', '.join(CHOICES)}, not {precision!r}")
    chosen = os.environ.get(AUTO_ENV, "").strip().lower()
    return chosen if precision == AUTO and chosen in (EXACT, FAST) else precision


def weights_dtype(device, precision: str = AUTO):
    """The dtype to load the chat model's weights in; ``auto`` is Fast where supported (``meant``)."""
    import torch

    precision = meant(precision)
    if precision == EXACT:
        return torch.float32
    return fast_dtype(device) or torch.float32


def compact_unsupported(device) -> str | None:
    """Why Compact cannot run on ``device`` (a sentence for the person), or None when it can."""
    import torch

    from desktop_app.core import compact

    if getattr(device, "type", str(device)) != "cpu":
        return "Compact (int8 weights) is for CPUs"
    if fast_dtype(device) != torch.bfloat16:
        return "Compact (int8 weights) needs a CPU with native bfloat16 (AVX512-BF16 or AMX)"
    if not compact.kernel_works("bfloat16"):
        return "Compact (int8 weights) needs torch's int8 weight kernel (torch._weight_int8pack_mm), " \
               f"which this torch ({torch.__version__}) lacks or computes wrongly"
    return None


def training_autocast_dtype(device, precision: str = AUTO):
    """The dtype a fine-tune computes its forward and backward passes in under autocast, or
    None for plain float32. The LoRA weights and the optimizer state stay float32 (master
    weights) either way; ``exact`` turns autocast off. CPU: bfloat16 where the CPU has native
    bfloat16 products (bench/finetune_time.py --compare measures the step time; the learning
    benchmark the effect); CUDA: bfloat16, else float16 (with a loss scaler); elsewhere none."""
    import torch

    precision = meant(precision)
    kind = getattr(device, "type", str(device))
    if precision == EXACT or kind not in ("cpu", "cuda"):
        return None
    dtype = fast_dtype(device)
    return dtype if kind == "cuda" or dtype == torch.bfloat16 else None


def made_with(precision: str | None, loaded: str | None = None, *, written: bool = True) -> str:
    """The inspector's precision line: the weights that made a token's figures, "written with Fast
    (bfloat16)" for an answer's token ("read with" for figures a scoring read), and where the model
    loaded now has other weights, those too ("; loaded now: Exact (float32)"). The bare label read as
    the precision in use (usertest56), though an answer keeps its writer's figures after a reload."""
    said = f"{'written' if written else 'read'} with {label(precision)}"
    if precision and loaded and loaded != precision:
        said += f";\nloaded now: {label(loaded)}"
    return said
