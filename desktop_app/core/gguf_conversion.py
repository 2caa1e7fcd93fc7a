"""A GGUF file -> a safetensors folder in the cache, converted once (later loads read the folder
in about a second), and what a GGUF file's header says without converting it.

Only checking, converting and finding a conversion; where a spec points is core/model_sources.py's.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from desktop_app.core.errors import ModelError
from desktop_app.core.memory import trim_heap
from desktop_app.core.model_sources import BUNDLED_NAME, Progress, no_progress
from desktop_app.core.paths import AppPaths

log = logging.getLogger(__name__)

STAGING_MARK = ".tmp-"  # a conversion is written into <its folder>.tmp-<pid>, then renamed
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
        return GGUFReader(str(path))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{path} is truncated or corrupt and cannot be read as GGUF ({exc}).") from exc


def converted_folder_for(gguf_path: Path, paths: AppPaths) -> Path:
    """Where ``gguf_path`` is (or will be) converted, keyed on its name and size (a person's own file also on
    its path and time: a changed file is converted again); the bundled model's once, in the shared cache."""
    stat = gguf_path.stat()
    key = hashlib.sha256(f"{gguf_path.name}:{stat.st_size}".encode()).hexdigest()[:12]
    if not gguf_path.name.startswith(BUNDLED_NAME):  # user files: also key on where and when
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
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


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
    and 0.91 GB after this sweep and trim (bench/memory.py --fresh-conversion)."""
    gc.collect()
    trim_heap()


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
    """``general.architecture`` from a GGUF file's first key-value pairs, read as plain bytes.
    GGUFReader maps the whole file and builds an array per tensor: far more than a listing needs,
    and on the files lane's thread it crashed the process once under the tests. Writers put the
    architecture first; a file that does not gets the whole reader."""
    import struct

    from gguf import GGUFValueType

    with open(location, "rb") as handle:
        magic, _version, _tensors, count = struct.unpack("<4sIQQ", handle.read(24))
        for _ in range(min(count, 8) if magic == b"GGUF" else 0):
            key = handle.read(struct.unpack("<Q", handle.read(8))[0]).decode("utf-8", "replace")
            if struct.unpack("<I", handle.read(4))[0] != GGUFValueType.STRING:
                break  # other value types vary in size: leave them to the reader
            value = handle.read(struct.unpack("<Q", handle.read(8))[0]).decode("utf-8", "replace")
            if key == "general.architecture":
                return value
    from gguf import GGUFReader

    return str(GGUFReader(str(location)).fields["general.architecture"].contents())
