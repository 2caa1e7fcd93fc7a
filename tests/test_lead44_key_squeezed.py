"""The colour key's row has no least height (the window's least height counts the short form, where the
key is in the toolbar), so a window taller than the short one could squeeze it to nothing: at 1088x680
beside both side panels, under the first start's notice, the measure and "Score my prompts" were gone
from the window (seen under Xvfb and openbox on the bundled model). A squeezed key goes to the toolbar,
shown, and comes back to its row, shown, in a taller window. pytest-qt, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.short_window import SHORT_WINDOW_PX  # noqa: E402
from gui_windows import opened_window  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        w.set_mode("chat")
        w.resize(1088, 680)
        settle()
        yield w


def _key_shown_in(window, slot) -> bool:
    legend = window.legend
    return (legend.isVisible() and legend.height() >= legend.sizeHint().height()
            and (legend.parentWidget() is window.legend_slot) == slot)


def test_a_squeezed_key_goes_to_the_toolbar_shown_and_comes_back_in_a_taller_window(window):
    assert _key_shown_in(window, slot=False), "the key starts on its row"
    # a part that asks for most of the chat column squeezes the parts beside it, as the notice did
    window.notice_banner.show()
    window.notice_banner.setMinimumHeight(window.centralWidget().height() - 200)
    settle()
    assert window.height() >= SHORT_WINDOW_PX
    assert _key_shown_in(window, slot=True), "a squeezed key is in the toolbar, whole"
    assert window.prompt.height() == 76, "the prompt box keeps its four lines: the window is not short"
    window.notice_banner.setMinimumHeight(0)
    window.notice_banner.hide()
    window.resize(1088, window.height() + 60)  # taller than when it was squeezed, by more than the row
    settle()
    assert _key_shown_in(window, slot=False), "back on its row, shown"


def test_a_key_moved_to_the_toolbar_and_back_is_shown_each_time(window):
    for height, slot in ((461, True), (680, False), (461, True), (700, False)):
        window.resize(800, height)
        settle()
        assert _key_shown_in(window, slot), f"the key at 800x{height}"
