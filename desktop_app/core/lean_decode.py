"""The lean decode step: one new token through the model in a short loop of plain torch ops.

On a CPU a one-token step of transformers' modules spends about a third of its time outside
the matrix products (measured on SmolLM2-135M: 21 of 64 ms with the products stubbed out):
module calls, masks, cache bookkeeping, many small ops. This step runs the same mathematics
per layer with as few ops as it can, over the loaded model's own weights:
  - q/k/v in one product, gate/up in one product (fused weights, made once per model);
  - ``F.rms_norm`` / ``F.layer_norm``, rotary embedding from a cos/sin table the model's own
    rotary module computed once;
  - a preallocated key/value cache written by index, and attention of the one query over the
    filled part of it (no mask: every cached position is visible to the newest token);
  - the precision's own products: float32 ``F.linear`` (Exact); for Fast the bfloat16
    matrix-vector kernel of core.bf16_gemv where it was built (no set-up per call, the weights
    read at memory speed, from oneDNN's prepacked copies the model's own products use where
    they are laid out as it reads: no copy of its own), else oneDNN's prepacked bfloat16 linear
    (as fast_decode.pack_cpu_weights); torch's int8 weight kernel (Compact, the layers'
    core.compact copies concatenated: the same int8 numbers and scales);
  - a LoRA adapter (PEFT) adds its deltas inside the step: the fused projection's A matrices
    concatenated, its B matrices block-diagonal (scaled), computed in the adapter's dtype as
    PEFT does. Read from PEFT's state for every answer, so switching or disabling an adapter
    is seen at the next answer. (Measured against rebuilding merged fused weights per switch:
    see bench/generation_speed.py's lean paths with --adapter, and docs/measurements.md's
    lean decode step entry, "With a LoRA adapter".)

The prompt (prefill) still runs through the model itself, whose cache is then copied in, so
the prompt's and a forced prefix's records are the plain path's. The step falls back to the
plain path (``lean_steps`` returns None, and says why in the log) for anything it does not
know: another architecture, a GPU (there CUDA graphs remove the launch cost instead), rotary
variants that depend on the length, other adapter kinds (DoRA, merged, biased LoRA, trained
copies of whole modules), gradients on, a model in training mode.
"""

from __future__ import annotations

import logging
import weakref

import torch
import torch.nn.functional as F

from desktop_app.core import bf16_gemv, float_logits

log = logging.getLogger(__name__)

_plans: "weakref.WeakKeyDictionary[object, Plan]" = weakref.WeakKeyDictionary()
# a plan made with the other product (bf16_gemv turned off or not yet built): the bench times both
_other_plans: "weakref.WeakKeyDictionary[object, Plan]" = weakref.WeakKeyDictionary()
_why_not: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()
LLAMA_ACTS = ("silu", "swish")
GPT2_ACTS = ("gelu_new", "gelu_pytorch_tanh")
LENGTH_DEPENDENT_ROPE = ("dynamic", "longrope")  # their frequencies change with the length: no fixed table


class Unsupported(Exception):
    """The lean step does not know this model or adapter; the plain path answers."""


# ---------------------------------------------------------------- one (fused) projection

def _base(module):
    """The layer under a PEFT LoRA wrapper (or the layer itself). Read from the module's own dicts:
    nn.Module's __getattr__ made the per-answer check below take 10-20 ms."""
    return module._modules.get("base_layer") or module


def _rows(module) -> torch.Tensor:
    """The weight as [out, in] (GPT-2's Conv1D stores [in, out])."""
    base = _base(module)
    if type(base).__name__ == "Conv1D":
        return base.weight.t()
    if type(base) is not torch.nn.Linear:
        raise Unsupported(f"a {type(base).__name__} layer")
    return base.weight


