"""usertest9's findings (pytest-qt, offscreen, the tiny random GPT-2, the real SQLite store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401

BUNDLED_NAME = "SmolLM2-135M-Instruct (bundled, offline)"


def _settle(rounds: int = 4) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


# ---------------------------------------------------------------- B4: the prompt row's words at 1280x800

def test_at_the_first_size_the_buttons_keep_their_words_and_the_long_model_name_gives_way(make_window):
    from PySide6.QtCore import QRect

    from desktop_app.gui.responsive import first_geometry

    window = make_window()
    first = first_geometry(QRect(0, 0, 1280, 800), window.minimumSize()).size()  # 1088x680 on that screen
    window.resize(first)
    window.show()
    window.prompt_area.set_model_name(BUNDLED_NAME)
    _settle()
    words = [b.text() for b in (window.settings_button, window.regenerate_button, window.stop_button,
                                window.send_button)]
    assert words == ["Settings", "Regenerate", "Stop", "Send"], "at 1280x800 they were five bare icons"
    row = window.prompt_area
    assert all(b.geometry().right() <= row.width() for b in row.buttons)
    assert window.model_button.toolTip().endswith(f"{BUNDLED_NAME})"), "the name is still one hover away"

    window.resize(660, 800)  # narrower: every word goes, nothing overflows
    _settle()
    assert window.send_button.text() == "" or window.prompt_area.width() >= row.sizeHint().width()
    window.resize(first)
    _settle()
    assert window.send_button.text() == "Send" and window.settings_button.text() == "Settings"

