"""A GGUF file -> a safetensors folder in the cache, converted once (later loads read the folder
in about a second), and what a GGUF file's header says without converting it.

Only checking, converting and finding a conversion; where a spec points is core/model_sources.py's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import time
from pathlib import Path
from typing import Callable

from desktop_app.core.errors import ModelError
from desktop_app.core.memory import sweep_heap
from desktop_app.core.model_sources import Progress, is_bundled_gguf, no_progress
from desktop_app.core.paths import AppPaths

log = logging.getLogger(__name__)

STAGING_MARK = ".tmp-"  # a conversion is written into <its folder>.tmp-<pid>, then renamed
# what a conversion writes, in its form: raise it when _write_conversion writes other files or other
# numbers, so that an install's copy made by an earlier form is no longer used (core/install_copy.py)
CONVERSION_FORMAT = 1
STALE_STAGING_S = 3600.0  # a staging folder this old was left by a killed process (a write takes a minute)


def check_gguf_file(path: Path):
    """Catch truncated and foreign files before transformers reads them; returns the file's
    ``GGUFReader`` (the conversion reads the header through it, not again)."""
    try:
        from gguf import GGUFReader

        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic != b"GGUF":
            raise ModelError(f"{path} is not a GGUF file (bad header).")
        return _plain_view_reader(GGUFReader)(str(path))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{path} is truncated or corrupt and cannot be read as GGUF ({exc}).") from exc


def _plain_view_reader(reader_class):
    """``reader_class`` (gguf's GGUFReader) slicing a plain ndarray view of its memory-mapped file rather
    than the ``np.memmap`` itself: the same bytes, without numpy's Python-level ``memmap.__getitem__`` and
    ``__array_finalize__`` on each of the ~1.3 million slices the bundled model's header takes (its 49,152
    tokens and 48,900 merges, a few slices each), which were the largest part of a conversion's CPU time
    (bench/first_start.py's stages; the profile in docs/benchmarks.md)."""
    import numpy as np

    class PlainViewReader(reader_class):
        def _get(self, offset, dtype, count=1, override_order=None):
            plain = self.__dict__.get("_plain_data")
            if plain is None:  # a view of the same mapping: the arrays it gives keep the mapping alive
                plain = self.__dict__["_plain_data"] = self.data.view(np.ndarray)
            count = int(count)
            array = plain[offset:offset + np.dtype(dtype).itemsize * count].view(dtype=dtype)[:count]
            return array.view(array.dtype.newbyteorder(self.byte_order if override_order is None else override_order))

    return PlainViewReader


def converted_folder_for(gguf_path: Path, paths: AppPaths) -> Path:
    """Where ``gguf_path`` is (or will be) converted, keyed on its name and size (a person's own file also on
    its path and time: a changed file is converted again); the bundled model's once, in the shared cache."""
    stat = gguf_path.stat()
    key = hashlib.sha256(f"{gguf_path.name}:{stat.st_size}".encode()).hexdigest()[:12]
    if not is_bundled_gguf(gguf_path):  # user files: also key on where and when
        key = hashlib.sha256(f"{gguf_path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
        return paths.converted_models_dir / f"{gguf_path.stem}-{key}"
    # the bundled model is the same for every data folder: one conversion in the user's cache
    # (one made earlier inside this data folder is still used)
    name = f"{gguf_path.stem}-{key}"
    own = paths.converted_models_dir / name
    return own if is_converted(own) or not _writable(paths.shared_converted_dir) else paths.shared_converted_dir / name


def is_converted(folder: Path) -> bool:
    """Whether ``folder`` holds a finished conversion's weights."""
    return any(folder.glob("model*.safetensors"))


def _writable(folder: Path) -> bool:
    """Whether ``folder`` could be written, or made where it is missing: asked of the shared cache
    each time a path is looked up (a listing too), so it makes nothing; the conversion makes it."""
    existing = next((part for part in (folder, *folder.parents) if part.exists()), None)
    return existing is not None and existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


def conversion_stage(gguf_path: Path, part: str = "") -> str:
    """The load stage of a first conversion, with its one-time hint: on a busy CPU it took
    minutes, and a bar sat at a third with no word on whether it would happen again. ``part``:
    what it does now, said where a part without a count takes seconds (17 CPU-s before the
    first tensor on the bundled model)."""
    stage = f"Converting {gguf_path.name} for this computer (only the first time, a few minutes)"
    return f"{stage} \u00b7 {part}" if part else stage


def convert_gguf(gguf_path: Path, paths: AppPaths, progress: Progress = no_progress) -> Path:
    """Dequantize a GGUF once into a safetensors folder; later loads read that folder.
    ``progress``: the tensors de-quantized of all (an unknown count, 0 of 0, while the file's
    header, vocabulary and layers are read and while the result is written, each part named).
    A folder that cannot be written (a full disk, a read-only cache) is a ModelError naming it."""
    target = converted_folder_for(gguf_path, paths)
    if is_converted(target):
        return target
    return convert_into(gguf_path, target, progress)


def convert_into(gguf_path: Path, target: Path, progress: Progress = no_progress,
                 finish: Callable[[Path], None] | None = None) -> Path:
    """Convert ``gguf_path`` into ``target`` through a staging folder renamed into place (a half-written
    conversion is never used); ``finish(staging)`` adds files before the rename (the install's identity)."""
    progress(conversion_stage(gguf_path, "reading the file"), 0, 0)  # the header check: half a minute on a busy CPU
    reader = check_gguf_file(gguf_path)
    start = time.perf_counter()
    staging = target.with_name(f"{target.name}{STAGING_MARK}{os.getpid()}")
    from desktop_app.core.gguf_once import read_once

    try:
        _clear_staging(target.parent, staging)
        with read_once(gguf_path, reader):  # the header and metadata read once, not five times
            _write_conversion(gguf_path, staging,
                              lambda part, done, total: progress(conversion_stage(gguf_path, part), done, total))
        del reader  # its arrays map the file: gone before the sweep below
        _release_conversion_memory()
        if finish is not None:
            finish(staging)
        _put_in_place(staging, target)
    except OSError as exc:  # a reading error is a ModelError already: this is the writing's
        raise ModelError(f"Could not write the converted model into {target.parent} ({exc.strerror or exc}): "
                         "free some disk space there, or make the folder writable, and open the model again.") from exc
    finally:  # a failure or Ctrl+C while writing left ~0.5 GB there (a success renamed it)
        shutil.rmtree(staging, ignore_errors=True)
    log.info("converted %s in %.1f s", gguf_path, time.perf_counter() - start)
    return target


def _clear_staging(folder: Path, staging: Path) -> None:
    """``folder`` made, with neither this process's staging nor one a killed conversion left an hour
    or more ago (a younger one may still be written by another process)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"*{STAGING_MARK}*"):
        if old == staging or (is_staging(old) and _age_s(old) >= STALE_STAGING_S):
            shutil.rmtree(old, ignore_errors=True)


def is_staging(folder: Path) -> bool:
    """A conversion being written (or left by a killed one): not a model to list or load."""
    _name, mark, pid = folder.name.rpartition(STAGING_MARK)
    return bool(mark) and pid.isdigit()


def _age_s(path: Path) -> float:
    """Seconds since ``path`` last changed; 0 where it is gone already (another process swept it)."""
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _release_conversion_memory() -> None:
    """The dequantized model is garbage now, yet a cycle holds it (transformers' first load in a
    process leaves a traceback holding its frames) while the load keeps the collector paused,
    and glibc keeps the freed pages: measured, the process held 1.95 GB after a first start
    and 0.91 GB after this sweep and trim (bench/memory.py --fresh-conversion). In the window the
    sweep runs on the GUI thread, soon after (core.memory: which thread collects)."""
    sweep_heap(trim=True)


def _put_in_place(staging: Path, target: Path) -> None:
    """Rename the finished ``staging`` to ``target`` (atomic: a half-written conversion is never used)."""
    if target.is_dir() and not is_converted(target):  # e.g. its weights deleted to free space: it blocked the rename
        shutil.rmtree(target)
    try:
        os.replace(staging, target)
    except OSError:
        if not is_converted(target):  # else another process won the race, with the same conversion
            raise


def _write_conversion(gguf_path: Path, staging: Path, step: Callable[[str, int, int], None]) -> None:
    """The GGUF's model dequantized into float32 safetensors (and its tokenizer) in ``staging``;
    ``step(part, done, total)`` after each tensor de-quantized, ``step(part, 0, 0)`` (no count)
    as each part around them starts."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from desktop_app.core.load_progress import gguf_tensors_counted

    try:
        step("reading its vocabulary", 0, 0)
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        step("reading its layers", 0, 0)
        with gguf_tensors_counted(lambda done, total: step("de-quantizing its tensors", done, total)):
            quantized = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name,
                                                             dtype=torch.float32)
    except Exception as exc:
        raise ModelError(f"{gguf_path} could not be converted: {exc}") from exc
    step("writing the result", 0, 0)  # no count
    # The GGUF-loaded model refuses save_pretrained; its weights go into a plain model, which
    # takes the tensors themselves (assign) rather than a second float32 copy of them
    config = AutoConfig.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantized.state_dict(), strict=False, assign=True)
    if getattr(config, "tie_word_embeddings", False):
        plain.tie_weights()
    plain.generation_config = quantized.generation_config
    plain.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    (staging / "gpt2desk-source.json").write_text(json.dumps({"gguf": gguf_path.name}))


