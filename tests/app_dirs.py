"""The folders a test's app reads and writes, all under one folder: data, cache, logs, Qt settings,
the shared cache and the install copy (never the user's own), and the hub offline. Used per test by
conftest's ``isolated_data_dir``, and by a module fixture that makes its runs once, before any
test's own folders are set; ``set_aside`` and ``put_back`` give each test those runs' data folder
as they left it (a real fine-tune costs seconds, a folder copy milliseconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def isolate_app_dirs(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """Point the app's folders into ``folder``; returns its data folder (GPT2_DESK_DATA_DIR)."""
    data = folder / "appdata"
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
    monkeypatch.setenv("GPT2_DESK_SHARED_CACHE", str(folder / "shared-cache"))
    # never the venv's own converted copy (packaging/install.sh makes one): a test converts as it means to
    monkeypatch.setenv("GPT2_DESK_INSTALL_COPY", str(folder / "install-copy"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # a save dialog's first folder (core.paths.documents_folder; the adapter export makes it when it writes there):
    # never the account's own
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder / "Documents"))
    return data


def set_aside(data_dir: Path) -> Path:
    """A copy of ``data_dir`` beside it, as a module's shared runs left it (``put_back`` restores it)."""
    copy = data_dir.with_name(data_dir.name + "-as-made")
    shutil.copytree(data_dir, copy)
    return copy


def put_back(as_made: Path, data_dir: Path) -> None:
    """``data_dir`` as the shared runs left it, at the same place: the store holds the adapters'
    folders by their full paths, and each test may use, delete or add adapters and rows."""
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(as_made, data_dir)
