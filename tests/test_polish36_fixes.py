"""polish36: three visible faults a tester found. The compare view's "barely changed" tokens near-white with
black letters in the dark theme; the status bar's fine-tune label at 480 px read "fine-tune: reading (" (run
under the model's name, no "…"); the Settings popover opened well to the left of the chat's Settings button."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QWidget  # noqa: E402

from desktop_app.core.palette import change_color, contrast_ratio, relative_luminance, text_color_on  # noqa: E402
from desktop_app.core.training import TrainProgress  # noqa: E402
from desktop_app.core.word_cut import ELLIPSIS, clip_at_word  # noqa: E402
from gui_windows import opened_window  # noqa: E402

DELTAS = [(i - 200) / 100 for i in range(401)]  # -2 .. +2 nats, the scale's ends past both


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_change_colours_follow_the_theme_and_their_text_reads(dark):
    barely = change_color(0.02, 2.0, dark)
    if dark:
        assert relative_luminance(barely) < 0.06, f"a dark neutral in a dark window, not {barely}"
    else:
        assert relative_luminance(barely) > 0.85, "white in a light window, as before"
    for delta in DELTAS:
        background = change_color(delta, 2.0, dark)
        assert contrast_ratio(text_color_on(background), background) >= 4.5, (delta, background)
    assert change_color(2.0, 2.0, dark) == change_color(2.0, 2.0), "the ends are the same green and purple"


def test_the_dark_compare_key_and_chips_have_the_dark_neutral(qapp, qtbot):
    from desktop_app.gui.compare_widgets import DivergingBar
    from desktop_app.gui.compare_words import movers_words
    from desktop_app.gui.theme import apply_theme

    from test_unify41_compare_chips import _records

    apply_theme(qapp, dark=True)
    try:
        bar = DivergingBar()
        qtbot.addWidget(bar)
        bar.resize(180, 12)
        middle = bar.grab().toImage().pixelColor(90, 6)
    finally:
        apply_theme(qapp, dark=False)
    assert middle.lightness() < 90, middle.name()
    words = movers_words(_records([-2.0] * 4), _records([-1.9, -2.0, -4.0, -1.7]), [0.1, 0.0, -2.0, 0.3], 2.0,
                         str, str, dark=True)
    assert "background:#f" not in words and "background:#e" not in words, words  # no near-white chip


REASKING = "measuring the new adapter: re-asking 12 questions at once: 13 of at most 40 tokens of each answer"
REPORTS = [TrainProgress("preparing", 0, 3, message="scoring your ratings: 0 of 3 answers"),
           TrainProgress("evaluating", 13, 40, eta_s=70, message=REASKING),
           # its shortest form is longer than a narrow bar has beside the model's name
           TrainProgress("evaluating", 13, 40, eta_s=70, message="its answers went wrong: " + REASKING,
                         checking_earlier=True)]


def test_a_narrow_status_bar_cuts_the_run_label_after_a_word_not_under_the_model_name(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        side, model_label = window.finetune_side, window.status.model_label
        side.label.show()
        try:
            for width in (480, window.minimumSizeHint().width()):
                for report in REPORTS:
                    side._progress(report)
                    window.resize(width, 600)
                    qtbot.waitUntil(lambda: window.statusBar().width() == window.width())
                    QApplication.processEvents()
                    label = side.label
                    # the layout settles within a pass or two of the event loop; never is a failure
                    apart = lambda: label.geometry().right() < model_label.geometry().left()  # noqa: E731
                    qtbot.waitUntil(apart, timeout=3000)
                    assert apart(), (width, window.width(), report.message)
                    shown = side._fitted(label.text(), label.fontMetrics(), label.contentsRect().width())
                    assert shown in side.forms or shown.endswith(ELLIPSIS), shown
                    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
        finally:
            side.label.hide()


def test_a_cut_never_ends_in_an_open_bracket():
    assert clip_at_word("fine-tune: reading (part 1 of 4)", 21) == "fine-tune: reading" + ELLIPSIS


def _popover_by(qtbot, x: int):
    """The settings popover opened by a button at ``x`` in the bottom row of a 760x600 window."""
    from desktop_app.gui.settings_popover import SettingsPopover

    window = QWidget()
    qtbot.addWidget(window)
    window.setGeometry(20, 20, 760, 600)
    button = QPushButton("Settings", window)
    button.setGeometry(x, 560, 96, 28)
    window.show()
    qtbot.waitExposed(window)
    popover = SettingsPopover(window)
    popover.popup_above(button)
    qtbot.waitUntil(popover.isVisible, timeout=2000)
    return popover, QRect(button.mapToGlobal(QPoint(0, 0)), button.size()), window


@pytest.mark.parametrize("x", [90, 600], ids=["left of the row", "right of the row"])
def test_the_settings_open_over_their_button_inside_the_window(qtbot, x):
    popover, button, window = _popover_by(qtbot, x)
    try:
        # (offscreen shows a popup up to 2 px from where it was moved)
        shown, inside = popover.geometry(), QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
        assert shown.left() <= button.left() + 2 and shown.right() >= button.right() - 2, (shown, button)  # over it
        assert inside.contains(shown), (shown, inside)
        edge = shown.left() - button.left() if x < 380 else shown.right() - button.right()
        assert abs(edge) <= 2, "its edge on the button's, opening toward the window's middle"
    finally:
        popover.hide()
        popover.close()