class Projection:
    """One product over the weights of ``parts`` (one module, or q/k/v or gate/up concatenated),
    in the precision the parts were loaded in, plus a LoRA delta when one is set."""

    def __init__(self, parts: list[tuple[object, str]], dtype: torch.dtype, kernel=None):
        # (owner, attribute): PEFT swaps the module itself when it wraps a layer. The owner is held
        # weakly: a plan lives in a WeakKeyDictionary keyed by the model, and lm_head's owner is
        # the model itself, which a strong reference would keep alive after it is replaced
        self.parts = [(weakref.ref(owner), name) for owner, name in parts]
        modules = self.modules()
        bases = [_base(m) for m in modules]
        biases = [b.bias for b in bases]
        self.bias = None if all(b is None for b in biases) else torch.cat(
            [b if b is not None else torch.zeros(_rows(m).shape[0], dtype=dtype) for b, m in zip(biases, modules)])
        self.int8 = self.packed = self.blocked = self.weight = None
        self.lora = None
        self.float_out = False  # the output layer's logits on Fast: float32, unrounded (core.float_logits)
        packs = [getattr(b, "_gpt2desk_int8", None) for b in bases]
        if all(p is not None and p.current(b, torch.empty(0, dtype=dtype)) for p, b in zip(packs, bases)):
            self.int8 = _one_or_cat([p.q for p in packs]), _one_or_cat([p.scales for p in packs])
        elif dtype == torch.bfloat16 and all(hasattr(b, "_gpt2desk_packed") for b in bases):
            weights = [_rows(m) for m in modules]
            if kernel is not None and all(bf16_gemv.fits(w) for w in weights):  # adds the bias itself, in float32
                # oneDNN's prepacked copies where they are the kernel's layout (no copy of its own)
                self.blocked = bf16_gemv.Blocked.over_packed(kernel, [(w, b._gpt2desk_packed[1])
                                                                      for w, b in zip(weights, bases)], self.bias) \
                    or bf16_gemv.Blocked(kernel, _one_or_cat(weights), self.bias)
                self.bias = None
            else:
                self.packed = bases[0]._gpt2desk_packed[1] if len(bases) == 1 else \
                    torch.ops.mkldnn._reorder_linear_weight(_one_or_cat(weights).contiguous(), None)
        else:
            self.weight = _rows(modules[0]) if len(modules) == 1 else _shared_cat(bases)
        self.watch = [b.weight for b in bases]
        self.versions = [w._version for w in self.watch]

    def modules(self) -> list:
        return [owner()._modules[name] for owner, name in self.parts]

    def stale(self) -> bool:
        """A weight was replaced or changed in place (a merged adapter, a load) since it was copied."""
        return any(_base(m)._parameters["weight"] is not w or w._version != v
                   for m, w, v in zip(self.modules(), self.watch, self.versions))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        unrounded = self.float_out and float_logits.enabled
        if self.blocked is not None:  # the step's one row
            out = self.blocked(x, out_dtype=torch.float32 if unrounded else torch.bfloat16)
        elif self.int8 is not None:
            out = torch._weight_int8pack_mm(x, *self.int8)
            if self.bias is not None:
                out = out + self.bias
        elif self.packed is not None and unrounded:
            out = float_logits.unrounded_product(x, self.packed, self.bias)
        elif self.packed is not None:
            out = torch.ops.mkldnn._linear_pointwise(x, self.packed, self.bias, "none", [], "")
        else:
            out = F.linear(x, self.weight, self.bias)
        if self.lora is not None:
            a, b = self.lora
            out = (out.to(a.dtype) + F.linear(F.linear(x.to(a.dtype), a), b)).to(out.dtype)
        return out

    def set_lora(self) -> None:
        """Read the parts' active LoRA adapters (PEFT) into one delta: A stacked, B block-diagonal."""
        modules = self.modules()
        blocks = [_lora_blocks(m) for m in modules]
        if not any(blocks):
            self.lora = None
            return
        outs = [_rows(m).shape[0] for m in modules]
        pieces = [(i, a, b * s) for i, found in enumerate(blocks) for a, b, s in found]
        a = torch.cat([a for _i, a, _b in pieces])
        b = torch.zeros(sum(outs), a.shape[0], dtype=a.dtype)
        col = 0
        for i, a_i, b_i in pieces:
            row = sum(outs[:i])
            b[row:row + outs[i], col:col + a_i.shape[0]] = b_i
            col += a_i.shape[0]
        self.lora = a, b


def _shared_cat(bases: list) -> torch.Tensor:
    """The Linear layers' weights as one [sum of outs, in] matrix; in float32 each layer's weight
    then becomes a view of it (same values, one copy in memory: 280 MB less for SmolLM2), so the
    model's own forward (the prompt, scoring) and the lean step read the same numbers. Made as a
    normal tensor even when the plan is made under inference mode (at load, or at an answer):
    the layers' weights must stay usable for gradients ("Why this token?" at Exact failed with
    "Inference tensors cannot be saved for backward")."""
    with torch.inference_mode(False), torch.no_grad():
        fused = torch.cat([b.weight.detach() for b in bases])
    if fused.dtype == torch.float32 and all(type(b) is torch.nn.Linear for b in bases):
        row = 0
        for b in bases:
            rows = b.weight.shape[0]
            b.weight.data = fused[row:row + rows]
            row += rows
    return fused


