"""The terminal commands' small defects from issue 15 (item 13): real commands on the tiny model."""

from __future__ import annotations

import io
import sys

from desktop_app.cli import main


def test_chat_puts_a_space_after_model(tiny_model_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Hello\n\n"))
    assert main(["chat", "--model", str(tiny_model_dir), "--max-new-tokens", "3", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Model: " in out and "Model:" + out.split("Model:", 1)[1][:1] == "Model: "


def test_models_shows_short_names_in_columns(tmp_path, capsys):
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve().ensure()
    folder = paths.converted_models_dir / "SmolLM2-135M-Instruct.Q4_1-0123456789ab"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"")
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if "NAME" in line)
    row = next(line for line in lines if "0123456789ab" in line)
    assert row.split()[0] == folder.name, "the name column holds the name, not the whole path"
    assert row.index("converted") == header.index("KIND"), "the columns line up"
    assert row.rstrip().endswith(str(folder)), "the path comes last, as what --model takes"


def test_score_piped_prints_every_token(tiny_model_dir, capsys):
    assert main(["score", "The cat sat on the mat", "--model", str(tiny_model_dir)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    header = lines.index("index\ttoken\tprobability\tlog_probability\trank\tentropy_bits")
    rows = [line.split("\t") for line in lines[header + 1:] if line]
    assert len(rows) >= 4 and [int(r[0]) for r in rows] == list(range(len(rows)))
    assert all(r[2].endswith("%") and 0.0 <= float(r[2].lstrip("<").rstrip("%")) <= 100.0 and int(r[4]) >= 1
               for r in rows)  # in per cent, as history --tokens says it (cliwords74)
    assert rows[0][1].strip("'\"") == "The"  # the first word is scored too (after <|endoftext|>)
    assert "--json" in captured.err


def test_score_on_a_terminal_prints_a_colour_key(tiny_model_dir, capsys, monkeypatch):
    from desktop_app.cli import model_cmds

    monkeypatch.setattr(model_cmds, "use_colour", lambda _stream: True)
    assert main(["score", "The cat sat", "--model", str(tiny_model_dir)]) == 0
    captured = capsys.readouterr()
    assert "probability of each token:" in captured.err and "\x1b[48;2;" in captured.err
    assert "  0% " in captured.err and "100% " in captured.err
    assert "index\ttoken" not in captured.out


def test_the_bundled_conversion_is_shared_across_data_folders(tmp_path, monkeypatch):
    from desktop_app.core.gguf_conversion import converted_folder_for
    from desktop_app.core.model_sources import BUNDLED_NAME, bundled_gguf_path
    from desktop_app.core.paths import AppPaths

    gguf = bundled_gguf_path()  # the bundled file itself: one of its name elsewhere is a person's own
    monkeypatch.setenv("GPT2_DESK_SHARED_CACHE", str(tmp_path / "user-cache"))
    one, two = AppPaths.resolve(tmp_path / "one").ensure(), AppPaths.resolve(tmp_path / "two").ensure()
    assert converted_folder_for(gguf, one) == converted_folder_for(gguf, two)
    assert converted_folder_for(gguf, one).parent == tmp_path / "user-cache" / "converted"
    own = one.converted_models_dir / converted_folder_for(gguf, one).name  # made before the change
    own.mkdir(parents=True)
    (own / "model.safetensors").write_bytes(b"")
    assert converted_folder_for(gguf, one) == own, "a conversion already in the data folder is used"
    user_file = tmp_path / f"{BUNDLED_NAME}.Q4_1.gguf"  # its name, not its file
    user_file.write_bytes(b"GGUF")
    assert converted_folder_for(user_file, one).parent == one.converted_models_dir, "the user's own stay put"


def test_a_bar_on_a_pipe_is_one_line_not_redraws(capsys):
    from desktop_app.cli.common import stderr_bar

    bar = stderr_bar("converting", 100)
    for _ in range(100):
        bar.update(1)
    bar.close()
    err = capsys.readouterr().err
    assert err == "converting...\n", "a log file gets one line, not carriage-return redraws"


def test_finetune_without_ratings_says_so_before_loading_a_copy(tiny_model_dir, capsys):
    assert main(["finetune", "--model", str(tiny_model_dir)]) == 2
    err = capsys.readouterr().err
    assert "No ratings yet" in err
    assert "separate copy" not in err, "nothing is loaded when there is nothing to learn from"


def test_chat_takes_help_and_quit_as_commands_not_prompts(tiny_model_dir, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("/help\n/quit\nnever asked\n"))
    assert main(["chat", "--model", str(tiny_model_dir), "--max-new-tokens", "3", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert "Model:" not in captured.out, "neither line went to the model"
    assert captured.err.count("/quit or Ctrl+D quits") == 2  # the banner, then /help


def test_finetune_help_explains_every_option(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["finetune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--lora-r R LoRA rank", "--beta B how far", "--seed N the seed"):
        assert option in text
