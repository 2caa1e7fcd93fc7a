"""cliwords71: a new user of the command line. `history ID --export` and `export --out` wrote over an existing file
in silence where `adapters export` refuses one; `adapters delete` of the active adapter did not name the command that
switches; `probe` said "Putting on your fine-tuned adapter..." and then read a base-model answer with the base model;
`finetune` in a terminal said "training paused: measuring 1 of 3" with no word of the steps run before it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.cli.finetune_cmds import _Bar
from desktop_app.core import adapters
from desktop_app.core.model_export import ExportError, _check_target
from desktop_app.core.model_sources import resolve_spec
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.training import TrainProgress
from tiny_model import random_lora

EXISTS = "already exists; choose another name or remove it first."


def _rated_conversation(db: str) -> int:
    with Store.open(db) as store:
        cid = store.create_conversation("Q")
        question = store.add_message(cid, "user", "What is the capital of France?")
        answer = store.add_message(cid, "assistant", "Paris.", parent_id=question)
        store.rate_message(answer, 1)
    return cid


def _kept(path: Path) -> Path:
    path.write_text("mine, not to be lost\n", encoding="utf-8")
    return path


def test_history_export_refuses_an_existing_file_in_adapters_exports_words(tmp_path, capsys):
    db = str(tmp_path / "h.sqlite3")
    cid = _rated_conversation(db)
    existing = _kept(tmp_path / "chat.json")
    assert main(["--db", db, "history", str(cid), "--export", str(existing)]) == 2
    assert capsys.readouterr().err.strip().endswith(f"{existing} {EXISTS}")
    assert existing.read_text(encoding="utf-8") == "mine, not to be lost\n"
    with pytest.raises(ExportError, match=EXISTS):  # adapters export's own refusal: the same words
        _check_target(existing)
    assert main(["--db", db, "history", str(cid), "--export", str(tmp_path / "new.json")]) == 0
    assert json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))


def test_export_out_refuses_an_existing_file(tmp_path, capsys):
    db = str(tmp_path / "e.sqlite3")
    _rated_conversation(db)
    existing = _kept(tmp_path / "ratings.jsonl")
    assert main(["--db", db, "export", "--format", "kto", "--out", str(existing)]) == 2
    assert f"{existing} {EXISTS}" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "mine, not to be lost\n"
    assert main(["--db", db, "export", "--format", "kto", "--out", str(tmp_path / "new.jsonl")]) == 0
    assert (tmp_path / "new.jsonl").read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.parametrize("argv", [["history", "--help"], ["export", "--help"]])
def test_the_help_says_an_existing_file_is_not_replaced(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert "one that exists is not replaced" in " ".join(capsys.readouterr().out.split())


def _active_lora(tiny_model_dir) -> int:
    paths = AppPaths.resolve().ensure()
    model_id = resolve_spec(str(tiny_model_dir)).model_id
    with Store.open(paths.db_path) as store:
        adapter_id = adapters.save_adapter(store, random_lora(tiny_model_dir), paths, base_model=model_id,
                                           run_id=None, parent_id=None, settings={}, metrics={"imported": True})
        adapters.activate(store, adapter_id, model_id)
    return adapter_id


def test_deleting_the_active_adapter_names_the_command_that_switches(run_cli, tiny_model_dir):
    adapter_id = _active_lora(tiny_model_dir)
    code, _out, err = run_cli("adapters", "delete", str(adapter_id))
    assert code == 2
    assert f"(gpt2-desk adapters deactivate --model {tiny_model_dir})" in err
    assert "gpt2-desk adapters activate ID" in err
    code, _out, err = run_cli("adapters", "deactivate")
    assert code == 0, err
    assert run_cli("adapters", "delete", str(adapter_id))[0] == 0  # what the words said, done, works


def _saved_answer(run_cli) -> int:
    code, out, err = run_cli("generate", "--json", "--max-new-tokens", "4", "--seed", "3", "--save", "Hi")
    assert code == 0, err
    return json.loads(out)["message_id"]


def test_probe_of_a_base_model_answer_does_not_put_on_the_adapter(run_cli, tiny_model_dir):
    by_base = _saved_answer(run_cli)
    adapter_id = _active_lora(tiny_model_dir)
    code, out, err = run_cli("probe", str(by_base), "Paris", "--token", "1")
    assert code == 0, err
    assert "Putting on your fine-tuned adapter" not in err
    header, note = out.splitlines()[:2]
    assert header.endswith(", the base model):")
    assert f"adapter {adapter_id}, the active one, was not put on" in note
    by_adapter = _saved_answer(run_cli)  # written with the adapter: read with it, and said
    code, out, err = run_cli("probe", str(by_adapter), "Paris", "--token", "1")
    assert code == 0, err
    assert "Putting on your fine-tuned adapter" in err
    assert out.splitlines()[0].endswith(f", adapter {adapter_id}):") and "not put on" not in out


@pytest.mark.parametrize("terminal", [False, True])
def test_the_pause_to_measure_follows_a_line_of_the_steps_run(terminal, monkeypatch, capsys):
    """A terminal's bar goes as it closes, a log says each tenth of 100 steps: either way the last step run is said
    before "training paused"."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    bar = _Bar(quiet=False)
    bar(TrainProgress("training", step=0, total=100, message="Taking the first training step"))
    for step in (1, 2):
        bar(TrainProgress("training", step=step, total=100, loss=0.5, kl=0.01))
    bar(TrainProgress("evaluating", message="Measuring your current model, to compare the result with",
                      training_follows=True))
    lines = [line.strip() for line in capsys.readouterr().err.splitlines() if line.strip()]
    paused = next(i for i, line in enumerate(lines) if line.startswith("training paused: measuring"))
    assert lines[paused - 1].startswith("training: step 2 of 100, loss 0.5000")
    assert bar.bar is None, "the steps' bar closed at the pause"