def _one_or_cat(tensors: list[torch.Tensor]) -> torch.Tensor:
    return tensors[0] if len(tensors) == 1 else torch.cat(tensors)


def _lora_blocks(module) -> list[tuple]:
    """[(A [r, in], B [out, r], scaling)] of the adapters active on ``module``; [] for none."""
    if module is _base(module):
        return []
    if type(module).__name__ != "Linear" or not hasattr(module, "lora_A"):
        raise Unsupported(f"an adapter layer of kind {type(module).__name__}")
    if module.disable_adapters:
        return []
    if module.merged:
        raise Unsupported("a merged adapter")
    found = []
    for name in module.active_adapters:
        if name not in module.lora_A:
            continue
        if name in getattr(module, "lora_variant", {}) or module.lora_B[name].bias is not None:
            raise Unsupported("a LoRA variant (DoRA or a LoRA bias)")
        found.append((module.lora_A[name].weight, module.lora_B[name].weight, float(module.scaling[name])))
    return found


# ---------------------------------------------------------------- the model's plan

class Plan:
    """Everything one model's lean step needs, made once per model (weights fused and packed)."""

    arch = ""

    def __init__(self, model, dtype: torch.dtype, kernel=None):
        self.dtype, self.kernel = dtype, kernel
        self.projections: list[Projection] = []

    def proj(self, owner, *names: str) -> Projection:
        p = Projection([(owner, name) for name in names], self.dtype, self.kernel)
        self.projections.append(p)
        return p

    def head_proj(self, model) -> Projection:
        """The output layer, whose logits stay float32 on Fast (core.float_logits)."""
        p = self.proj(model, "lm_head")
        p.float_out = self.dtype == torch.bfloat16
        return p

    def stale(self) -> bool:
        return any(p.stale() for p in self.projections)

    def set_lora(self) -> None:
        for p in self.projections:
            p.set_lora()


class LlamaPlan(Plan):
    arch = "llama"

    def __init__(self, model, dtype, kernel=None):
        super().__init__(model, dtype, kernel)
        cfg, inner = model.config, model.model
        _check_llama(cfg)
        self.heads, self.kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        self.scaling = self.head_dim ** -0.5
        self.embed = inner.embed_tokens.weight
        self.layers = []
        for layer in inner.layers:
            att, mlp = layer.self_attn, layer.mlp
            self.layers.append((_norm(layer.input_layernorm, "RMSNorm"), self.proj(att, "q_proj", "k_proj", "v_proj"),
                                self.proj(att, "o_proj"), _norm(layer.post_attention_layernorm, "RMSNorm"),
                                self.proj(mlp, "gate_proj", "up_proj"), self.proj(mlp, "down_proj")))
        self.norm = _norm(inner.norm, "RMSNorm")
        self.head = self.head_proj(model)
        self.cos, self.sin = _rotary_table(inner.rotary_emb, model.config, dtype)

    def step(self, cache, token: torch.Tensor, pos: int) -> torch.Tensor:
        x = self.embed[token.view(1)]
        h_dim, nq, nk = self.head_dim, self.heads, self.kv_heads
        cos, sin = self.cos[pos], self.sin[pos]
        half = h_dim // 2
        for i, (norm1, qkv_p, o_p, norm2, gu_p, down_p) in enumerate(self.layers):
            qkv = qkv_p(F.rms_norm(x, norm1[0].shape, *norm1))
            qk = qkv[0, :(nq + nk) * h_dim].view(nq + nk, h_dim)
            qk = torch.addcmul(qk * cos, qk.roll(half, -1), sin)  # rotate_half(x) * sin, with sin's sign built in
            cache.keys[i, :, pos] = qk[nq:]
            cache.values[i, :, pos] = qkv[0, (nq + nk) * h_dim:].view(nk, h_dim)
            x = x + o_p(cache.attend(i, qk[:nq], pos, self.scaling))
            gate, up = gu_p(F.rms_norm(x, norm2[0].shape, *norm2)).chunk(2, dim=-1)
            x = x + down_p(F.silu(gate) * up)
        return self.head(F.rms_norm(x, self.norm[0].shape, *self.norm))[0]


