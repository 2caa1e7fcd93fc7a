"""A bfloat16 matrix-vector product for the lean decode step (Fast on a CPU), built on first use.

A decode step multiplies one row by every weight matrix once: it is bound by how fast the
weights stream from memory. oneDNN's prepacked bfloat16 product (fast_decode.pack_cpu_weights)
read 8-12 GB/s on one core here against float32's 11-15, and each call cost about 40 µs of
set-up (a primitive built per call) before it read a weight: 49 calls per GPT-2 token, 121
per SmolLM2 token. This kernel is a few lines of C with AVX512-BF16 (``vdpbf16ps``) over the
weights laid out in blocks of 32 rows (per pair of inputs, the 32 rows' two weights side
by side, so one broadcast pair of inputs meets 32 rows in two instructions and every block
is one sequential stream, prefetched ahead), called through ctypes: about 8 µs per call and
float32's bytes per second on half the bytes (bench/gemv_kernel.py measures it per matrix).
It sums in float32 and rounds once to bfloat16 (with the bias added in float32), as oneDNN
does; only the order of the additions differs. The output layer's call keeps the float32 sums
unrounded (core.float_logits: rounded logits tied alternatives' chances). That layout is the one oneDNN packs bfloat16
weights in on this kind of CPU, so the kernel reads the prepacked copies the model's own
products use (``Blocked.over_packed``, checked matrix by matrix) and keeps no copy of its own;
one call covers several matrices (q/k/v, gate/up) one after the other. Where oneDNN packs
otherwise it makes its own copy in that layout.

It is an accelerator, never a requirement: without a C compiler, on a CPU without
AVX512-BF16 (asked through torch at run time), off x86-64 Linux, when the build or its
self-check fails, or with ``GPT2_DESK_GEMV=0``, ``library()`` returns None, the reason is
logged once, and the lean step keeps oneDNN's product. The shared library is compiled once
(about a second: plain C, no torch headers) into the app's shared cache and reused by later
runs; the build happens while a model is prepared (lean_decode.prepare), never mid-answer.
With more than one decode thread the blocks are split over an OpenMP team; the library
links the libgomp torch itself loaded (same soname), so it is torch's own thread pool.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import torch

log = logging.getLogger(__name__)

ENV = "GPT2_DESK_GEMV"  # "0": never use the kernel (today's oneDNN product)
ROWS = 32  # output rows per block (two registers of 16 float32 sums): oneDNN's own packed layout
FLAGS = ["-O3", "-shared", "-fPIC", "-fopenmp", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512bf16"]

SOURCE = r"""
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#define ROWS 32
#define AHEAD 4096 /* bytes prefetched ahead of the stream: measured 1.4x over none on one core */

/* blocks b0..b1 of the matrices ws (segment s holds blocks starts[s]..starts[s+1]) */
static void run_blocks(const uint16_t* const* ws, const int64_t* starts, const uint16_t* x, const float* bias,
                       void* y, int f32_out, int64_t pairs, int64_t b0, int64_t b1) {
  int s = 0;
  for (int64_t b = b0; b < b1; ++b) {
    while (b >= starts[s + 1]) ++s;
    const uint16_t* p = ws[s] + (b - starts[s]) * pairs * ROWS * 2;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    for (int64_t k = 0; k < pairs; ++k, p += ROWS * 2) {
      _mm_prefetch((const char*)p + AHEAD, _MM_HINT_T1);
      _mm_prefetch((const char*)p + AHEAD + 64, _MM_HINT_T1);
      int32_t pair;
      memcpy(&pair, x + 2 * k, 4);
      const __m512bh xv = (__m512bh)_mm512_set1_epi32(pair);
      a0 = _mm512_dpbf16_ps(a0, (__m512bh)_mm512_loadu_si512(p), xv);
      a1 = _mm512_dpbf16_ps(a1, (__m512bh)_mm512_loadu_si512(p + 32), xv);
    }
    if (bias) {
      const float* bb = bias + b * ROWS;
      a0 = _mm512_add_ps(a0, _mm512_loadu_ps(bb));
      a1 = _mm512_add_ps(a1, _mm512_loadu_ps(bb + 16));
    }
    if (f32_out) { /* the sums as they are: logits that a rounding to bfloat16 would tie */
      float* out = (float*)y + b * ROWS;
      _mm512_storeu_ps(out, a0);
      _mm512_storeu_ps(out + 16, a1);
      continue;
    }
    uint16_t* out = (uint16_t*)y + b * ROWS;
    _mm256_storeu_si256((__m256i*)(out), (__m256i)_mm512_cvtneps_pbh(a0));
    _mm256_storeu_si256((__m256i*)(out + 16), (__m256i)_mm512_cvtneps_pbh(a1));
  }
}

