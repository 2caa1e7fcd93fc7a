"""An idle window paints nothing: a notice cut to its lines once repainted itself ~140 times a
second (its size check, run while painting, re-laid its selectable text and asked for another
paint), which kept a core 12% busy with the app doing nothing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.gui.banner import Banner

LONG = ("The bundled offline model SmolLM2-135M-Instruct is used: openai-community/gpt2 is not in the "
        "local cache and the model hub cannot be reached. ") * 3


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def shown_banner(qtbot, width: int):
    window = QWidget()
    qtbot.addWidget(window)
    banner = Banner(window, max_lines=2)
    layout = QVBoxLayout(window)
    layout.addWidget(banner)
    layout.addStretch(1)
    window.resize(width, 400)
    window.show()
    banner.show_message(LONG)
    qtbot.waitExposed(window)
    qtbot.wait(200)  # the first paints and layouts settle
    return window, banner


def test_a_cut_notice_is_not_painted_again_and_again(qtbot):
    window, banner = shown_banner(qtbot, 500)
    assert banner.label._capped()  # the notice is cut to its two lines, the case that looped
    counter = PaintCounter()
    banner.label.installEventFilter(counter)
    qtbot.wait(500)
    assert counter.paints <= 2


def test_a_cut_notice_still_shows_its_elided_lines_and_the_whole_text_on_a_click(qtbot):
    window, banner = shown_banner(qtbot, 500)
    grab_cut = banner.label.grab()
    assert banner.label.toolTip() == LONG and banner.label.height() < 4 * banner.label.fontMetrics().lineSpacing()
    qtbot.mouseClick(banner.label, qtbot_left())
    qtbot.wait(100)
    assert banner.label.expanded and banner.label.height() > grab_cut.height()


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
