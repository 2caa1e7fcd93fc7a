"""A first GGUF conversion reads the file's header once, not five times.

transformers' GGUF path builds a fresh ``gguf.GGUFReader`` (every key-value pair and every
tensor's entry of the whole file, the 49,152 tokens and 48,900 merges of the bundled model
included) for the tokenizer's config, the model's config, the model's tensors and the config
the conversion saves; the header check had built one before. Measured on the bundled model:
five readers and four parses of the same metadata were about half of the conversion's CPU time
(docs/measurements.md, "Session 34, start3"). The file cannot change within one conversion:
within ``read_once``, this thread's readers of that file are the one the check built, the
metadata (``return_tensors=False``) is parsed once and handed out as copies, and gguf's
tensor-name table, which transformers rebuilds for each of the model's ~400 modules, is built
once per architecture. Other threads and other files are read as before.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import threading
from pathlib import Path


def _same_file(candidate, path: str) -> bool:
    try:
        return os.path.realpath(os.fspath(candidate)) == path
    except TypeError:  # not a path (a file object): not ours
        return False


@contextlib.contextmanager
def read_once(gguf_path: Path, reader):
    """Within it, this thread's ``GGUFReader(gguf_path)`` is ``reader``, transformers' metadata of
    ``gguf_path`` is parsed once, and gguf's tensor-name maps are made once each."""
    import gguf
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    me, path = threading.get_ident(), os.path.realpath(gguf_path)
    made_reader, load_checkpoint, name_map = gguf.GGUFReader, gguf_utils.load_gguf_checkpoint, gguf.get_tensor_name_map
    parsed: dict = {}

    def ours(candidate) -> bool:
        return threading.get_ident() == me and _same_file(candidate, path)

    def one_reader(file, *args, **kwargs):
        return reader if ours(file) and not args and not kwargs else made_reader(file, *args, **kwargs)

    def metadata_once(file, return_tensors=False, *args, **kwargs):
        if return_tensors or args or kwargs or not ours(file):
            return load_checkpoint(file, return_tensors, *args, **kwargs)
        if "metadata" not in parsed:
            parsed["metadata"] = load_checkpoint(file, False)
        return copy.deepcopy(parsed["metadata"])  # callers pop and set keys in what they get

    gguf.GGUFReader, gguf_utils.load_gguf_checkpoint = one_reader, metadata_once
    gguf.get_tensor_name_map = functools.lru_cache(maxsize=8)(name_map)  # read only: one per (arch, blocks)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf_utils.load_gguf_checkpoint, gguf.get_tensor_name_map = made_reader, load_checkpoint, name_map
