"""Checks that passed, remembered per file, so that a start does not repeat one on a file that
cannot have changed since (usertest 9, B1: a start re-read what it had read before).

A check is remembered under its name and each file's resolved path, inode, size, modification
time and change time: a file copied over (even with its time kept), renamed into place,
rewritten or edited in place gets a new key and is checked again (the change time cannot be
set back by a program). The
record is a cache (the app's cache folder): losing it costs one check, never a wrong answer,
and a record that cannot be read or written is the same as none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

RECORD_NAME = "checks-passed.json"
KEPT = 64  # keys kept, newest last: models a person switches between, each in a few precisions


def key(check: str, files: Iterable[Path]) -> str | None:
    """The key of ``check`` over ``files`` as they are now; None when one cannot be read (no
    key: the check runs)."""
    parts = [check]
    try:
        for file in sorted(Path(f).resolve() for f in files):
            stat = file.stat()
            parts.append(f"{file}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}")
    except OSError:
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest() if len(parts) > 1 else None


def _read(record: Path) -> list[str]:
    try:
        keys = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def passed(record: Path, check_key: str | None) -> bool:
    return check_key is not None and check_key in _read(record)


def remember(record: Path, check_key: str | None) -> None:
    """Note that the check with ``check_key`` passed (atomic: another process may read it)."""
    if check_key is None:
        return
    keys = [k for k in _read(record) if k != check_key][-(KEPT - 1):] + [check_key]
    staging = record.with_name(f"{record.name}.tmp-{os.getpid()}")
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        staging.write_text(json.dumps(keys), encoding="utf-8")
        os.replace(staging, record)
    except OSError as exc:  # a read-only cache: the check runs again next time
        log.info("cannot remember a passed check in %s: %s", record, exc)
