"""`gpt2-desk --help` leads to the model's export (usertest 14, finding 3): the top-level list named
`export` for "ratings as TRL training data" only, and `adapters` for "list, activate, deactivate,
roll back or delete", so a person looking for a GGUF file found no command for it."""

from __future__ import annotations

import pytest

from desktop_app.cli import main


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_the_command_list_says_where_the_model_is_exported(capsys):
    text = _help(capsys)
    assert "the model itself: adapters export" in text
    assert "delete, export (GGUF, merged, PEFT) or import adapters" in text


def test_export_help_points_to_adapters_export_for_the_model(capsys):
    text = _help(capsys, "export")
    assert "gpt2-desk adapters export ID --format gguf --out FILE.gguf" in text
    assert "gpt2-desk adapters list" in text
