"""Leftover of the user tests: at 1024 px wide the Chat prompt row's buttons were icons only (Settings and
Regenerate; the model button too). Tighter padding comes before any word goes, so at 1024 they keep their
words; where the row is truly too narrow they are icons, each with its words as accessible name and a
tooltip (pytest-qt, the tiny model, the real window)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401

BUNDLED_NAME = "SmolLM2-135M-Instruct (bundled, offline)"
WORDS = ["Settings", "Regenerate", "Stop", "Send"]


def _settle(rounds: int = 4) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def _row(window):
    area = window.prompt_area
    return area, [area.settings_button, area.regenerate_button, area.stop_button, area.send_button]


@pytest.mark.parametrize("height", [768, 600])
def test_at_1024_px_the_prompt_rows_buttons_keep_their_words(make_window, height):
    window = make_window()
    window.resize(1024, height)
    window.prompt_area.set_model_name(BUNDLED_NAME)
    _settle()
    area, buttons = _row(window)
    assert window.width() == 1024
    assert [b.text() for b in buttons] == WORDS, "at 1024 px they were icons"
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), f"{button.text()} is cut"
        assert button.geometry().right() <= area.width()


def test_where_the_row_is_too_narrow_an_icon_still_says_what_it_does(make_window):
    window = make_window()
    window.resize(1024, 768)
    window.prompt_area.set_model_name(BUNDLED_NAME)
    area, buttons = _row(window)
    area.setFixedWidth(300)  # narrower than any window leaves it: the icons alone
    _settle()
    assert [b.text() for b in buttons] == ["", "", "", ""]
    for button, words in zip(buttons, WORDS):
        assert button.accessibleName() == words and button.toolTip(), words
    model = window.model_button
    assert model.accessibleName() == "Model: SmolLM2-135M-Instruct" and BUNDLED_NAME in model.toolTip()
    area.setMinimumWidth(0)
    area.setMaximumWidth(16777215)
    _settle()
    assert [b.text() for b in buttons] == WORDS, "the words come back with the room"
