"""compare94: ``gpt2-desk analyse FILE --vs-adapter ID`` compares the active adapter with an earlier
one, as --vs-base compares it with the base model: its figures (--json) are the later adapter's
log-probabilities less the earlier one's, computed apart; its words and its PNG's key name both; an
ID that is unknown, the active one, another model's or missing its files is one clear error before
the model loads. Real commands through the CLI's entry point, real SQLite, the tiny model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from test_compare94_text_change import TEXT, logprobs_of_text
from tiny_model import random_lora


@pytest.fixture
def two_adapters(tmp_path, tiny_model_dir):
    """(the data folder, the CLI's common options, adapter 1, adapter 2 (active), the text file)."""
    data = tmp_path / "appdata"
    paths = AppPaths.resolve(data).ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    with Store.open(paths.db_path) as store:
        made = [adapters.save_adapter(store, random_lora(tiny_model_dir, seed=seed), paths, base_model=loaded.model_id,
                                      run_id=None, parent_id=None, settings={}, metrics={}) for seed in (1, 2)]
        adapters.activate(store, made[1])
    text = tmp_path / "river.txt"
    text.write_text(TEXT, encoding="utf-8")
    return data, ["--data-dir", str(data), "--model", str(tiny_model_dir)], made[0], made[1], text


def _folder(data, adapter_id: int) -> Path:
    with Store.open(AppPaths.resolve(data).db_path) as store:
        return Path(store.get_adapter(adapter_id)["path"])


def test_vs_adapter_json_is_the_later_adapters_logprob_less_the_earlier_ones(two_adapters, tiny_model_dir, capsys):
    from transformers import AutoTokenizer

    data, common, first, second, text = two_adapters
    assert main(["analyse", str(text), "--vs-adapter", str(first), "--json", *common]) == 0
    figures = json.loads(capsys.readouterr().out)
    ids = AutoTokenizer.from_pretrained(tiny_model_dir)(TEXT)["input_ids"]
    under_first = logprobs_of_text(tiny_model_dir, _folder(data, first), ids)
    under_second = logprobs_of_text(tiny_model_dir, _folder(data, second), ids)
    assert figures["adapter_id"] == second and figures["compared_with_id"] == first
    assert figures["compared_with"] == f"adapter {first}" and figures["tokens"] == len(ids)
    assert figures["logprob_base"] == pytest.approx(sum(under_first), abs=1e-3)
    assert figures["logprob_adapter"] == pytest.approx(sum(under_second), abs=1e-3)
    assert figures["total_change_nats"] == pytest.approx(sum(under_second) - sum(under_first), abs=1e-3)
    assert abs(figures["total_change_nats"]) > 0.01


def test_vs_adapter_words_and_png_name_both_adapters(two_adapters, tmp_path, capsys):
    from PySide6.QtGui import QImage

    _data, common, first, second, text = two_adapters
    png = tmp_path / "change.png"
    assert main(["analyse", str(text), "--vs-adapter", str(first), "--export-png", str(png), *common]) == 0
    out, err = capsys.readouterr()
    assert f"under your adapter (adapter {second}) than under adapter {first}." in out
    assert f"(adapter {first}) \u2192" in out and "base model" not in out
    assert "heatmap of the change" in err and not QImage(str(png)).isNull()
    assert main(["analyse", str(text), "--vs-base", *common]) == 0  # --vs-base says the base model still
    assert "than under the base model." in capsys.readouterr().out


@pytest.mark.parametrize("case", ["unknown", "active", "other model", "files missing", "both options"])
def test_a_wrong_vs_adapter_is_one_clear_error(two_adapters, capsys, case):
    data, common, first, second, text = two_adapters
    wanted = {"unknown": "there is no adapter 99", "active": "is the active adapter",
              "other model": "was made for someone/else", "files missing": "files are missing",
              "both options": "give one"}[case]
    asked = {"unknown": 99, "active": second}.get(case, first)
    if case == "other model":
        with Store.open(AppPaths.resolve(data).db_path) as store:
            asked = store.add_adapter(str(_folder(data, first)), base_model="someone/else", parent_id=None, run_id=None)
    if case == "files missing":
        shutil.rmtree(_folder(data, first))
    extra = ["--vs-base"] if case == "both options" else []
    assert main(["analyse", str(text), "--vs-adapter", str(asked), *extra, *common]) == 2
    captured = capsys.readouterr()
    assert wanted in captured.err and captured.out == ""
