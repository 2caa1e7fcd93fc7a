"""User test 16: `gpt2-desk adapters` without --model listed the bundled model's adapters while
--help said the default is gpt2. The help says what the default is (GPT-2 only when it is here or
the hub answers, else the bundled model), and the command names the model it took."""

from __future__ import annotations

from desktop_app.cli import build_parser, main
from desktop_app.core.model_sources import BUNDLED_NAME


def test_help_says_the_default_model_falls_back_to_the_bundled_one():
    text = " ".join(build_parser().format_help().split())
    assert "else the bundled model" in text


def test_adapters_without_model_names_the_default_it_took(capsys):
    # the tests run offline (HF_HUB_OFFLINE) with an empty cache: the default is the bundled model
    assert main(["adapters"]) == 0
    captured = capsys.readouterr()
    assert f"no adapters for bundled:{BUNDLED_NAME}" in captured.out
    assert f"no --model given: {BUNDLED_NAME}" in captured.err and "--all" in captured.err
