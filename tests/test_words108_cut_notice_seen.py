"""words108: the Text tab's "continuation was cut off" notice came back at every start until the branch was
finished or deleted. Once the person saw it ("Show it" clicked, or the notice closed with ✕) the next start says
nothing of that branch; one not seen is still said. pytest-qt, the real window on the tiny fixture model, a real
store and the window's own settings, over two starts."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import opened_window, text_opened  # noqa: E402
from test_textwords107_interrupted_notice import _cut_before_this_start  # noqa: E402


def _said_at_a_start(qtbot, qapp, tiny_model_dir, then=None) -> bool:
    """Whether a start in the Text tab says the cut notice; ``then(window, banner)`` acts on it while it shows."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.set_mode("text")
        text_opened(qtbot, window)  # the text and its branches read: the notice is said then, or never
        QApplication.processEvents()
        banner = window.notice_banner
        if not (banner.isVisible() and "cut off" in banner.label.text()):
            return False
        if then is not None:
            then(window, banner)
        return True


@pytest.mark.parametrize("how", ["show it", "close"])
def test_a_cut_notice_seen_is_not_said_at_the_next_start(qtbot, qapp, tiny_model_dir, how):
    _doc, cut = _cut_before_this_start()
    button = "action_button" if how == "show it" else "close_button"

    def see(window, banner):
        qtbot.mouseClick(getattr(banner, button), Qt.MouseButton.LeftButton)

    assert _said_at_a_start(qtbot, qapp, tiny_model_dir, then=see)
    assert not _said_at_a_start(qtbot, qapp, tiny_model_dir), "seen: not said again"


def test_a_cut_notice_not_acted_on_is_said_again(qtbot, qapp, tiny_model_dir):
    _cut_before_this_start()
    assert _said_at_a_start(qtbot, qapp, tiny_model_dir)
    assert _said_at_a_start(qtbot, qapp, tiny_model_dir), "not seen: the next start says it still"
