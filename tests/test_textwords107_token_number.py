"""textwords107: the inspector says "Token 66" while Copy figures' JSON said only "index": 65 (from 0, as scripts
read it). The JSON keeps "index" and adds "token_number", 66, and the status bar says token 66 with both.
pytest-qt, the real inspector in a real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_usertest30_copy_figures_said import copy_figures_of_token  # noqa: E402


def test_copied_figures_carry_the_inspectors_token_number(qtbot):
    from desktop_app.core.text_notes import token_place_words

    assert token_place_words(65, 120, False).startswith("Token 66 of 120")  # what the Text inspector says above it
    copied, said = copy_figures_of_token(qtbot, 65)
    assert copied["token_number"] == 66 and copied["index"] == 65
    assert list(copied)[:3] == ["index", "token_number", "id"]
    assert said.startswith("Copied the figures of token 66, "), said
    assert "\"token_number\" 66" in said and "\"index\" 65 counts from 0" in said
