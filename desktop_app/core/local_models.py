"""The models on this computer, for the Models dialog and ``gpt2-desk models``: the hub cache's,
the GGUF conversions', the bundled model and the one in use, each with its architecture and size.

Only listing: nothing is loaded or converted here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_conversion import converted_folder_for, gguf_architecture, is_converted, is_staging
from desktop_app.core.install_copy import BundledCopy, bundled_copy, install_copy_folder
from desktop_app.core.model_sources import (BUNDLED_NAME, BUNDLED_SPEC, bundled_gguf_path, cached_hub_folder,
                                            is_gguf_name)
from desktop_app.core.paths import AppPaths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalModel:
    """A model on this computer as the Models dialog and `gpt2-desk models` list it; ``spec`` opens it."""

    spec: str
    kind: str  # "hub-cache" | "converted" | "bundled" | "folder" | "gguf" (a path in use: ``with_model_in_use``)
    name: str
    location: str
    architecture: str = ""  # config.json's model_type, or the GGUF's general.architecture
    size_bytes: int = 0  # the weights on disk

    @property
    def size_text(self) -> str:
        mb = self.size_bytes / 1e6  # decimal, as a file manager and weights_files' messages count (cli62)
        return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def describe_local(location: Path) -> tuple[str, int]:
    """(architecture, weight bytes) of a model folder or .gguf file; ("", 0) when unreadable."""
    try:
        if location.is_file():
            return gguf_architecture(location), location.stat().st_size
        config = json.loads((location / "config.json").read_text(encoding="utf-8"))
        weights = [f for f in location.iterdir() if f.suffix.lower() == ".safetensors"]  # in any case
        return str(config.get("model_type", "")), sum(f.stat().st_size for f in weights)
    except Exception as exc:  # a broken entry is still listed, without the details
        log.info("cannot describe %s: %s", location, exc)
        return "", 0


def _bundled_conversion_name(paths: AppPaths) -> str | None:
    """The folder name the bundled GGUF is converted into (a cache, listed as the bundled model)."""
    try:
        return converted_folder_for(bundled_gguf_path(), paths).name
    except (ModelError, OSError):
        return None


def list_local_models(paths: AppPaths) -> list[LocalModel]:
    """The hub cache's models, the GGUF conversions (the bundled model's own aside) and the bundled model."""
    return [*_hub_cache_models(), *_converted_models(paths), *_bundled_model(paths)]


def _hub_cache_models() -> list[LocalModel]:
    found = []
    try:
        from huggingface_hub import constants, scan_cache_dir

        # the cache folder as configured now (scan_cache_dir's default is fixed when it is imported)
        for repo in scan_cache_dir(constants.HF_HUB_CACHE).repos:
            folder = cached_hub_folder(repo.repo_id) if repo.repo_type == "model" else None
            if folder is not None:
                found.append(LocalModel(repo.repo_id, "hub-cache", repo.repo_id, str(repo.repo_path),
                                        *describe_local(folder)))
    except Exception as exc:  # no cache dir yet, or unreadable
        log.info("hub cache scan: %s", exc)
    return found


def _converted_models(paths: AppPaths) -> list[LocalModel]:
    """The conversions in this data folder's cache and the shared one; neither the bundled model's own
    (the bundled entry) nor one being written, or left by a killed conversion (core/gguf_conversion.py)."""
    found = []
    bundled_cache = _bundled_conversion_name(paths)
    for converted in dict.fromkeys((paths.converted_models_dir, paths.shared_converted_dir)):
        for folder in sorted(converted.iterdir()) if converted.is_dir() else ():
            if folder.name != bundled_cache and not is_staging(folder) and is_converted(folder):
                found.append(LocalModel(str(folder), "converted", folder.name, str(folder), *describe_local(folder)))
    return found


def _bundled_model(paths: AppPaths) -> list[LocalModel]:
    try:
        gguf_path = bundled_gguf_path()
    except ModelError:  # not installed
        return []
    return [LocalModel(BUNDLED_SPEC, "bundled", BUNDLED_NAME, str(gguf_path), *_describe_bundled(gguf_path, paths))]


def bundled_copy_in_use(paths: AppPaths) -> BundledCopy | None:
    """Which copy of the bundled model a start reads (the install's, this account's own, none yet);
    None where the bundled model is not installed. Hashes the install's copy where that was not
    done for its files as they are (about a second)."""
    try:
        return bundled_copy(bundled_gguf_path(), paths)
    except (ModelError, OSError) as exc:
        log.info("bundled model's copy: %s", exc)
        return None


def with_model_in_use(found: list[LocalModel], in_use: str | None) -> list[LocalModel]:
    """``found`` with the folder or .gguf file the model in use was loaded from first, where no
    entry holds it already: a model opened from a path of its own is on this computer too."""
    path = Path(in_use).expanduser() if in_use else None
    if path is None or not (path.is_dir() or (path.is_file() and is_gguf_name(path))):
        return found
    if any(_holds(Path(model.location), path) for model in found):
        return found
    kind = "gguf" if path.is_file() else "folder"
    return [LocalModel(in_use, kind, path.name, str(path), *describe_local(path)), *found]


def _holds(location: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(location.resolve())
    except OSError:
        return False


def _describe_bundled(gguf_path: Path, paths: AppPaths) -> tuple[str, int]:
    """Its conversion's config.json names the architecture at once, where it was converted
    already; reading the GGUF's header (every tensor's entry) takes seconds."""
    try:
        folder = converted_folder_for(gguf_path, paths)
        install = install_copy_folder(gguf_path, paths)
        if not (folder / "config.json").is_file() and install is not None:
            folder = install  # only named here: what a start reads is bundled_copy's to say
        architecture = describe_local(folder)[0] if (folder / "config.json").is_file() else ""
        if architecture:
            return architecture, gguf_path.stat().st_size
    except OSError:
        pass
    return describe_local(gguf_path)
