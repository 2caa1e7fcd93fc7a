"""usertest35: in a short Compare window the header (title, pickers, legend, prompt) scrolls away with the answer,
where kept above it it left a long answer a strip of 184 px at 640x480; in a tall one it stays above the answer.
The window's least width is the header's wherever it is, and another answer opens at its top. pytest-qt,
offscreen, the tiny GPT-2 with a random LoRA and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402

LONG = " " + " ".join(["The sea rolls in along the shore."] * 6)


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def _shown(qtbot, window, mid):
    dialog = window.open_compare(mid)
    view = dialog.view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    return dialog, view


def test_a_short_compare_window_scrolls_its_header_away_with_the_answer(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    first, second = stored_answer(window, text=LONG), stored_answer(window, text=" The moon is a rock.")
    dialog, view = _shown(qtbot, window, first)
    least = view.minimumSizeHint().width()
    dialog.resize(720, 730)
    _settle()
    assert not view.header_scrolls and view.header.parentWidget() is view, "tall: the header stays above"
    dialog.resize(640, 412)
    _settle()
    assert view.header_scrolls and view.header.parentWidget() is view.answer_holder
    assert view.answer_scroll.height() > 300, f"the answer's {view.answer_scroll.height()} px: the window's, nearly"
    # the header's, give or take the scroll area's frame (a few px)
    assert abs(view.minimumSizeHint().width() - least) <= 6, "the window's least width is still the header's"
    bar = view.answer_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())  # read to the end
    view.show_message(second)
    qtbot.waitUntil(lambda: view.message_id == second and len(view.values) > 0, timeout=WAIT_MS)
    assert bar.value() == 0, "another answer reads from its top, the pickers in sight"
    dialog.resize(720, 730)
    _settle()
    assert not view.header_scrolls and view.header.parentWidget() is view
    dialog.close()
