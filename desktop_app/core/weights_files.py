"""Whether a model's or an adapter's files are whole, read from their first bytes, in words a person
can act on.

A .safetensors file cut short (a download or a copy stopped midway) or overwritten made
transformers say "Error while deserializing header: incomplete metadata, file not fully covered",
and a broken config.json "It looks like the config file at ... is not a valid JSON file": nothing
said which file, what was wrong with it, or what to do (usertest22). The safetensors layout: 8
bytes (little-endian) giving the header's length, the JSON header, then the tensors' bytes, whose
end the header's largest ``data_offsets`` names."""

from __future__ import annotations

import json
from pathlib import Path

_HEADER_MAX = 100 * 1024 * 1024  # safetensors' own limit on a header's size


def _size_words(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _bytes_needed(path: Path, size: int) -> int | None:
    """The size the file's header says it has (its 8 bytes, the header, the tensors' bytes), or None
    where its first bytes are not a safetensors header."""
    with path.open("rb") as handle:
        length = int.from_bytes(handle.read(8), "little") if size >= 8 else 0
        if not 2 <= length <= min(_HEADER_MAX, size - 8):
            return None
        try:
            header = json.loads(handle.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
    if not isinstance(header, dict):
        return None
    ends = [entry["data_offsets"][1] for name, entry in header.items()
            if name != "__metadata__" and isinstance(entry, dict) and len(entry.get("data_offsets") or ()) == 2]
    return 8 + length + max(ends, default=0)


def _again(whole: str) -> str:
    return f"Copy or download {whole} again."


def safetensors_problem(path: Path, whole: str = "the model") -> str | None:
    """What is wrong with the .safetensors file ``path`` of ``whole`` ("the model", "the adapter"), in
    words, or None when its header reads and the file is as long as the header says."""
    try:
        size = path.stat().st_size
        need = _bytes_needed(path, size)
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror or exc}). {_again(whole)}"
    if need is None:
        return (f"{path.name} is damaged: its first bytes are not a safetensors header "
                f"({_size_words(size)}). {_again(whole)}")
    if size < need:
        return (f"{path.name} is incomplete: {_size_words(need - size)} short of the {_size_words(need)} "
                f"its header names (a download or copy cut short?). {_again(whole)}")
    return None


def config_problem(path: Path, whole: str = "the model") -> str | None:
    """What is wrong with the JSON file ``path`` of ``whole`` (config.json, adapter_config.json), or None
    when it reads as a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). {_again(whole)}"
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path.name} cannot be read ({getattr(exc, 'strerror', None) or exc}). {_again(whole)}"
    if not isinstance(data, dict):
        return f"{path.name} is not a settings file (JSON, but not an object). {_again(whole)}"
    return None
