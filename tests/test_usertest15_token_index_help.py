"""usertest15: `rate --token` and `explain --token` count from 0 where the window says "token 1"
for the first token: their help says how the two numbers meet."""

from __future__ import annotations

import pytest

from desktop_app.cli import build_parser

WINDOW_WORDS = "the window's \u201ctoken 5\u201d is --token 4"


@pytest.mark.parametrize("command", ["rate", "explain"])
def test_the_token_option_says_how_the_windows_number_maps_to_it(command, capsys):
    """User test 15 read "Token 2 “␣the”: bad" in the status bar for the second token; `rate ID down
    --token 2` rates the third."""
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert WINDOW_WORDS in help_text, help_text
