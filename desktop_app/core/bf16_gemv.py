"""A bfloat16 matrix-vector product for the lean decode step (Fast on a CPU), built on first use.

A decode step multiplies one row by every weight matrix once: it is bound by how fast the
weights stream from memory. oneDNN's prepacked bfloat16 product (fast_decode.pack_cpu_weights)
read 8-12 GB/s on one core here against float32's 11-15, and each call cost about 40 µs of
set-up (a primitive built per call) before it read a weight: 49 calls per GPT-2 token, 121
per SmolLM2 token. This kernel is a few lines of C with AVX512-BF16 (``vdpbf16ps``) over the
weights laid out once in blocks of 64 rows (per pair of inputs, the 64 rows' two weights side
by side, so one broadcast pair of inputs meets 64 rows in four instructions and every block
is one sequential stream, prefetched ahead), called through ctypes: about 8 µs per call and
float32's bytes per second on half the bytes (bench/gemv_kernel.py measures it per matrix).
It sums in float32 and rounds once to bfloat16 (with the bias added in float32), as oneDNN
does; only the order of the additions differs.

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
ROWS = 64  # output rows per block (four registers of 16 float32 sums)
FLAGS = ["-O3", "-shared", "-fPIC", "-fopenmp", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512bf16"]

SOURCE = r"""
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#define ROWS 64
#define AHEAD 4096 /* bytes prefetched ahead of the stream: measured 1.4x over none on one core */

static void run_blocks(const uint16_t* w, const uint16_t* x, const float* bias, uint16_t* y,
                       int64_t pairs, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint16_t* p = w + b * pairs * ROWS * 2;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    for (int64_t k = 0; k < pairs; ++k, p += ROWS * 2) {
      _mm_prefetch((const char*)p + AHEAD, _MM_HINT_T1);
      _mm_prefetch((const char*)p + AHEAD + 64, _MM_HINT_T1);
      _mm_prefetch((const char*)p + AHEAD + 128, _MM_HINT_T1);
      _mm_prefetch((const char*)p + AHEAD + 192, _MM_HINT_T1);
      int32_t pair;
      memcpy(&pair, x + 2 * k, 4);
      const __m512bh xv = (__m512bh)_mm512_set1_epi32(pair);
      a0 = _mm512_dpbf16_ps(a0, (__m512bh)_mm512_loadu_si512(p), xv);
      a1 = _mm512_dpbf16_ps(a1, (__m512bh)_mm512_loadu_si512(p + 32), xv);
      a2 = _mm512_dpbf16_ps(a2, (__m512bh)_mm512_loadu_si512(p + 64), xv);
      a3 = _mm512_dpbf16_ps(a3, (__m512bh)_mm512_loadu_si512(p + 96), xv);
    }
    if (bias) {
      const float* bb = bias + b * ROWS;
      a0 = _mm512_add_ps(a0, _mm512_loadu_ps(bb));
      a1 = _mm512_add_ps(a1, _mm512_loadu_ps(bb + 16));
      a2 = _mm512_add_ps(a2, _mm512_loadu_ps(bb + 32));
      a3 = _mm512_add_ps(a3, _mm512_loadu_ps(bb + 48));
    }
    uint16_t* out = y + b * ROWS;
    _mm256_storeu_si256((__m256i*)(out), (__m256i)_mm512_cvtneps_pbh(a0));
    _mm256_storeu_si256((__m256i*)(out + 16), (__m256i)_mm512_cvtneps_pbh(a1));
    _mm256_storeu_si256((__m256i*)(out + 32), (__m256i)_mm512_cvtneps_pbh(a2));
    _mm256_storeu_si256((__m256i*)(out + 48), (__m256i)_mm512_cvtneps_pbh(a3));
  }
}

/* y[blocks * 64] = W x (+ bias): W blocked [blocks, pairs, 64, 2], x [2 * pairs], all bfloat16 */
void gpt2desk_gemv_bf16(const uint16_t* w, const uint16_t* x, const float* bias, uint16_t* y,
                        int64_t pairs, int64_t blocks, int threads) {
  if (threads <= 1 || blocks < 2) {
    run_blocks(w, x, bias, y, pairs, 0, blocks);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int64_t n = omp_get_num_threads(), i = omp_get_thread_num();
    run_blocks(w, x, bias, y, pairs, blocks * i / n, blocks * (i + 1) / n);
  }
}
"""


class Blocked:
    """One weight matrix [out, in] (bfloat16) in the kernel's layout, with its bias in float32;
    called on one row [1, in] it gives [1, out] in bfloat16."""

    def __init__(self, lib, weight: torch.Tensor, bias: torch.Tensor | None):
        out, inp = weight.shape
        self.rows, self.cols = out, inp
        padded = -(-out // ROWS) * ROWS
        w = torch.zeros(padded, inp, dtype=torch.bfloat16)
        w[:out] = weight.detach()
        self.weight = w.view(padded // ROWS, ROWS, inp // 2, 2).transpose(1, 2).contiguous()
        self.bias = None
        if bias is not None:
            self.bias = torch.zeros(padded, dtype=torch.float32)
            self.bias[:out] = bias.detach().float()
        self.blocks, self.pairs = padded // ROWS, inp // 2
        self.fn = lib.gpt2desk_gemv_bf16
        self.args = (self.weight.data_ptr(), self.bias.data_ptr() if self.bias is not None else None)

    def __call__(self, x: torch.Tensor, threads: int | None = None) -> torch.Tensor:
        """W x (+ bias) for one row, on the calling thread's team (torch.get_num_threads())."""
        if x.dtype != torch.bfloat16 or not x.is_contiguous():
            x = x.to(torch.bfloat16).contiguous()
        y = torch.empty(1, self.blocks * ROWS, dtype=torch.bfloat16)
        w, b = self.args
        self.fn(w, x.data_ptr(), b, y.data_ptr(), self.pairs, self.blocks, threads or torch.get_num_threads())
        return y[:, :self.rows]


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
    lib.gpt2desk_gemv_bf16.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_int64, ctypes.c_int64, ctypes.c_int]
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
    return all(got.shape == want.shape and torch.allclose(got, want, rtol=1e-2, atol=1e-2) for got in results)
