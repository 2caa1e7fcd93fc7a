"""usertest 20: at 1280x800 the model's long name did not fit the prompt row, so the model button, the
one way to change the model, was a bare chip icon; the words came back only while a model loaded
("Model…"). Where the name does not fit, the button says "Model…" before it gives up its words
(pytest-qt, offscreen, the real window and its prompt row)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401

LONG_NAME = "SmolLM2-135M-Instruct-with-a-rather-long-folder-name (bundled, offline)"


def _settle(rounds: int = 4) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def test_a_name_too_long_for_the_row_gives_way_to_model_before_the_icon_alone(make_window):
    from desktop_app.gui.prompt_box import MODEL_WORD

    window = make_window()
    window.resize(1088, 680)  # the first size on a 1280x800 screen
    window.show()
    _settle()
    row, button = window.prompt_area, window.model_button
    row.set_model_name(LONG_NAME)
    _settle()
    assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon, "a bare icon"
    assert button.text() == MODEL_WORD
    assert [b.text() for b in row.buttons] == ["Settings", "Regenerate", "Stop", "Send"]
    assert button.toolTip().endswith(f"{LONG_NAME})"), "the name is one hover away"

    row.set_model_name("gpt2")  # a short name that fits is shown, not left as "Model…"
    _settle()
    assert button.text() == "gpt2"