def gguf_architecture(location: Path) -> str:
    """``general.architecture`` from a GGUF file's key-value pairs, read as plain bytes up to it.
    GGUFReader maps the whole file and builds an array per tensor: far more than a listing needs,
    and on the files lane's thread it crashed the process once under the tests. Every length is
    checked against the bytes the file has left: a damaged file is a ModelError in words (a length
    of 2**62 was a MemoryError; GGUFReader read a string past the end as "")."""
    with open(location, "rb") as handle:
        header = _HeaderReader(handle, location.stat().st_size)
        if header.take(4) != b"GGUF":
            raise header.damaged("it does not start with GGUF")
        _version, _tensors, count = header.number("<I"), header.number("<Q"), header.number("<Q")
        for _ in range(count):  # each pair takes bytes: a made-up count runs out of file, said so
            key, kind = header.string(), header.number("<I")
            if key == "general.architecture" and kind == _STRING:
                return header.string()
            header.skip_value(kind)
    raise damaged_gguf(location, "it names no architecture (general.architecture)")


def damaged_gguf(location: Path, why: str) -> ModelError:
    return ModelError(f"{location}: this .gguf file is damaged or not a GGUF file: {why}")


_STRING, _ARRAY = 8, 9  # GGUF value types; the others have a fixed size in bytes:
_FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


