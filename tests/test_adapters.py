"""Adapter versions: atomic folder write, list/activate/deactivate/rollback/delete, attaching
to a loaded model without reloading the base, and the CLI over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from desktop_app.core import adapters
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.scoring import score_ids
from desktop_app.core.store import Store, StoreError
from tiny_model import random_lora


@pytest.fixture
def env(tmp_path, tiny_model_dir):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(tiny_model_dir), paths, device="cpu")
    yield store, paths, loaded
    store.close()


def _save(store, paths, loaded, tiny_model_dir, seed, parent=None):
    return adapters.save_adapter(store, random_lora(tiny_model_dir, seed), paths, base_model=loaded.model_id, run_id=None,
                                 parent_id=parent, settings={"seed": seed}, metrics={"margin_after": 1.0})


def test_atomic_write_leaves_nothing_half_written(env, tiny_model_dir, monkeypatch):
    store, paths, loaded = env
    model = random_lora(tiny_model_dir, 0)
    original = type(model).save_pretrained

    def crash(self, folder, **kwargs):
        original(self, folder, **kwargs)  # files are written, then the process "dies" before the rename
        raise OSError("disk full")

    monkeypatch.setattr(type(model), "save_pretrained", crash)
    with pytest.raises(OSError):
        adapters.save_adapter(store, model, paths, base_model=loaded.model_id, run_id=None, parent_id=None,
                              settings={}, metrics={})
    assert list(paths.adapters_dir.iterdir()) == [] and store.list_adapters() == []
    monkeypatch.undo()
    aid = adapters.save_adapter(store, model, paths, base_model=loaded.model_id, run_id=None, parent_id=None,
                                settings={}, metrics={})
    folder = Path(store.get_adapter(aid)["path"])
    assert {p.name for p in folder.iterdir()} >= {"adapter_config.json", "adapter_model.safetensors",
                                                  adapters.META_FILE}
    assert json.loads((folder / adapters.META_FILE).read_text())["base_model"] == loaded.model_id
    assert not any(p.name.startswith(adapters.STAGING_PREFIX) for p in paths.adapters_dir.iterdir())
    stale = paths.adapters_dir / ".tmp-run9-x"
    stale.mkdir()
    assert adapters.cleanup_staging(paths, older_than_s=0) == [stale] and folder.exists()


def test_activate_deactivate_rollback_delete(env, tiny_model_dir):
    store, paths, loaded = env
    a1 = _save(store, paths, loaded, tiny_model_dir, 1)
    a2 = _save(store, paths, loaded, tiny_model_dir, 2, parent=a1)
    a3 = _save(store, paths, loaded, tiny_model_dir, 3, parent=a2)
    base = loaded.model_id
    assert [r["id"] for r in adapters.list_adapters(store, base)] == [a1, a2, a3]
    adapters.activate(store, a3, base)
    assert store.active_adapter(base)["id"] == a3
    assert adapters.rollback(store, base)["id"] == a2  # to the parent
    assert adapters.rollback(store, base, to=a1)["id"] == a1  # to any earlier one
    with pytest.raises(adapters.AdapterError, match="nothing to roll back to"):  # a1 has no parent: as the window
        adapters.rollback(store, base)
    assert store.active_adapter(base)["id"] == a1  # refused: nothing changed
    adapters.activate(store, a2, base)
    with pytest.raises(StoreError):
        adapters.delete(store, a2)  # the active one is refused
    path3 = Path(store.get_adapter(a3)["path"])
    adapters.delete(store, a3)
    assert not path3.exists() and [r["id"] for r in store.list_adapters()] == [a1, a2]
    adapters.deactivate(store, base)
    assert store.active_adapter(base) is None
    with pytest.raises(adapters.AdapterError):
        adapters.activate(store, a1, "some-other-model")
    import shutil

    shutil.rmtree(store.get_adapter(a1)["path"])
    assert [r["present"] for r in adapters.list_adapters(store)] == [False, True]
    with pytest.raises(adapters.AdapterError):
        adapters.activate(store, a1, base)


def test_attach_switch_detach_without_reloading_base(env, tiny_model_dir):
    store, paths, loaded = env
    a1 = _save(store, paths, loaded, tiny_model_dir, 1)
    a2 = _save(store, paths, loaded, tiny_model_dir, 2, parent=a1)
    prompt, target = [5, 6, 7, 8], [9, 10, 11, 12]

    def logprobs():
        return [round(r.logprob, 5) for r in score_ids(loaded, prompt, target)]

    base_lp = logprobs()
    embedding = loaded.model.get_input_embeddings().weight
    assert adapters.attach_active(loaded, store) is None and loaded.adapter_id is None
    adapters.switch_to(loaded, store, a1)
    assert loaded.adapter_id == a1 and store.active_adapter(loaded.model_id)["id"] == a1
    lp1 = logprobs()
    assert lp1 != base_lp
    adapters.switch_to(loaded, store, a2)
    lp2 = logprobs()
    assert lp2 not in (lp1, base_lp) and list(loaded.model.peft_config) == [f"a{a2}"]
    assert loaded.model.get_input_embeddings().weight is embedding  # same base weights object
    gen = generate(loaded, prompt, SamplingSettings(max_new_tokens=5, greedy=True))  # generation runs on PEFT
    assert len(gen.records) >= 1
    adapters.switch_to(loaded, store, a1)
    assert logprobs() == lp1  # switching back reproduces the adapter exactly
    adapters.switch_to(loaded, store, None)
    assert loaded.adapter_id is None and logprobs() == base_lp and store.active_adapter(loaded.model_id) is None
    # attach_active follows the store
    store.set_active_adapter(a2, loaded.model_id)
    assert adapters.attach_active(loaded, store)["id"] == a2 and logprobs() == lp2


def test_cli_adapters_and_finetune_json(env, tiny_model_dir, capsys, tmp_path):
    from desktop_app.cli import main
    from test_training_data import add_answer

    store, paths, loaded = env
    a1 = _save(store, paths, loaded, tiny_model_dir, 1)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir), "--device", "cpu"]
    assert main(["adapters", "list", *common]) == 0
    assert f"{a1:>4}" in capsys.readouterr().out
    assert main(["adapters", "activate", str(a1), *common]) == 0
    assert store.active_adapter(loaded.model_id)["id"] == a1
    assert main(["adapters", "deactivate", *common]) == 0
    assert store.active_adapter(loaded.model_id) is None
    capsys.readouterr()
    assert main(["finetune", "--json", *common]) == 2  # nothing rated yet
    assert "No ratings yet" in capsys.readouterr().err
    _c, _u, mid, _p = add_answer(store, loaded, "Hello, how are you?", seed=3)
    store.rate_message(mid, 1)
    assert main(["finetune", "--json", "--max-steps", "10", "--lr", "0.003", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"run_id", "kept", "adapter_id", "metrics"} <= set(out)
    assert {"margin_before", "margin_after", "probe_ppl_before", "probe_ppl_after"} <= set(out["metrics"])
    # the before/after pairs: the rated question, then questions training never saw
    taught = out["taught"]
    assert taught[0] == {**taught[0], "question": "Hello, how are you?", "seen": True}
    assert [t["seen"] for t in taught[1:]] and not any(t["seen"] for t in taught[1:])
    assert all(isinstance(t["before"], str) and isinstance(t["after"], str) for t in taught)
    assert [t["open"] for t in taught].count(True) == 1 and taught[-1]["open"]  # an open request, last
    # each pair says whether it lost its fact (answer_checks.drops_answer), held to the person's liked answer when rated
    assert all(isinstance(t[k], bool) for t in taught for k in ("dropped_after", "changed_after", "checked"))
    assert taught[0]["right"] and {"reask_dropped_before", "reask_dropped_after"} <= set(out["metrics"])
    if out["kept"]:
        assert store.active_adapter(loaded.model_id)["id"] == out["adapter_id"]
        assert main(["generate", "hi", "--max-new-tokens", "3", "--json", *common]) == 0
        assert json.loads(capsys.readouterr().out)["adapter_id"] == out["adapter_id"]
        assert main(["adapters", "delete", str(a1), *common]) == 0


def test_cli_rollback_says_what_activate_says(env, tiny_model_dir, capsys):
    """A rollback said "Adapter 1 is active", an activate "Adapter 1 is active for MODEL" (usertest27)."""
    from desktop_app.cli import main

    store, paths, loaded = env
    a1 = _save(store, paths, loaded, tiny_model_dir, 1)
    a2 = _save(store, paths, loaded, tiny_model_dir, 2, parent=a1)
    common = ["--data-dir", str(paths.data_dir), "--model", str(tiny_model_dir)]
    assert main(["adapters", "activate", str(a2), *common]) == 0
    activated = capsys.readouterr().out.strip()
    assert main(["adapters", "rollback", *common]) == 0
    rolled_back = capsys.readouterr().out.strip()
    assert activated.endswith(f"is active for {loaded.model_id}")
    assert rolled_back.endswith(f"is active for {loaded.model_id}") and rolled_back != activated