/* y[blocks * 32] = W x (+ bias), W the segments ws one after the other, each blocked
   [its blocks, pairs, 32, 2]; starts[nseg] = blocks; x [2 * pairs], all bfloat16;
   y bfloat16, or float32 where f32_out (the output layer's logits) */
void gpt2desk_gemv_bf16(const uint16_t* const* ws, const int64_t* starts, const uint16_t* x, const float* bias,
                        void* y, int f32_out, int64_t pairs, int64_t blocks, int threads) {
  if (threads <= 1 || blocks < 2) {
    run_blocks(ws, starts, x, bias, y, f32_out, pairs, 0, blocks);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int64_t n = omp_get_num_threads(), i = omp_get_thread_num();
    run_blocks(ws, starts, x, bias, y, f32_out, pairs, blocks * i / n, blocks * (i + 1) / n);
  }
}
"""


class Blocked:
    """One weight matrix [out, in] (bfloat16) in the kernel's layout, with its bias in float32;
    called on one row [1, in] it gives [1, out] in bfloat16. Made as a copy of ``weight``;
    ``Blocked.over_packed`` reads oneDNN's prepacked copies instead, where they are laid out so."""

    def __init__(self, lib, weight: torch.Tensor | None, bias: torch.Tensor | None, *, _segments=None):
        if _segments is None:
            _segments = [(kernel_layout(weight), None, *weight.shape)]
        self.keep = [seg[0] for seg in _segments]  # the memory the kernel reads stays alive with this object
        self.rows, self.cols = sum(seg[2] for seg in _segments), _segments[0][3]
        starts = [0]
        for _memory, _ptr, out, _inp in _segments:
            starts.append(starts[-1] + -(-out // ROWS))
        self.blocks, self.pairs = starts[-1], self.cols // 2
        self.bias = None
        if bias is not None:
            self.bias = torch.zeros(self.blocks * ROWS, dtype=torch.float32)
            self.bias[:self.rows] = bias.detach().float()
        pointers = [ptr or memory.data_ptr() for memory, ptr, _out, _inp in _segments]
        self._ws = (ctypes.c_void_p * len(pointers))(*pointers)
        self._starts = (ctypes.c_int64 * len(starts))(*starts)
        self.fn = lib.gpt2desk_gemv_bf16
        self.args = (self._ws, self._starts, self.bias.data_ptr() if self.bias is not None else None)

    @classmethod
    def over_packed(cls, lib, parts: list[tuple[torch.Tensor, torch.Tensor]], bias: torch.Tensor | None):
        """The product of the [out, in] weights of ``parts`` one after the other (q/k/v, gate/up),
        read from their oneDNN prepacked copies (fast_decode.pack_cpu_weights) rather than a copy of
        its own: one copy of the weights fewer in memory (about 290 MB for SmolLM2), the same
        numbers, since every row is summed in the same order. None where a prepacked copy is not
        laid out as the kernel reads (oneDNN picks its layout per CPU and shape), holds other
        numbers than the weight (changed in place since it was packed), or where a matrix but the
        last has rows that do not fill a block."""
        segments = []
        for i, (weight, packed) in enumerate(parts):
            out, inp = weight.shape
            if (out % ROWS and i < len(parts) - 1) or not fits(weight):
                return None
            memory = packed_memory(packed, weight)
            if memory is None:
                return None
            segments.append((packed, memory, out, inp))
        return cls(lib, None, bias, _segments=segments)

    def __call__(self, x: torch.Tensor, threads: int | None = None, out_dtype=torch.bfloat16) -> torch.Tensor:
        """W x (+ bias) for one row, on the calling thread's team (torch.get_num_threads());
        ``out_dtype`` float32 keeps the float32 sums unrounded (the output layer: see core.float_logits)."""
        if x.dtype != torch.bfloat16 or not x.is_contiguous():
            x = x.to(torch.bfloat16).contiguous()
        y = torch.empty(1, self.blocks * ROWS, dtype=out_dtype)
        ws, starts, b = self.args
        self.fn(ws, starts, x.data_ptr(), b, y.data_ptr(), int(out_dtype == torch.float32), self.pairs, self.blocks,
                threads or torch.get_num_threads())
        return y[:, :self.rows]


def packed_memory(packed: torch.Tensor, weight: torch.Tensor) -> int | None:
    """The address of oneDNN's prepacked copy of ``weight`` [out, in] when it is laid out as the
    kernel reads ([out / 32, in / 2, 32, 2], rows padded to a block: what oneDNN chose for
    bfloat16 on an AVX512-BF16 and AMX CPU with torch 2.13) and holds exactly ``weight``'s bits; else None.
    Checked on every matrix against the weight itself (a copy of one matrix at a time, freed at once)."""
    ops = torch.ops.mkldnn
    if not (getattr(packed, "is_mkldnn", False) and hasattr(ops, "data_ptr") and hasattr(ops, "_nbytes")):
        return None
    out, inp = weight.shape
    blocks = -(-out // ROWS)
    try:
        if ops._nbytes(packed) != blocks * ROWS * inp * 2:
            return None
        address = ops.data_ptr(packed)
    except RuntimeError:
        return None
    raw = torch.frombuffer((ctypes.c_int16 * (blocks * ROWS * inp)).from_address(address), dtype=torch.int16)
    return address if holds_in_kernel_layout(raw, weight) else None


def kernel_layout(weight: torch.Tensor) -> torch.Tensor:
    """A copy of ``weight`` [out, in] (bfloat16) as the kernel reads it: [out / 32, in / 2, 32, 2], the rows padded
    with zeros to a whole block. Each pair of inputs moved as one 4-byte word: a copy whose innermost run was 2
    elements took ~0.45 CPU-s of every start of the bundled model on a CPU whose oneDNN lays its copies out
    otherwise (cli105); the bytes are the same."""
    out, inp = weight.shape
    padded = -(-out // ROWS) * ROWS
    pairs = weight.detach().contiguous().view(torch.int32)  # [out, in / 2]: one word per pair of bfloat16 inputs
    if padded != out:
        pairs = torch.cat([pairs, pairs.new_zeros(padded - out, inp // 2)])
    laid = pairs.view(padded // ROWS, ROWS, inp // 2).transpose(1, 2).contiguous()
    return laid.view(torch.bfloat16).view(padded // ROWS, inp // 2, ROWS, 2)


def holds_in_kernel_layout(raw: torch.Tensor, weight: torch.Tensor) -> bool:
    """Whether ``raw`` (int16, a copy oneDNN laid out) holds exactly ``weight``'s bits in the kernel's layout. Its
    first block is compared first: where oneDNN chose another layout (a CPU without AMX) that differs at once, and the
    whole copy is not laid out again for every matrix (~0.3 CPU-s of each start of the bundled model, cli105)."""
    out, inp = weight.shape
    bits = weight.detach().contiguous().view(torch.int16)
    first = min(out, ROWS)
    if not torch.equal(_as_rows(raw[:ROWS * inp], inp)[:first], bits[:first]):
        return False
    return torch.equal(_as_rows(raw, inp)[:out], bits)


def _as_rows(raw: torch.Tensor, inp: int) -> torch.Tensor:
    """``raw`` (int16, whole blocks in the kernel's layout) back as [rows, in]: pairs moved as 4-byte words."""
    words = raw.view(torch.int32).view(-1, inp // 2, ROWS)
    return words.transpose(1, 2).contiguous().view(-1, inp // 2).view(torch.int16)


def fits(weight: torch.Tensor, x_dtype: torch.dtype = torch.bfloat16) -> bool:
    """The kernel takes this [out, in] matrix: bfloat16 with an even input width."""
    return weight.dtype == torch.bfloat16 == x_dtype and weight.dim() == 2 and weight.shape[1] % 2 == 0


_lock = threading.Lock()
_loaded: list = []  # [library or None] once decided in this process


def library(build: bool = True):
    """The loaded kernel (a ctypes library), or None where it cannot run (the reason is logged
    once). With ``build`` False it is only loaded if it was built before (in this run or an
    earlier one): an answer never waits for a compiler."""
    if os.environ.get(ENV, "").strip() == "0":
        return None
    if _loaded:
        return _loaded[0]
    if not _lock.acquire(blocking=build):  # another thread is building it: answer without it
        return None
    try:
        if _loaded:
            return _loaded[0]
        why = _unsupported()
        path = None if why else _library_path()
        if not why and not path.exists() and not build:
            return None  # not built yet: prepare() builds it
        lib = None
        if not why:
            try:
                lib = _open(path if path.exists() else _build(path))
                why = None if _works(lib) else "its self-check gave a wrong product"
            except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
                last = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
                why = f"it could not be built or loaded ({last[:200]})"
        if why:
            log.info("bf16 matrix-vector kernel not used (oneDNN's product instead): %s", why)
            lib = None
        _loaded.append(lib)
        return lib
    finally:
        _lock.release()


def _unsupported() -> str | None:
    if platform.system() != "Linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        return f"it is built for x86-64 Linux, not {platform.system()} {platform.machine()}"
    check = getattr(getattr(torch, "cpu", None), "_is_avx512_bf16_supported", None)
    if not callable(check) or not check():
        return "this CPU has no AVX512-BF16 (as torch reports it)"
    if not _compiler():
        return "no C compiler (cc, gcc or $CC) was found"
    return None


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def _library_path() -> Path:
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve()
    key = hashlib.sha256("\n".join([SOURCE, *FLAGS, platform.machine()]).encode()).hexdigest()[:16]
    return (paths.shared_cache_dir or paths.cache_dir) / "kernels" / f"bf16_gemv_{key}.so"


def _build(path: Path) -> Path:
    """Compile SOURCE into ``path`` (written under another name, then renamed: another process
    building at the same time never loads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        source, target = Path(tmp) / "bf16_gemv.c", Path(tmp) / path.name
        source.write_text(SOURCE)
        done = subprocess.run([_compiler(), *FLAGS, str(source), "-o", str(target)], capture_output=True,
                              text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(done.stderr or f"the compiler exited with {done.returncode}")
        os.replace(target, path)
    log.info("built the bf16 matrix-vector kernel: %s", path)
    return path


def _open(path: Path):
    lib = ctypes.CDLL(str(path))
    lib.gpt2desk_gemv_bf16.argtypes = [ctypes.c_void_p] * 5 + [ctypes.c_int, ctypes.c_int64, ctypes.c_int64,
                                                                  ctypes.c_int]
    lib.gpt2desk_gemv_bf16.restype = None
    return lib


def _works(lib) -> bool:
    """A small product with a bias and a partial last block, on one thread and on two, against
    float32 arithmetic on the same bfloat16 numbers (within one bfloat16 rounding)."""
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(130, 96, generator=gen).bfloat16()
    bias, x = torch.randn(130, generator=gen).bfloat16(), torch.randn(1, 96, generator=gen).bfloat16()
    want = x.float() @ w.float().t() + bias.float()
    kernel = Blocked(lib, w, bias)
    results = [kernel(x, threads).float() for threads in (1, 2)]
    unrounded = kernel(x, 2, out_dtype=torch.float32)
    return all(got.shape == want.shape and torch.allclose(got, want, rtol=1e-2, atol=1e-2) for got in results) \
        and torch.allclose(unrounded, want, rtol=1e-5, atol=1e-4)
