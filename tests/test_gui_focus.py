"""Keyboard focus (user test 2, finding 13): from the prompt the newest answer is a few Tabs
away, then the right panel; each answer's export button and the two panel toggles are Tab
stops; every stop shows a clear ring (2 px, not a 1 px line or a dotted box), in light and
dark themes. The real window, the tiny model, real key presses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from gui_windows import WAIT_MS, opened_window


def _answered_window(qtbot, window):
    window.set_mode("chat")
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.prompt.setPlainText("Hello there")
        window.send()
    qtbot.waitUntil(lambda: any(c.role == "assistant" and c.message_id for c in window.transcript.cards))
    return window.transcript.cards[-1]


def _tab_walk(qtbot, window, presses: int, key=Qt.Key.Key_Tab) -> list:
    window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: window.prompt.hasFocus(), timeout=2000)
    seen = []
    for _ in range(presses):
        QTest.keyClick(window.focusWidget(), key)
        seen.append(window.focusWidget())
    return seen


def test_the_newest_answer_is_a_few_tabs_from_the_prompt_then_the_right_panel(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8) as window:
        card = _answered_window(qtbot, window)
        seen = _tab_walk(qtbot, window, 60)
        assert seen[0] is window.regenerate_button  # Send and Stop are disabled now
        assert seen.index(card.rating.up) <= 3  # was ~8 Tabs
        order = [card.view, card.rating.up, card.rating.down, card.rating.correct_button, card.export_button,
                 window.side_tabs.tabBar()]
        assert [seen.index(w) for w in order] == sorted(seen.index(w) for w in order)
        toggles = [window.view_toolbar.widgetForAction(a) for a in window.panel_actions.values()]
        assert all(t in seen for t in toggles)  # Qt's toolbar left them out
        assert window.prompt in seen  # and round to the prompt again
        back = _tab_walk(qtbot, window, 1, Qt.Key.Key_Backtab)
        assert back[0] is not window.regenerate_button  # Shift+Tab from the prompt: the end of the ring
        card.view.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(card.view, Qt.Key.Key_Backtab)
        assert window.focusWidget() is window.regenerate_button


def test_tab_scrolls_an_older_answer_into_view(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=30) as window:
        window.resize(900, 600)
        first = _answered_window(qtbot, window)
        for text in ("Second", "Third", "Fourth"):
            with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
                window.prompt.setPlainText(text)
                window.send()
        bar = window.transcript.verticalScrollBar()
        # (the view stays at the last question's top where it and its answer are taller than the view)
        qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
        first = next(c for c in window.transcript.cards if c.role == "assistant")
        first.view.setFocus(Qt.FocusReason.OtherFocusReason)
        bar.setValue(bar.maximum())
        QTest.keyClick(first.view, Qt.Key.Key_Tab)  # to its thumb, far above the bottom
        assert window.focusWidget() is first.rating.up
        assert bar.value() < bar.maximum()


def _grabs(window, widget) -> tuple[QImage, QImage]:
    """The window before and after ``widget`` takes the focus by Tab."""
    window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)
    QTest.qWait(50)
    before = window.grab().toImage()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.qWait(50)
    assert widget.hasFocus()
    return before, window.grab().toImage()


def _ring_is_clear(window, widget, rect: QRect | None = None) -> bool:
    """Along the top, left and right edges of ``rect`` (the widget, or one tab of a bar), at
    least 2 of the 5 outermost pixels change with the focus at 80 % of the places: a 2 px
    ring does; a 1 px line, a dotted box or nothing does not. (The bottom may already carry
    the selected tab's underline.)"""
    before, after = _grabs(window, widget)
    rect = rect if rect is not None else widget.rect()
    r = QRect(widget.mapTo(window, rect.topLeft()), rect.size()).adjusted(-1, -1, 1, 1)
    scale = before.devicePixelRatio()

    def changed(x: int, y: int) -> bool:
        px, py = int(x * scale), int(y * scale)
        return before.pixel(px, py) != after.pixel(px, py)

    sides = {"top": [[(x, r.top() + d) for d in range(5)] for x in range(r.left() + 8, r.right() - 8)],
             "left": [[(r.left() + d, y) for d in range(5)] for y in range(r.top() + 8, r.bottom() - 8)],
             "right": [[(r.right() - d, y) for d in range(5)] for y in range(r.top() + 8, r.bottom() - 8)]}
    for name, places in sides.items():
        ringed = sum(sum(changed(x, y) for x, y in band) >= 2 for band in places)
        if ringed < 0.8 * len(places):
            print(f"{widget.objectName() or widget.toolTip()[:20]}: {name} {ringed}/{len(places)}")
            return False
    return True


@pytest.mark.parametrize("dark", [False, True])
def test_every_kind_of_stop_shows_a_clear_focus_ring(qtbot, qapp, tiny_model_dir, dark):
    from desktop_app.gui.theme import apply_theme

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8) as window:
        apply_theme(qapp, dark=dark)
        card = _answered_window(qtbot, window)
        card.rating.up.click()  # a rating, so that "Fine-tune on my ratings" is enabled
        window.side_tabs.setCurrentIndex(1)
        primary = next(b for b in window.findChildren(QPushButton) if b.text().startswith("Fine-tune on"))
        qtbot.waitUntil(primary.isEnabled, timeout=WAIT_MS)
        assert _ring_is_clear(window, primary)  # the blue one: was a 1 px line in the text colour
        side_bar, mode_bar = window.side_tabs.tabBar(), window.mode_tabs.tabBar()
        assert _ring_is_clear(window, side_bar, side_bar.tabRect(side_bar.currentIndex()))
        assert _ring_is_clear(window, mode_bar, mode_bar.tabRect(mode_bar.currentIndex()))
        window.side_tabs.setCurrentIndex(0)
        toggle = window.view_toolbar.widgetForAction(window.panel_actions["side_tabs"])
        for widget in (card.rating.down, card.export_button, card.rating.correct_button, toggle):
            assert _ring_is_clear(window, widget), widget.toolTip()
        assert _ring_is_clear(window, window.transcript, QRect(0, 0, window.transcript.width(), 40))
