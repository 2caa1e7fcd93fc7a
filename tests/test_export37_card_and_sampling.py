"""An export says which update's weights it holds (the guard may keep an earlier one than
planned), and carries the app's sampling settings: in the merged folder's
generation_config.json and in the Ollama Modelfile beside a Llama-style GGUF."""

from __future__ import annotations

import json

import pytest
import torch

from desktop_app.core import adapters, model_export
from desktop_app.core.generation import recommended_sampling
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from tiny_model import build_tiny_llama, random_lora

# The user test's run: 12 examples at batch 3, 27 updates planned (6.75 epochs); the guard
# stopped training at update 20 and kept the weights of update 18.
GUARDED = {"schedule": {"examples": 12, "batch_size": 3, "updates": 27, "lr": 5e-4, "epochs": 6.75, "rule": "auto"},
           "steps": 20, "guard": {"ppl_before": 40.0, "checks": [[10, 40.2], [20, 41.5]], "kept_step": 18}}
SETTINGS = {"lora_r": 8, "lora_alpha": 16, "target_modules": "all-linear", "lr": None, "epochs": None,
            "batch_size": None}


def _store_with_adapter(tmp_path, folder, metrics):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(folder), paths, device="cpu", precision="exact")
    run = store.create_run({"lora_r": 4}, loaded.model_id)
    aid = adapters.save_adapter(store, random_lora(folder, 1, std=0.3), paths, base_model=loaded.model_id,
                                run_id=run, parent_id=None, settings=SETTINGS, metrics=metrics)
    return paths, store, aid


def _training_line(card: str) -> str:
    lines = card.splitlines()
    return lines[lines.index("## Training settings") + 2]


def test_peft_card_gives_the_kept_update_and_its_epochs(tmp_path, tiny_model_dir):
    paths, store, aid = _store_with_adapter(tmp_path, tiny_model_dir, GUARDED)
    out = tmp_path / "peft"
    model_export.export_adapter(store, aid, "peft", out, paths)
    line = _training_line((out / "README.md").read_text(encoding="utf-8"))
    store.close()
    assert "updates=18 (kept update 18 of 27 planned; the guard stopped training at 20)" in line
    assert "epochs=4.5 (auto schedule)" in line  # 18 updates x 3 / 12 examples, not the planned 6.75
    assert "updates=27" not in line and "6.75" not in line


def test_card_when_the_guard_kept_every_planned_update_or_there_was_no_guard():
    whole = {**GUARDED, "steps": 27, "guard": {**GUARDED["guard"], "kept_step": 27}}
    for metrics in (whole, {"schedule": GUARDED["schedule"], "steps": 27}):
        line = _training_line(model_export.model_card({"id": 1, "base_model": "tiny", "settings": SETTINGS,
                                                       "metrics": metrics}, "peft"))
        assert "updates=27, batch_size=3, lr=5e-04, epochs=6.75 (auto schedule)" in line and "kept" not in line


def test_card_after_a_step_back_with_every_update_made():
    stepped = {**GUARDED, "steps": 27, "guard": {**GUARDED["guard"], "kept_step": 16}}
    line = _training_line(model_export.model_card({"id": 1, "base_model": "tiny", "settings": SETTINGS,
                                                   "metrics": stepped}, "merged"))
    assert "updates=16 (kept update 16 of 27 planned)," in line and "epochs=4.0 (auto schedule)" in line


def test_merged_export_samples_as_the_app_does(tmp_path, tiny_model_dir):
    from transformers import AutoModelForCausalLM, GenerationConfig

    paths, store, aid = _store_with_adapter(tmp_path, tiny_model_dir, GUARDED)
    out = tmp_path / "merged"
    model_export.export_adapter(store, aid, "merged", out, paths)
    store.close()
    saved = json.loads((out / "generation_config.json").read_text())
    assert saved["do_sample"] is True
    assert (saved["temperature"], saved["top_k"], saved["top_p"], saved["min_p"], saved["repetition_penalty"]) == (
        0.4, 50, 0.95, 0.1, 1.1)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
    assert model.generation_config.do_sample and model.generation_config.min_p == 0.1
    assert GenerationConfig.from_pretrained(out).temperature == 0.4
    assert "kept update 18 of 27 planned" in (out / "README.md").read_text(encoding="utf-8")


def test_merged_export_takes_the_persons_settings_and_greedy(tmp_path, tiny_model_dir):
    paths, store, aid = _store_with_adapter(tmp_path, tiny_model_dir, {})
    model_export.export_adapter(store, aid, "merged", tmp_path / "mine", paths,
                                sampling=recommended_sampling(temperature=0.7, top_k=20))
    model_export.export_adapter(store, aid, "merged", tmp_path / "greedy", paths,
                                sampling=recommended_sampling(greedy=True))
    store.close()
    mine = json.loads((tmp_path / "mine" / "generation_config.json").read_text())
    assert mine["do_sample"] is True and mine["temperature"] == 0.7 and mine["top_k"] == 20
    greedy = json.loads((tmp_path / "greedy" / "generation_config.json").read_text())
    assert not greedy.get("do_sample", False) and greedy["repetition_penalty"] == 1.1


@pytest.fixture(scope="module")
def tiny_llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


def test_modelfile_carries_the_apps_sampling(tmp_path, tiny_llama_dir):
    paths, store, aid = _store_with_adapter(tmp_path, tiny_llama_dir, GUARDED)
    out = tmp_path / "llama.gguf"
    model_export.export_adapter(store, aid, "gguf", out, paths, sampling=recommended_sampling(top_p=0.9))
    store.close()
    lines = out.with_suffix(".Modelfile").read_text().splitlines()
    assert {"PARAMETER temperature 0.4", "PARAMETER top_k 50", "PARAMETER top_p 0.9", "PARAMETER min_p 0.1",
            "PARAMETER repeat_penalty 1.1", 'PARAMETER stop "<|im_end|>"'} <= set(lines)
    assert lines[1] == "FROM ./llama.gguf"


def test_transcript_modelfile_carries_the_sampling_too(tiny_model_dir):
    """A model without a chat template gets the transcript template, and the same PARAMETER lines."""
    from transformers import AutoTokenizer

    from desktop_app.core.ollama import modelfile_for

    text = modelfile_for("m.gguf", AutoTokenizer.from_pretrained(tiny_model_dir))
    assert 'PARAMETER stop "\\nUser:"' in text and "PARAMETER temperature 0.4\n" in text
    assert "PARAMETER repeat_penalty 1.1\n" in text and text.count("PARAMETER min_p") == 1
