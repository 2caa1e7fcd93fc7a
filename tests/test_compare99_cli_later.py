"""compare99: ``analyse FILE --vs-adapter ID`` took an adapter made after the active one, which the window's
"Compared with" never offers (only earlier ones). Now it is refused in one sentence naming the earlier ones
that may be chosen, before the model loads, as the other wrong IDs are. Real commands through the CLI's entry
point, real SQLite, the tiny model."""

from __future__ import annotations

from desktop_app.cli import main
from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from test_compare94_text_change import TEXT
from tiny_model import random_lora


def three_adapters(tmp_path, tiny_model_dir, active_index: int):
    """(the CLI's common options, the text file, adapters 1 to 3, the one at ``active_index`` active)."""
    data = tmp_path / "appdata"
    paths = AppPaths.resolve(data).ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    with Store.open(paths.db_path) as store:
        made = [adapters.save_adapter(store, random_lora(tiny_model_dir, seed=seed), paths, base_model=loaded.model_id,
                                      run_id=None, parent_id=None, settings={}, metrics={}) for seed in (1, 2, 3)]
        adapters.activate(store, made[active_index])
    text = tmp_path / "river.txt"
    text.write_text(TEXT, encoding="utf-8")
    return ["--data-dir", str(data), "--model", str(tiny_model_dir)], text, made


def test_a_later_adapter_is_refused_naming_the_earlier_ones(tmp_path, tiny_model_dir, capsys):
    common, text, (first, second, third) = three_adapters(tmp_path, tiny_model_dir, active_index=1)
    capsys.readouterr()  # the fixture's own model load
    assert main(["analyse", str(text), "--vs-adapter", str(third), *common]) == 2
    captured = capsys.readouterr()
    said = captured.err.strip()
    assert captured.out == "" and len(said.splitlines()) == 1
    assert f"adapter {third} was made after adapter {second}, the active adapter" in said
    assert f"--vs-adapter {first} (adapter {first}), or --vs-base" in said
    assert "Loading" not in captured.err  # refused before the model loads


def test_with_no_earlier_adapter_only_the_base_model_is_left(tmp_path, tiny_model_dir, capsys):
    common, text, (first, second, _third) = three_adapters(tmp_path, tiny_model_dir, active_index=0)
    assert main(["analyse", str(text), "--vs-adapter", str(second), *common]) == 2
    said = capsys.readouterr().err
    assert f"adapter {second} was made after adapter {first}" in said and "it has none: use --vs-base" in said
