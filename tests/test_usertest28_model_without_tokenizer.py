"""usertest28: a model folder without its tokenizer files (a `model.save_pretrained(folder)` with no
`tokenizer.save_pretrained`) is named as such. transformers 5 builds an empty tokenizer for it, so
every prompt became no tokens and `generate` died with "unexpected error: cannot reshape tensor of
0 elements". The tiny fixture model, the real CLI and the real window."""

from __future__ import annotations

import shutil

import pytest

from desktop_app.core.errors import ModelError
from desktop_app.core.models import TOKENIZER_FILES, check_model_folder, open_model
from desktop_app.core.paths import AppPaths


def _without_tokenizer(tiny_model_dir, tmp_path):
    folder = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_model_dir, folder)
    for path in folder.iterdir():
        if path.name.startswith(("tokenizer", "special_tokens")) or path.name in ("vocab.json", "merges.txt"):
            path.unlink()
    return folder


def test_the_check_names_the_missing_tokenizer(tiny_model_dir, tmp_path):
    check_model_folder(tiny_model_dir)  # the whole folder passes
    assert any((tiny_model_dir / name).exists() for name in TOKENIZER_FILES)
    with pytest.raises(ModelError, match="has no tokenizer .*tokenizer.save_pretrained"):
        open_model(str(_without_tokenizer(tiny_model_dir, tmp_path)), AppPaths.resolve(tmp_path / "d").ensure(),
                   device="cpu", precision="exact")


def test_the_cli_says_it_not_an_unexpected_error(tiny_model_dir, tmp_path, capsys):
    from desktop_app.cli import main

    folder = _without_tokenizer(tiny_model_dir, tmp_path)
    assert main(["--data-dir", str(tmp_path / "d"), "generate", "--model", str(folder), "--device", "cpu", "Hi"]) == 2
    err = capsys.readouterr().err
    assert f"{folder} has no tokenizer" in err and "unexpected" not in err


def test_the_window_keeps_its_model(qtbot, qapp, tiny_model_dir, tmp_path):
    pytest.importorskip("PySide6")
    from gui_windows import WAIT_MS, opened_window

    folder = _without_tokenizer(tiny_model_dir, tmp_path)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        before = window.chat.loaded
        with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
            window.load_model(str(folder))
        shown = window.notices.error.label.text()
        assert window.chat.loaded is before and "has no tokenizer" in shown, shown
