"""The bundled model converted once beside the install, read by every user account instead of a
conversion of its own (about a minute on 2 cores, at each account's first start).

``packaging/install.sh`` runs ``gpt2-desk models --install-copy``, which converts the bundled GGUF
into the install's folder (``AppPaths.install_dir``: the venv's ``share/gpt2-desk/converted``) with an
identity file beside the weights: the GGUF's size and SHA-256, the converter's form and the versions
of the libraries that dequantised it, and each file's size and SHA-256. The app reads that copy, never
writes it, and only where it is the bundled GGUF's conversion by this converter and every file is whole:
a stale copy (another wheel, another transformers) or a damaged one (a file cut short or changed) is
passed over with one log line saying why, and the person's own conversion is made as before.
Safetensors and JSON only: nothing here is unpickled. Hashing the copy (~0.5 GB) takes about a second;
a copy that passed is remembered per file in the user's ``checks-passed.json`` (core/checks_passed.py),
so later starts only look at the files' sizes and times.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core import checks_passed
from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_conversion import (CONVERSION_FORMAT, convert_into, converted_folder_for,
                                              is_converted)
from desktop_app.core.model_sources import Progress, is_bundled_gguf, no_progress
from desktop_app.core.paths import AppPaths

log = logging.getLogger(__name__)

IDENTITY_NAME = "gpt2desk-install-copy.json"
IDENTITY_FORMAT = 1


@dataclass(frozen=True)
class BundledCopy:
    """Which copy of the bundled model a start reads: ``kind`` "install" (the install's), "user"
    (this account's own conversion) or "none" (converted at the first start); ``note`` says why an
    install's copy was passed over, where one was."""

    kind: str
    location: str
    note: str = ""

    def words(self) -> str:
        said = {"install": f"the install's converted copy, {self.location}",
                "user": f"this account's own conversion, {self.location}",
                "none": "not converted yet: converted into this account's cache at its first start (about a minute)"}
        return said[self.kind] + (f" (the install's copy is not used: {self.note})" if self.note else "")


def converter_identity() -> dict:
    """What made a conversion: its form here and the libraries that read and dequantise the GGUF (an upgrade
    of either may change the numbers, so a copy they did not make is converted again)."""
    return {"format": CONVERSION_FORMAT, "transformers": _version("transformers"), "gguf": _version("gguf")}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def install_copy_folder(gguf_path: Path, paths: AppPaths) -> Path | None:
    """Where the install keeps ``gguf_path``'s conversion (named as the cache names it), or None where
    no install folder is set."""
    if paths.install_dir is None:
        return None
    return paths.install_dir / converted_folder_for(gguf_path, paths).name


def bundled_copy(gguf_path: Path, paths: AppPaths) -> BundledCopy:
    """The copy a start of the bundled model reads: this account's own conversion where it made one,
    else the install's where it passes every check, else none yet (the conversion comes)."""
    own = converted_folder_for(gguf_path, paths)
    if is_converted(own):
        return BundledCopy("user", str(own))
    folder = install_copy_folder(gguf_path, paths)
    if folder is None or not folder.exists():
        return BundledCopy("none", str(own))
    try:
        problem = copy_problem(folder, gguf_path, paths.cache_dir / checks_passed.RECORD_NAME)
    except OSError as exc:  # e.g. a file this account may not read
        problem = f"it cannot be read ({exc})"
    if problem is not None:
        return BundledCopy("none", str(own), problem)
    return BundledCopy("install", str(folder))


def ready_bundled_folder(gguf_path: Path, paths: AppPaths, progress: Progress = no_progress) -> Path | None:
    """The install's verified copy of the bundled model, where this account has no conversion of its own
    and the copy passes; None otherwise (a copy passed over is logged, with why)."""
    if not is_bundled_gguf(gguf_path) or is_converted(converted_folder_for(gguf_path, paths)):
        return None  # not the bundled model, or converted here already: convert_gguf returns that at once
    folder = install_copy_folder(gguf_path, paths)
    if folder is None or not folder.exists():
        return None  # no install step made one (a plain pip install, the tests)
    progress("Checking the install's converted copy of the bundled model", 0, 0)
    copy = bundled_copy(gguf_path, paths)
    if copy.note:
        log.warning("not using the install's converted copy of the bundled model in %s: %s; converting it "
                    "into this account's cache instead", folder, copy.note)
    if copy.kind != "install":
        return None
    log.info("using the install's converted copy of the bundled model: %s", copy.location)
    return Path(copy.location)


def copy_problem(folder: Path, gguf_path: Path, record: Path | None = None) -> str | None:
    """Why ``folder`` is not ``gguf_path``'s conversion by this converter, whole, in words; None where
    it is. The hashes are read once per file as it is (``record``: where that is remembered)."""
    identity = _read_identity(folder)
    if isinstance(identity, str):
        return identity
    stale = _stale(identity, gguf_path)
    if stale is not None:
        return stale
    files = identity["files"]
    unlisted = sorted(path.name for path in folder.iterdir() if path.name not in files and path.name != IDENTITY_NAME)
    if unlisted:  # transformers would read them unchecked (another shard, a tokenizer file)
        return f"it holds files its identity does not name ({', '.join(unlisted)})"
    for name, expected in files.items():
        if Path(name).name != name or not (folder / name).is_file():
            return f"{name} is missing"
        if (folder / name).stat().st_size != expected.get("size"):
            return f"{name} is {(folder / name).stat().st_size:,} bytes, where its identity says {expected.get('size')}"
    if not is_converted(folder) or not any(name.startswith("model") for name in files):
        return "it holds no weights"
    key = checks_passed.key(f"install copy {IDENTITY_FORMAT}",
                            [gguf_path, folder / IDENTITY_NAME, *(folder / name for name in files)])
    if record is not None and checks_passed.passed(record, key):
        return None
    changed = _changed_file(folder, gguf_path, identity)
    if changed is None and record is not None:
        checks_passed.remember(record, key)
    return changed


def _read_identity(folder: Path) -> dict | str:
    """The identity file's contents, or why it cannot be used."""
    try:
        identity = json.loads((folder / IDENTITY_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"it has no {IDENTITY_NAME}"
    except (OSError, ValueError) as exc:
        return f"its {IDENTITY_NAME} cannot be read ({exc})"
    if (not isinstance(identity, dict) or identity.get("format") != IDENTITY_FORMAT
            or not isinstance(identity.get("gguf"), dict) or not isinstance(identity.get("files"), dict)
            or not all(isinstance(entry, dict) for entry in identity["files"].values())):
        return f"its {IDENTITY_NAME} is not one this version writes"
    return identity


def _stale(identity: dict, gguf_path: Path) -> str | None:
    """Why the copy was made from another GGUF or by another converter; None where it was not."""
    made_by, ours = identity.get("converter"), converter_identity()
    if made_by != ours:
        return f"it was made by another converter ({_said(made_by)}; this app's: {_said(ours)})"
    if identity["gguf"].get("size") != gguf_path.stat().st_size:
        return f"it was converted from another {gguf_path.name} (another size)"
    return None


def _said(converter) -> str:
    if not isinstance(converter, dict):
        return "an unknown converter"
    return ", ".join(f"{'conversion form' if name == 'format' else name} {value}" for name, value in converter.items())


def _changed_file(folder: Path, gguf_path: Path, identity: dict) -> str | None:
    """The first file whose SHA-256 is not its identity's, the bundled GGUF's included, in words."""
    if file_sha256(gguf_path) != identity["gguf"].get("sha256"):
        return f"it was converted from another {gguf_path.name} (another SHA-256)"
    for name, expected in identity["files"].items():
        if file_sha256(folder / name) != expected.get("sha256"):
            return f"{name} has changed since it was converted (its SHA-256 differs)"
    return None


def make_install_copy(gguf_path: Path, paths: AppPaths, progress: Progress = no_progress) -> Path:
    """Convert ``gguf_path`` into the install's folder with its identity (the install step; nothing is
    done where a copy there passes already). A stale or damaged copy there is replaced."""
    folder = install_copy_folder(gguf_path, paths)
    if folder is None:
        raise ModelError("No folder is set for the install's converted models.")
    if folder.exists():
        problem = copy_problem(folder, gguf_path)
        if problem is None:
            return folder
        log.warning("replacing the install's converted copy in %s: %s", folder, problem)
        shutil.rmtree(folder)
    return convert_into(gguf_path, folder, progress, finish=lambda staging: _finish(staging, gguf_path))


def _finish(staging: Path, gguf_path: Path) -> None:
    write_identity(staging, gguf_path)
    readable_as(staging, gguf_path)


def readable_as(folder: Path, gguf_path: Path) -> None:
    """Every file of ``folder`` readable by whoever may read the bundled GGUF (the weights were written
    for their owner alone, 0600: another account could not read the install's copy)."""
    shared = gguf_path.stat().st_mode & 0o444
    for path in [folder, *folder.iterdir()]:
        searchable = shared >> 2 if path.is_dir() else 0  # a folder's read bits with its search bits
        path.chmod(path.stat().st_mode | shared | searchable)


def write_identity(folder: Path, gguf_path: Path) -> None:
    """The identity of the conversion in ``folder``: what it was made from, by what, and each file's hash."""
    files = {file.name: {"size": file.stat().st_size, "sha256": file_sha256(file)}
             for file in sorted(folder.iterdir()) if file.is_file() and file.name != IDENTITY_NAME}
    identity = {"format": IDENTITY_FORMAT, "converter": converter_identity(),
                "gguf": {"name": gguf_path.name, "size": gguf_path.stat().st_size, "sha256": file_sha256(gguf_path)},
                "files": files}
    (folder / IDENTITY_NAME).write_text(json.dumps(identity, indent=1), encoding="utf-8")
