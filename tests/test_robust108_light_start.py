"""Commands that never load a model start without the heavy libraries (robust108): `adapters list` with the
default model never downloaded had imported huggingface_hub's HfApi (~0.25 s of CPU, half its start) only to
hear from snapshot_download that nothing is cached; the cache's "main" ref is looked at first. And `history`,
`adapters list` and `--help` import neither transformers (whose import reads its own sources, ~0.5 s) nor
torch. A fresh interpreter for each, as a person's shell starts one; an empty hub cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = """
import contextlib, io, json, sys
from desktop_app.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # --help
        code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in ("huggingface_hub.hf_api", "transformers", "torch")
                                           if m in sys.modules]}))
"""


def _start(tmp_path: Path, *argv: str) -> dict:
    env = dict(os.environ, HOME=str(tmp_path / "home"), GPT2_DESK_DATA_DIR=str(tmp_path / "data"),
               HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROGRAM, *argv], env=env, capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_commands_that_load_no_model_import_no_hub_client_transformers_or_torch(tmp_path):
    (tmp_path / "hub").mkdir()
    assert _start(tmp_path, "adapters", "list") == {"code": 0, "loaded": []}
    assert _start(tmp_path, "history") == {"code": 0, "loaded": []}
    assert _start(tmp_path, "--help") == {"code": 0, "loaded": []}


def test_a_cached_snapshot_is_still_found(tmp_path, monkeypatch):
    from huggingface_hub import constants

    from desktop_app.core import model_sources

    repo = tmp_path / "hub" / "models--someone--tiny"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert model_sources.cached_hub_folder("someone/tiny") is None
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot / "model.safetensors").write_bytes(b"")
    assert model_sources.cached_hub_folder("someone/tiny") is None, "no main ref: snapshot_download finds none"
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    assert model_sources.cached_hub_folder("someone/tiny") == snapshot
