"""Models already on this computer: the Hugging Face cache and the app's own conversions are
listed with their architecture and size, in `models` and in the model dialog."""

from __future__ import annotations

import shutil

import pytest

from desktop_app.core.local_models import list_local_models
from desktop_app.core.paths import AppPaths


@pytest.fixture
def local_models(tmp_path, tiny_model_dir, monkeypatch):
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    repo = cache / "models--someone--tiny-gpt2"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    shutil.copytree(tiny_model_dir, repo / "snapshots" / ("0" * 40))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    shutil.copytree(tiny_model_dir, paths.converted_models_dir / "mine-abc123")
    return paths


def test_local_models_have_architecture_and_size(local_models, tiny_model_dir):
    found = {m.spec: m for m in list_local_models(local_models)}
    weights = (tiny_model_dir / "model.safetensors").stat().st_size
    hub = found["someone/tiny-gpt2"]
    assert hub.kind == "hub-cache" and hub.architecture == "gpt2" and hub.size_bytes == weights
    converted = found[str(local_models.converted_models_dir / "mine-abc123")]
    assert converted.architecture == "gpt2" and converted.size_bytes == weights and converted.size_text == "0.5 MB"
    if "bundled" in found:  # the offline model's GGUF header names its architecture
        assert found["bundled"].architecture == "llama" and found["bundled"].size_bytes > 50 * 2**20


def test_model_dialog_lists_them(local_models, qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.model_dialog import ModelDialog

    dialog = ModelDialog(local_models)
    qtbot.addWidget(dialog)
    texts = [dialog.local.item(i).text() for i in range(dialog.local.count())]
    assert any(t.startswith("someone/tiny-gpt2") and "downloaded \u00b7 gpt2 \u00b7 0.5 MB" in t for t in texts), texts
    assert any("converted GGUF \u00b7 gpt2" in t for t in texts)


def test_the_bundled_models_conversion_is_not_listed_as_a_model_of_its_own(local_models, tiny_model_dir):
    from desktop_app.core.gguf_conversion import converted_folder_for
    from desktop_app.core.model_sources import BUNDLED_SPEC, bundled_gguf_path

    try:
        cache = converted_folder_for(bundled_gguf_path(), local_models)
    except Exception:
        pytest.skip("no bundled model in this checkout")
    cache = local_models.converted_models_dir / cache.name  # where a data folder keeps its own conversion
    shutil.copytree(tiny_model_dir, cache)
    found = list_local_models(local_models)
    assert str(cache) not in {m.spec for m in found}, "it looked like a second copy of the bundled model"
    assert BUNDLED_SPEC in {m.spec for m in found}
    assert str(local_models.converted_models_dir / "mine-abc123") in {m.spec for m in found}, "others stay"


def test_the_bundled_entry_reads_its_conversions_config_not_the_whole_gguf(local_models, tiny_model_dir):
    """Reading the GGUF's header took ~7 s (every tensor's entry) and made the model dialog slow
    to open; once converted, the conversion's config.json says the architecture."""
    from desktop_app.core.gguf_conversion import converted_folder_for
    from desktop_app.core.model_sources import BUNDLED_SPEC, bundled_gguf_path

    try:
        gguf = bundled_gguf_path()
        cache = converted_folder_for(gguf, local_models)
    except Exception:
        pytest.skip("no bundled model in this checkout")
    cache = local_models.converted_models_dir / cache.name
    shutil.copytree(tiny_model_dir, cache)  # a config.json that says gpt2, where the GGUF says llama
    bundled = {m.spec: m for m in list_local_models(local_models)}[BUNDLED_SPEC]
    assert bundled.architecture == "gpt2" and bundled.size_bytes == gguf.stat().st_size


def test_the_model_dialog_opens_at_once_and_lists_them_from_a_lane(local_models, qtbot):
    import threading

    pytest.importorskip("PySide6")
    from desktop_app.gui.model_dialog import LOOKING, ModelDialog
    from desktop_app.gui.tasks import Lane, Task

    lane, hold = Lane("files"), threading.Event()
    lane.submit(Task(lambda _r, _c: hold.wait(30), "hold the lane"))  # the list waits behind it
    try:
        dialog = ModelDialog(local_models, lane=lane)
        qtbot.addWidget(dialog)
        assert dialog.local.count() == 1 and dialog.local.item(0).text() == LOOKING and not dialog.local.isEnabled()
        with qtbot.waitSignal(dialog.local_found, timeout=30_000):
            hold.set()
        texts = [dialog.local.item(i).text() for i in range(dialog.local.count())]
        assert dialog.local.isEnabled() and any(t.startswith("someone/tiny-gpt2") for t in texts), texts
    finally:
        hold.set()
        lane.shutdown()


def test_a_dialog_deleted_before_its_list_came_is_left_alone(local_models, qtbot):
    import threading

    pytest.importorskip("PySide6")
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktop_app.gui.model_dialog import ModelDialog
    from desktop_app.gui.tasks import Lane, Task

    lane, hold = Lane("files"), threading.Event()
    lane.submit(Task(lambda _r, _c: hold.wait(30), "hold the lane"))
    try:
        dialog = ModelDialog(local_models, lane=lane)
        dialog.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone, as after a closed dialog
        hold.set()
        assert lane.wait(30)
        qtbot.wait(50)  # the list's callback runs now: it must not touch the deleted widgets (Qt errors fail)
    finally:
        hold.set()
        lane.shutdown()


@pytest.mark.parametrize("first", ["general.architecture", "general.name"])
def test_gguf_architecture_reads_the_header_past_other_pairs(tmp_path, first):
    """The listing reads the architecture from the first key-value pairs; a file whose pairs
    start otherwise (here a name, then a number) are read past, to the same answer."""
    from gguf import GGUFWriter

    from desktop_app.core.gguf_conversion import gguf_architecture
    from desktop_app.core.local_models import describe_local

    path = tmp_path / "m.gguf"
    writer = GGUFWriter(str(path), arch="qwen2")  # writes the architecture first
    if first != "general.architecture":
        architecture = writer.kv_data[0].pop("general.architecture")
        writer.add_name("a model")
        writer.add_uint32("some.count", 3)
        writer.kv_data[0]["general.architecture"] = architecture
    writer.add_tensor("w", __import__("numpy").zeros((2, 2), dtype="float32"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert gguf_architecture(path) == "qwen2"
    assert describe_local(path) == ("qwen2", path.stat().st_size)
