"""cli42: command-line and core leftovers: ``analyse --vs-base --export-png`` draws the change as
the Text tab exports it. Real commands through the CLI's entry point, real SQLite, the tiny model."""

from __future__ import annotations

from desktop_app.cli import main
from desktop_app.core import adapters
from desktop_app.core.models import open_model
from desktop_app.core.palette import CHANGE_PALETTE
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from tiny_model import random_lora

TEXT = "The quick brown fox jumps over the lazy dog. " * 4


def _colours(path) -> set[tuple[int, int, int]]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull()
    return {image.pixelColor(x, y).getRgb()[:3] for x in range(image.width()) for y in range(image.height())}


def _active_adapter(data, tiny_model_dir) -> int:
    paths = AppPaths.resolve(data).ensure()
    loaded = open_model(str(tiny_model_dir), paths, device="cpu", precision="exact")
    with Store.open(paths.db_path) as store:
        adapter_id = adapters.save_adapter(store, random_lora(tiny_model_dir), paths, base_model=loaded.model_id,
                                           run_id=None, parent_id=None, settings={}, metrics={})
        adapters.activate(store, adapter_id)
    return adapter_id


def test_vs_base_export_png_draws_the_change_colours_and_key(tmp_path, tiny_model_dir, capsys):
    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    data = tmp_path / "appdata"
    common = ["--data-dir", str(data), "--model", str(tiny_model_dir)]
    _active_adapter(data, tiny_model_dir)
    plain, change = tmp_path / "plain.png", tmp_path / "change.png"
    assert main(["analyse", str(text), "--export-png", str(plain), *common]) == 0
    assert main(["analyse", str(text), "--vs-base", "--export-png", str(change), *common]) == 0
    err = capsys.readouterr().err
    assert change.is_file() and "heatmap of the change" in err
    changed, measured = _colours(change), _colours(plain)
    assert changed != measured
    for end in (CHANGE_PALETTE[0], CHANGE_PALETTE[-1]):  # the key's gradient bar: purple .. red
        assert _near(end, changed) and not _near(end, measured)


def _near(colour, colours, within: int = 6) -> bool:
    return any(max(abs(a - b) for a, b in zip(colour, c)) <= within for c in colours)


def test_vs_base_still_refuses_json_and_csv_exports_and_a_bad_png_name(tmp_path, tiny_model_dir, capsys):
    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    common = ["--data-dir", str(tmp_path / "appdata"), "--model", str(tiny_model_dir)]
    assert main(["analyse", str(text), "--vs-base", "--export-csv", str(tmp_path / "x.csv"), *common]) == 2
    assert "--export-csv" in capsys.readouterr().err
    assert main(["analyse", str(text), "--vs-base", "--export-png", str(tmp_path / "x.jpg"), *common]) == 2
    assert "ending in .png" in capsys.readouterr().err
    assert not (tmp_path / "x.jpg").exists()
