"""The model steps of a generation: the plain path (a growing cache) and the fast path.

The fast path keeps the key/value cache in one preallocated block (transformers'
StaticCache: no tensors grow and are copied every token), draws the next token and
computes its record on the device, and copies the token and the record's figures to the
host in one transfer per token. The figures are the same computation as the plain path's
(``decoding.record_stats``), so both give the same tokens and records. On CUDA the step
can also be captured once as a CUDA graph (torch.compile "reduce-overhead"), since every
step has the same shapes; ``prepare`` pays that cost once per model and cache size, as a
visible step, never in the middle of an answer. On a CPU the same compile (inductor, no
graphs) cuts the per-layer dispatch cost; it is opt-in there (GPT2_DESK_COMPILE=1): it took
1-4 minutes on 2 cores (bench/generation_speed.py --compile), and its generated code is kept
on disk (``compiled_code_dir``), so a later start pays about a quarter of it.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from typing import Callable

import torch

from desktop_app.core.decoding import TokenTexts, record_stats
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.threads import decode_threads, limited

log = logging.getLogger(__name__)

CACHE_BUCKET = 256  # static caches come in multiples of this, so compiled steps are reused
ENV_COMPILE = "GPT2_DESK_COMPILE"  # "1" / "0": force graph compilation on or off

_compiled: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
_pooled_caches: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def cache_length(needed: int, window: int) -> int:
    """Round ``needed`` positions up to a bucket, never past the model's window."""
    return min(window, -(-needed // CACHE_BUCKET) * CACHE_BUCKET)


def compile_wanted(device) -> bool:
    """CUDA graphs pay off on a GPU, where each step is hundreds of tiny kernel launches.
    On a CPU the compile takes minutes on a small machine and (measured with
    bench/generation_speed.py) did not pay it back, so it stays off unless asked for."""
    forced = os.environ.get(ENV_COMPILE, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return getattr(device, "type", str(device)) == "cuda"


PREFILL_CHUNK = 512  # prompt tokens read per forward pass when a prompt is longer than this


class PrefillCancelled(Exception):
    """Stop was pressed while the prompt was being read."""


def prefill_in_chunks(model, ids: list[int], keep: int, device, cancel=None, progress=None):
    """(logits of the last ``keep`` positions, the cache) after reading ``ids``; a long prompt
    is read PREFILL_CHUNK tokens at a time, so Stop is honoured between chunks (an 8,000-token
    paste takes over a minute on a CPU) and no pass holds more than a chunk's activations.
    ``progress(read, total)`` hears after every chunk but the last how many tokens are read.
    Raises PrefillCancelled when ``cancel`` is set between chunks."""
    tail = max(keep, min(len(ids), PREFILL_CHUNK))  # the last pass gives every logit asked for
    cache = None
    for start in range(0, len(ids) - tail, PREFILL_CHUNK):
        if cancel is not None and cancel.is_set():
            raise PrefillCancelled()
        chunk = ids[start:min(start + PREFILL_CHUNK, len(ids) - tail)]
        cache = model(input_ids=torch.tensor([chunk], device=device), cache=cache, use_cache=True,
                      logits_to_keep=1).cache
        if progress is not None:
            progress(start + len(chunk), len(ids))
    if cancel is not None and cancel.is_set():
        raise PrefillCancelled()
    out = model(input_ids=torch.tensor([ids[len(ids) - tail:]], device=device), cache=cache, use_cache=True,
                logits_to_keep=keep)
    return out.logits[0], out.cache


class PlainSteps:
    """The original loop's model calls: a dynamic cache that grows by one position a step."""

    def __init__(self, loaded, needed: int):
        self.model = loaded.model
        self.device = loaded.device
        self.cache = None

    def prefill(self, ids: list[int], keep: int, cancel=None, progress=None) -> torch.Tensor:
        logits, self.cache = prefill_in_chunks(self.model, ids, keep, self.device, cancel, progress)
        return logits

    def step(self, token: torch.Tensor) -> torch.Tensor:
        out = self.model(input_ids=token.view(1, 1).to(self.device), cache=self.cache, use_cache=True)
        self.cache = out.cache
        return out.logits[0, -1]


class StaticSteps(PlainSteps):
    """A preallocated cache, and (when compiled) one captured graph for every decode step."""

    def __init__(self, loaded, needed: int):
        from transformers import StaticCache

        super().__init__(loaded, needed)
        length = prepared_length(loaded, needed) if compile_wanted(loaded.device) else None
        length = length or cache_length(needed, loaded.context_window)
        compiled = compiled_forward(loaded, length) if compile_wanted(loaded.device) else None
        self.forward = compiled if compiled is not None else self.model  # (a compiled module has no truth value)
        if compiled is not None:  # a captured graph reads its cache at fixed addresses: reuse it
            self.cache = _pooled_caches.setdefault(self.model, {}).get(length)
            if self.cache is None:
                self.cache = StaticCache(config=self.model.config, max_cache_len=length)
                _pooled_caches[self.model][length] = self.cache
            self.cache.reset()
        else:
            self.cache = StaticCache(config=self.model.config, max_cache_len=length)

    def prefill(self, ids: list[int], keep: int, cancel=None, progress=None) -> torch.Tensor:
        # one pass: a static cache (and a captured graph) expects its positions from the start
        out = self.model(input_ids=torch.tensor([ids], device=self.device), cache=self.cache, use_cache=True,
                         logits_to_keep=keep)
        return out.logits[0]

    def step(self, token: torch.Tensor) -> torch.Tensor:
        out = self.forward(input_ids=token.view(1, 1), cache=self.cache, use_cache=True)
        return out.logits[0, -1]


def compiled_forward(loaded, length: int):
    """The compiled step for this model and cache length, if one was prepared."""
    entry = _compiled.get(loaded.model)
    return entry.get(length) if entry else None


def prepared_length(loaded, needed: int) -> int | None:
    """The smallest cache length with a prepared compiled step that holds ``needed``, or None."""
    entry = _compiled.get(loaded.model)
    return min((n for n in entry if n >= needed), default=None) if entry else None


def compiled_step_ready(loaded) -> bool:
    """A compiled step is prepared for this model and wanted on its device."""
    return compile_wanted(loaded.device) and prepared_length(loaded, 1) is not None


def prepare_or_skip(loaded, progress: Callable[[str, int, int], None] | None = None) -> float:
    """``prepare`` for the whole window, as the app does after loading a model; a compiler that
    fails (no C compiler, no Triton, an unsupported model) leaves the plain path, logged.
    On a CPU the lean step's fused weights are made here too (0.5-1.4 s for SmolLM2), so the
    first answer does not wait for them."""
    from desktop_app.core import lean_decode

    lean_decode.prepare(loaded)
    try:
        return prepare(loaded, loaded.context_window, progress)
    except Exception as exc:  # noqa: BLE001 - any compiler failure only costs the speed-up
        log.warning("fast decoding not prepared for %s: %s", loaded.model_id, exc)
        return 0.0


def prepare(loaded, needed: int | None = None, progress: Callable[[str, int, int], None] | None = None,
            backend: str = "inductor") -> float:
    """Compile and capture the decode step for ``loaded`` once (where compile_wanted says so),
    with a "preparing" progress stage; returns the seconds it took (0.0 when nothing to do).
    Call it on a worker thread: it runs a few steps. ``backend="eager"`` traces without
    generating code (the tests' quick check of this path)."""
    if not compile_wanted(loaded.device):
        return 0.0
    if getattr(loaded, "weights", None):  # Compact's int8 layers step aside under a compile: keep them
        log.info("not compiling %s: its %s layers run as they are", loaded.model_id, loaded.weights)
        return 0.0
    length = cache_length(needed or loaded.context_window, loaded.context_window)
    entry = _compiled.setdefault(loaded.model, {})
    if length in entry:
        return 0.0
    stage = "Preparing fast decoding (once per model)"
    if progress:
        progress(stage, 0, 1)
    start = time.perf_counter()
    _compile_and_capture(loaded, entry, length, backend)
    took = time.perf_counter() - start
    log.info("prepared the compiled decode step for %s (cache %d) in %.1f s", loaded.model_id, length, took)
    if progress:
        progress(stage, 1, 1)
    return took


def _compile_and_capture(loaded, entry: dict, length: int, backend: str) -> None:
    """``loaded``'s model compiled into ``entry[length]`` and its decode step run until captured; on a
    failure nothing of it is kept (the plain static path still works)."""
    cuda = loaded.device.type == "cuda"
    # CUDA graphs where the device has them; on a CPU, generated C++ without graphs
    mode = "reduce-overhead" if backend == "inductor" and cuda else None
    entry[length] = torch.compile(loaded.model, backend=backend, mode=mode, fullgraph=False, dynamic=False)
    try:
        # with the answers' thread team: a compiled step is guarded on it (another team, another compile)
        with loaded.lock, torch.inference_mode(), limited(decode_threads()), _compile_options(loaded, backend):
            steps = StaticSteps(loaded, length)
            token = torch.zeros((), dtype=torch.long, device=loaded.device)
            steps.prefill([0], 1)
            for _ in range(3):  # warm-up runs (the first compiles), then the capture
                steps.step(token)
    except Exception:
        entry.pop(length, None)  # the plain static path still works
        _pooled_caches.pop(loaded.model, None)
        raise


def compiled_code_dir() -> str:
    """Where inductor keeps the code it generates: the app's shared cache (it outlives /tmp),
    unless TORCHINDUCTOR_CACHE_DIR says otherwise."""
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve()
    return str((paths.shared_cache_dir or paths.cache_dir) / "compiled")


def _compile_options(loaded, backend: str):
    """On a CPU with 16-bit weights, inductor "freezes" the weights: it packs them for oneDNN
    itself, as pack_cpu_weights does for the plain path (whose packed products step aside
    while a step is being compiled). float32 keeps its weights as inputs: the same records
    as the plain path, within 1e-5 (tests/test_fast_decode.py)."""
    import contextlib

    if backend != "inductor" or loaded.device.type != "cpu":
        return contextlib.nullcontext()
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", compiled_code_dir())
    import torch._inductor.config as inductor_config

    return inductor_config.patch(freezing=loaded.dtype != torch.float32)


def cpu_linear_layers(model):
    """(name, module, weight as [out, in]) for each of ``model``'s Linear layers on the CPU,
    GPT-2's Conv1D included (a Linear with its weight stored [in, out])."""
    for name, module in model.named_modules():
        conv1d = type(module).__name__ == "Conv1D"
        if (type(module) is torch.nn.Linear or conv1d) and module.weight.device.type == "cpu":
            yield name, module, (module.weight.t() if conv1d else module.weight)


def pack_cpu_weights(model) -> int:
    """Prepack the bfloat16 weights of ``model``'s Linear layers in oneDNN's blocked layout, once.

    A plain bfloat16 matrix is reordered for the CPU's bf16 units on every call; prepacked,
    a one-token step's linear layers ran about twice as fast here (the packing torch.compile's
    "freezing" does, without compiling). Inference only: with gradients on, or another dtype,
    a layer falls back to the plain product, and the module, its weight and any LoRA adapter
    on it are untouched (the packed copy is a plain attribute beside the weight).
    Returns how many layers were packed."""
    reorder = getattr(torch.ops.mkldnn, "_reorder_linear_weight", None)
    if reorder is None or not torch.backends.mkldnn.is_available():
        return 0
    count = 0
    for _name, module, weight in cpu_linear_layers(model):
        if weight.dtype != torch.bfloat16 or hasattr(module, "_gpt2desk_int8"):  # Compact's int8 layers
            continue
        try:
            packed = reorder(weight.detach().contiguous(), None)
        except RuntimeError as exc:  # an odd shape oneDNN will not take: leave that layer plain
            log.info("not packing a %s layer: %s", tuple(weight.shape), exc)
            continue
        module._gpt2desk_packed = (module.weight, packed, module.forward)
        module.forward = _packed_forward.__get__(module)
        count += 1
    return count


def _packed_forward(self, x: torch.Tensor) -> torch.Tensor:
    weight, packed, plain = self._gpt2desk_packed
    if torch.is_grad_enabled() or x.dtype != torch.bfloat16 or self.weight is not weight \
            or torch.compiler.is_compiling():  # a compiled step packs (freezes) its weights itself
        return plain(x)
    return torch.ops.mkldnn._linear_pointwise(x, packed, self.bias, "none", [], "")


def packed_record(logits: torch.Tensor, token: torch.Tensor, alternatives: int) -> torch.Tensor:
    """[token, log-prob, rank, entropy, k probabilities, k ids] as one float64 vector on the
    device, so the host reads a token and its record in a single copy."""
    chosen_lp, rank, entropy, top_lp, top_ids = record_stats(logits[None], token.view(1), alternatives)
    return torch.cat([token.view(1).double(), chosen_lp.double(), rank.double(), entropy.double(),
                      top_lp.exp()[0].double(), top_ids[0].double()])


def unpack_record(values: list[float], text: str, table: TokenTexts, alternatives: int,
                  precision: str | None) -> TokenRecord:
    k = (len(values) - 4) // 2
    probs, ids = values[4:4 + k], values[4 + k:]
    top = tuple(Alternative(int(i), table.text(int(i)), p) for i, p in zip(ids, probs))
    return TokenRecord(int(values[0]), text, values[1], int(values[2]), values[3], top, precision)
