"""Nothing cut under a 14 pt desktop font, found by a check (tests/clip_check.py), not by eye (bigfont68). At 14 pt
the Token inspector kept its side by side form, 459 px wide in the panel's 326, its buttons, figures and chart past
the right edge; its list of surprising tokens then cut its last row; the Fine-tune tab's count tiles stayed in two
columns 15 px wider than the panel (two now fit in the narrow margins' room); and Compare opened as wide as its
view, its scroll bar over the view's right edge. Each state is checked at 14 pt and at the usual 9 pt, in a
1366x768 and a 1024x600 window. pytest-qt, offscreen, the real window on the tiny fixture model, a real adapter
and store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from clip_check import cut_widgets  # noqa: E402
from gui_windows import WAIT_MS, ask  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402
from test_gui_export import _history_with_adapter  # noqa: E402
from test_scale108_large_font import large_font  # noqa: E402,F401

WINDOW_SIZES = ((1366, 768), (1024, 600))
FONTS = ("large", "usual")


@pytest.fixture(params=FONTS)
def font(request):
    """The desktop's font: 14 pt (``large_font``) or the tests' usual 9 pt; the window is made under it."""
    if request.param == "large":
        request.getfixturevalue("large_font")
    return request.param


def settled(qtbot) -> None:
    for _ in range(3):  # a resize lays out, and the fitted parts lay out again after it
        QApplication.processEvents()
        qtbot.wait(20)


def cut_at_each_size(window, qtbot) -> dict:
    cut = {}
    for width, height in WINDOW_SIZES:
        window.resize(width, height)
        settled(qtbot)
        cut[f"{width}x{height}"] = cut_widgets(window)
    return cut


def test_the_chat_with_a_token_inspected_shows_nothing_cut(font, make_window, qtbot):
    window = make_window()
    ask(qtbot, window)
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(2)
    window.show_token(card, 2)
    cut = cut_at_each_size(window, qtbot)
    assert cut == {size: [] for size in cut}, cut


def test_the_fine_tune_tab_with_a_rating_and_an_adapter_shows_nothing_cut(font, make_window, qtbot, tiny_model_dir):
    window = make_window()
    window.chat.store.rate_message(ask(qtbot, window)["message_id"], 1)
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    history, _adapter = _history_with_adapter(window, tiny_model_dir)
    window.show_finetune()
    cut = cut_at_each_size(window, qtbot)
    assert cut == {size: [] for size in cut}, cut
    # whole by the margins' room, not by a tile a row: that made the panel two tiles taller
    assert window.finetune_panel.tile_columns == 2
    qtbot.mouseClick(history.export_button, Qt.MouseButton.LeftButton)
    dialog = history.export_dialog
    qtbot.waitExposed(dialog)
    settled(qtbot)
    assert not cut_widgets(dialog), cut_widgets(dialog)
    dialog.close()


def test_compare_opened_from_a_narrow_window_shows_nothing_cut(font, make_window, qtbot, tmp_path):
    window = make_window()
    window.resize(*WINDOW_SIZES[-1])  # the chat area narrow: Compare opens at its least width
    settled(qtbot)
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    dialog = window.open_compare(stored_answer(window, rating=-1))
    qtbot.waitUntil(lambda: len(dialog.view.values) > 0, timeout=WAIT_MS)
    settled(qtbot)
    assert not cut_widgets(dialog), (dialog.width(), cut_widgets(dialog))
    dialog.close()