class GPT2Plan(Plan):
    arch = "gpt2"

    def __init__(self, model, dtype, kernel=None):
        super().__init__(model, dtype, kernel)
        cfg, inner = model.config, model.transformer
        _check_gpt2(cfg)
        self.heads = self.kv_heads = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.eps = cfg.layer_norm_epsilon
        base = self.head_dim ** -0.5 if cfg.scale_attn_weights else 1.0
        self.wte, self.wpe = inner.wte.weight, inner.wpe.weight
        self.layers = []
        for i, block in enumerate(inner.h):
            scale = base / (i + 1) if cfg.scale_attn_by_inverse_layer_idx else base
            self.layers.append((_norm(block.ln_1, "LayerNorm"), self.proj(block.attn, "c_attn"),
                                self.proj(block.attn, "c_proj"), _norm(block.ln_2, "LayerNorm"),
                                self.proj(block.mlp, "c_fc"), self.proj(block.mlp, "c_proj"), scale))
        self.ln_f = _norm(inner.ln_f, "LayerNorm")
        self.head = self.head_proj(model)

    def step(self, cache, token: torch.Tensor, pos: int) -> torch.Tensor:
        x = self.wte[token.view(1)] + self.wpe[pos]
        d, n, eps = self.wte.shape[1], self.heads, self.eps
        for i, (ln1, attn_p, proj_p, ln2, fc_p, out_p, scale) in enumerate(self.layers):
            qkv = attn_p(F.layer_norm(x, (d,), *ln1, eps))[0].view(3, n, self.head_dim)
            cache.keys[i, :, pos] = qkv[1]
            cache.values[i, :, pos] = qkv[2]
            x = x + proj_p(cache.attend(i, qkv[0], pos, scale))
            x = x + out_p(F.gelu(fc_p(F.layer_norm(x, (d,), *ln2, eps)), approximate="tanh"))
        return self.head(F.layer_norm(x, (d,), *self.ln_f, eps))[0]


def _norm(module, kind: str) -> tuple:
    """(weight, eps) of an RMSNorm, (weight, bias) of a LayerNorm, after checking its class."""
    if kind not in type(module).__name__:
        raise Unsupported(f"a {type(module).__name__} where a {kind} was expected")
    if kind == "RMSNorm":
        return module.weight, module.variance_epsilon
    return module.weight, module.bias


def _check_llama(cfg) -> None:
    rope = (getattr(cfg, "rope_parameters", None) or {}).get("rope_type", "default")
    if cfg.hidden_act not in LLAMA_ACTS or rope in LENGTH_DEPENDENT_ROPE or getattr(cfg, "pretraining_tp", 1) > 1:
        raise Unsupported(f"activation {cfg.hidden_act}, rotary {rope}")


def _check_gpt2(cfg) -> None:
    if cfg.activation_function not in GPT2_ACTS or cfg.reorder_and_upcast_attn or cfg.add_cross_attention:
        raise Unsupported(f"activation {cfg.activation_function} or reordered/cross attention")


