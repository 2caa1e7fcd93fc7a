"""Train elsewhere and bring it back: `export --trl-script` writes a TRL script beside the
dataset, the script trains two steps on the tiny model on the CPU, and `adapters import`
checks, judges and records the adapter it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop_app.cli import main
from desktop_app.core import adapters
from desktop_app.core.adapter_import import AdapterImportError, import_adapter
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_schedule import plan
from test_training_data import add_answer

QUESTIONS = ["Hello, how are you?", "What is the capital of France?", "Tell me about the fox.",
             "Numbers please", "Say something in French"]


@pytest.fixture
def rated(tmp_path, tiny_model_dir):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(tiny_model_dir), paths, device="cpu")
    for i, question in enumerate(QUESTIONS):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=i)
        store.rate_message(mid, 1 if i % 2 == 0 else -1)
        if i == 1:
            store.set_correction(mid, "The capital of France is Paris.")
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    yield store, paths, loaded, common
    store.close()


def _train(tmp_path, tiny_model_dir, common, fmt):
    data = tmp_path / "cluster" / f"ratings-{fmt}.jsonl"
    data.parent.mkdir()
    assert main(["export", "--format", fmt, "--out", str(data), "--trl-script", "train.py", *common]) == 0
    script = data.parent / "train.py"
    text = script.read_text()
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    schedule = plan(len(rows), liked=sum(r.get("label") is True for r in rows),
                    disliked=sum(r.get("label") is False for r in rows))
    assert "accelerate launch" in text and "'target_modules': 'all-linear'" in text
    assert f"'lr': {schedule.lr!r}" in text and f"'updates': {schedule.updates}" in text  # the app's own rule
    assert f"'batch_size': {schedule.batch_size}" in text
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    run = subprocess.run([sys.executable, str(script), "--model", str(tiny_model_dir), "--max-steps", "2", "--cpu",
                          "--batch-size", "2", "--output-dir", str(tmp_path / "run")],
                         cwd=data.parent, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    adapter = tmp_path / "run" / "adapter"
    assert (adapter / "adapter_model.safetensors").is_file() and (adapter / "adapter_config.json").is_file()
    assert "loss" in run.stdout + run.stderr  # it logged its training steps
    return adapter


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_trl_script_trains_and_the_adapter_comes_back(rated, tmp_path, tiny_model_dir, capsys, fmt):
    store, paths, loaded, common = rated
    adapter = _train(tmp_path, tiny_model_dir, common, fmt)
    capsys.readouterr()
    assert main(["adapters", "import", str(adapter), "--json", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["advice"] in ("keep", "discard") and out["reason"] and not out["active"]
    m = out["metrics"]
    assert m["imported"] and m["data_thumbs_up"] == 3 and m["margin_before"] is not None
    assert m["probe_ppl_before"] > 0 and m["reask_count"] >= 1
    row = store.get_adapter(out["adapter_id"])
    assert row["base_model"] == loaded.model_id and row["settings"]["imported_from"] == str(adapter.resolve())
    assert adapters.list_adapters(store, loaded.model_id)[-1]["present"]
    rated_ids = {r["message_id"] for r in store.ratings()}
    rescored = [s for mid in rated_ids for s in store.record_sets(mid) if s["adapter_id"] == out["adapter_id"]]
    assert len(rescored) == len(rated_ids)  # the compare view has the imported adapter's records
    assert main(["adapters", "activate", str(out["adapter_id"]), *common]) == 0
    assert store.active_adapter(loaded.model_id)["id"] == out["adapter_id"]


def test_import_refuses_pickles_other_bases_and_misfits(rated, tmp_path, tiny_model_dir):
    from test_model_export import _lora
    from tiny_model import build_tiny_llama

    store, paths, loaded, _common = rated
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA"}))
    (pickled / "adapter_model.bin").write_bytes(b"not really")
    with pytest.raises(AdapterImportError, match="pickle"):
        import_adapter(store, paths, loaded, pickled)
    ours = tmp_path / "ours"
    _lora(tiny_model_dir).save_pretrained(ours)
    config = json.loads((ours / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "meta-llama/Llama-3.1-8B"
    (ours / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(AdapterImportError, match="trained for meta-llama/Llama-3.1-8B"):
        import_adapter(store, paths, loaded, ours)
    llama = build_tiny_llama(tmp_path / "llama", tiny_model_dir)
    theirs = tmp_path / "theirs"
    _lora(llama).save_pretrained(theirs)
    with pytest.raises(AdapterImportError, match="does not fit"):
        import_adapter(store, paths, loaded, theirs, any_base=True)
    assert store.list_adapters() == [] and not any(paths.adapters_dir.glob("imported-*"))


def test_trl_script_needs_the_dataset_beside_it(rated, tmp_path, capsys):
    _store, _paths, _loaded, common = rated
    assert main(["export", "--format", "kto", "--trl-script", "train.py", *common]) == 2
    assert "--trl-script needs --out" in capsys.readouterr().err
    (tmp_path / "train.py").write_text("# mine\n")
    assert main(["export", "--format", "kto", "--out", str(tmp_path / "r.jsonl"), "--trl-script", "train.py",
                 *common]) == 2
    assert "already exists" in capsys.readouterr().err and (tmp_path / "train.py").read_text() == "# mine\n"
    assert not (tmp_path / "r.jsonl").exists()  # refused before anything was written