class _HeaderReader:
    """A GGUF header's fields, each length checked against the bytes the file has left first."""

    def __init__(self, handle, size: int):
        self.handle, self.size = handle, size

    def damaged(self, why: str) -> ModelError:
        return damaged_gguf(Path(self.handle.name), why)

    def take(self, count: int) -> bytes:
        left = self.size - self.handle.tell()
        if count > left:
            raise self.damaged(f"its header asks for {count:,} bytes at byte {self.handle.tell():,}, "
                               f"where {left:,} are left")
        return self.handle.read(count)

    def number(self, layout: str) -> int:
        return struct.unpack(layout, self.take(struct.calcsize(layout)))[0]

    def string(self) -> str:
        return self.take(self.number("<Q")).decode("utf-8", "replace")

    def skip_value(self, kind: int) -> None:
        """Past one value of GGUF type ``kind`` (an array's items too), read only where sizes vary."""
        if kind in _FIXED_SIZES:
            self.take(_FIXED_SIZES[kind])
        elif kind == _STRING:
            self.take(self.number("<Q"))
        elif kind == _ARRAY:
            item, length = self.number("<I"), self.number("<Q")
            if item in _FIXED_SIZES:
                self.take(_FIXED_SIZES[item] * length)
                return
            if length * 8 > self.size - self.handle.tell():  # every item holds a length of 8 bytes at least
                raise self.damaged(f"its header holds an array of {length:,} items where the file has no room for them")
            for _ in range(length):
                self.skip_value(item)
        else:
            raise self.damaged(f"its header holds a value of unknown type {kind}")