def _rotary_table(rotary, config, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and signed sin for every position in the window, from the model's own rotary module
    (so scaled rotary kinds and its rounding are the model's); sin's first half is negated so
    that roll(x, half) * sin is rotate_half(x) * sin."""
    window = getattr(config, "max_position_embeddings", 2048)
    positions = torch.arange(window)[None]
    cos, sin = rotary(torch.empty(0, dtype=dtype), positions)
    cos, sin = cos[0], sin[0].clone()
    sin[:, : sin.shape[1] // 2].neg_()
    return cos.contiguous(), sin


PLANS = {"llama": LlamaPlan, "gpt2": GPT2Plan}


# ---------------------------------------------------------------- the cache and the steps

class Cache:
    """keys/values [layers, kv heads, length, head dim], filled by index."""

    def __init__(self, plan: Plan, layers: int, length: int):
        shape = (layers, plan.kv_heads, length, plan.head_dim)
        self.keys = torch.empty(shape, dtype=plan.dtype)
        self.values = torch.empty(shape, dtype=plan.dtype)
        self.groups = plan.heads // plan.kv_heads

    def fill(self, hf_cache) -> int:
        """Copy the model's own cache after the prompt; returns how many positions it holds."""
        filled = 0
        for i, layer in enumerate(hf_cache.layers):
            filled = layer.keys.shape[-2]
            self.keys[i, :, :filled] = layer.keys[0]
            self.values[i, :, :filled] = layer.values[0]
        return filled

    def attend(self, i: int, q: torch.Tensor, pos: int, scale: float) -> torch.Tensor:
        """One query per head [heads, head dim] over positions 0..pos: each kv head's group of
        query heads is a short run of queries over the same keys, so no head is repeated."""
        kv, d = self.keys.shape[1], self.keys.shape[3]
        out = F.scaled_dot_product_attention(q.view(1, kv, self.groups, d), self.keys[i, :, :pos + 1][None],
                                             self.values[i, :, :pos + 1][None], scale=scale)
        return out.view(1, -1)


class LeanSteps:
    """The Steps interface of core.fast_decode (prefill, step) with the lean decode step."""

    def __init__(self, loaded, plan: Plan, needed: int, base_model):
        self.model, self.device, self.plan = loaded.model, loaded.device, plan
        self.cache = Cache(plan, len(plan.layers), max(1, needed))
        self.pos = 0

    def prefill(self, ids: list[int], keep: int, cancel=None, progress=None) -> torch.Tensor:
        from desktop_app.core.fast_decode import prefill_in_chunks

        logits, cache = prefill_in_chunks(self.model, ids, keep, self.device, cancel, progress)
        self.pos = self.cache.fill(cache)
        return logits

    def step(self, token: torch.Tensor) -> torch.Tensor:
        logits = self.plan.step(self.cache, token, self.pos)
        self.pos += 1
        return logits


def _base_model(model):
    """The transformers model under a PEFT wrapper (or the model itself)."""
    inner = getattr(getattr(model, "base_model", None), "model", None)
    return inner if type(model).__name__.startswith("Peft") and inner is not None else model


def _check_adapters(model) -> None:
    """Plain LoRA only: other PEFT kinds, and trained copies of whole modules, change more than
    the linear layers the step reads adapters from."""
    for config in (getattr(model, "peft_config", None) or {}).values():
        kind = str(getattr(config, "peft_type", ""))
        if not kind.endswith("LORA") or kind.endswith("ADALORA") or getattr(config, "modules_to_save", None) \
                or getattr(config, "use_dora", False):
            raise Unsupported(f"a {kind} adapter with these settings")


def plan_for(loaded) -> Plan:
    """The model's plan (made once; made again when a weight changed), with the adapter as it is now."""
    _check_adapters(loaded.model)
    base = _base_model(loaded.model)
    kind = PLANS.get(getattr(base.config, "model_type", ""))
    if kind is None:
        raise Unsupported(f"the {base.config.model_type!r} architecture")
    kernel = bf16_gemv.library(build=False) if loaded.dtype == torch.bfloat16 else None
    plan = _plans.get(base)
    if plan is not None and plan.kernel is not kernel:  # keep it: the bench switches back and forth
        plan, _other_plans[base] = _other_plans.get(base), plan
    if plan is None or plan.stale() or plan.dtype != loaded.dtype or plan.kernel is not kernel:
        plan = kind(base, loaded.dtype, kernel)
    _plans[base] = plan
    plan.set_lora()
    return plan


def prepare(loaded) -> bool:
    """Make the model's plan now (after loading: fused and packed weights) rather than at its
    first answer; False where the lean step does not apply."""
    if loaded.device.type != "cpu":
        return False
    if loaded.dtype == torch.bfloat16:
        bf16_gemv.library(build=True)  # once per machine (about a second), then loaded from the cache
    with torch.inference_mode():
        try:
            plan_for(loaded)
        except Unsupported as exc:
            log.info("lean decoding not used for %s: %s", loaded.model_id, exc)
            return False
    return True


def lean_steps(loaded, needed: int):
    """LeanSteps for this answer, or None where the plain path must answer (the reason is logged once)."""
    model = loaded.model
    if loaded.device.type != "cpu":
        return None  # on a GPU the launch cost is removed by CUDA graphs (fast_decode) instead
    if model.training or torch.is_grad_enabled():
        return None
    try:
        plan = plan_for(loaded)
    except Unsupported as exc:
        base = _base_model(model)
        if _why_not.get(base) != str(exc):
            log.info("lean decoding not used for %s: %s", loaded.model_id, exc)
            _why_not[base] = str(exc)
        return None
    return LeanSteps(loaded, plan, needed, _base_model(model))
