"""Opening the real main window for GUI tests: a real store in the test's app folder, the
tiny model loaded before the test starts, everything closed after."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store

WAIT_MS = 30_000
STORY = "A story about a lighthouse keeper who counted the waves every night."  # the Text tests' text


def same_first_size(window) -> None:
    """One first size on every machine: a first start (no saved geometry) fits the window to
    its screen, and offscreen's is 800x800; the tests were written for 1280x800."""
    if window.settings.value("geometry") is None:
        window.resize(1280, 800)


def no_question_at_teardown(window) -> None:
    """A window the test leaves open is closed without the quit question: a run a failed test left
    going would otherwise wait for an answer no one gives, and the whole suite with it."""
    window.ask_before_quit = False


@contextmanager
def opened_window(qtbot, qapp, model_dir, *, max_new: int, seed: int | None = None):
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, model_spec=str(model_dir), device="cpu")
    qtbot.addWidget(window, before_close_func=no_question_at_teardown)
    window.popover.max_new.setValue(max_new)
    if seed is not None:
        window.popover.seed.setValue(seed)
    same_first_size(window)
    window.show()
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        pass
    text_opened(qtbot, window)
    try:
        yield window
    finally:
        window.close()
        store.close()


@contextmanager
def answered_window(qtbot, qapp, model_dir, wait_ms: int = 60_000):
    """The window in Chat mode (the tiny models have no chat template) on ``model_dir`` with one
    answer: "Hello, how are you?", 12 new tokens, seed 7. Its chat's threads end before it closes."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.main_window import open_settings

    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")
    with opened_window(qtbot, qapp, model_dir, max_new=12, seed=7) as window:
        window.prompt.setPlainText("Hello, how are you?")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=wait_ms):
            window.send()
        QApplication.processEvents()
        yield window
        window.chat.shutdown()


@contextmanager
def window_with_text(qtbot, qapp, model_dir, text: str):
    """The window (tiny model, 8 new tokens, seed 5) with ``text`` typed in the Text tab and
    analysed, the cursor at its end."""
    from PySide6.QtGui import QTextCursor

    with opened_window(qtbot, qapp, model_dir, max_new=8, seed=5) as window:
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            window.text_view.editor.setPlainText(text)
            window.text_view.editor.moveCursor(QTextCursor.MoveOperation.End)
        yield window


def ask(qtbot, window, text="Hello there", via_keys=False):
    """Type ``text`` into the prompt and send it (Send, or Ctrl+Return with ``via_keys``); the
    finished answer (``answer_finished``'s argument)."""
    from PySide6.QtCore import Qt

    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, text)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        if via_keys:
            qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        else:
            qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def active(qtbot, window):
    """``window`` made the active window, so keys go to its focus widget; returns it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    return window


def press(qtbot, widget) -> None:
    """Focus ``widget`` from the keyboard and press Space on it, as after a click in a real window."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=2000)
    QTest.keyClick(widget, Qt.Key.Key_Space)


def liked_answer_counted(qtbot, window) -> None:
    """One answer asked for and liked, and the Fine-tune tab's counts read again: what a test of
    a fine-tune from the window starts from."""
    window.chat.store.rate_message(ask(qtbot, window)["message_id"], 1)
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()


def text_opened(qtbot, window) -> None:
    """Wait while the Text tab opens a text (read and made on the store lane): until one is
    open, typed words would be replaced by the opened text, and the outline is empty. A window
    in Chat mode opens none."""
    qtbot.waitUntil(lambda: not window.text.opening and (window.mode != "text" or window.text.document_id is not None),
                    timeout=WAIT_MS)


def answer_modal(button_text: str, seen: list) -> None:
    """Click a button of the modal question once it is up (it blocks the click that opened it),
    noting its (text, informative text) in ``seen``."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def click():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(50, click)
            return
        seen.append((box.text(), box.informativeText()))
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(50, click)


def modal_types_opened_by(act) -> list[type]:
    """Run ``act`` (a click or key that opens a modal dialog, which blocks it): the dialog is rejected once it is
    up, and the types of the dialogs it opened come back."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    opened = []

    def close_the_dialog():
        dialog = QApplication.activeModalWidget()
        opened.append(type(dialog))
        dialog.reject()

    QTimer.singleShot(0, close_the_dialog)
    act()
    return opened


@pytest.fixture(name="window")
def window_in_text_mode(qtbot, qapp, tiny_model_dir):
    """The window on the tiny model in Text mode with its text opened, answers of at most 6 tokens: a
    test module that imports it has it as its ``window`` fixture."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6) as w:
        w.set_mode("text")
        text_opened(qtbot, w)
        yield w


@pytest.fixture(name="text_window")
def window_with_the_story(qtbot, qapp, tiny_model_dir):
    """The window with STORY typed in the Text tab and analysed: a test module that imports it has
    it as its ``text_window`` fixture."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        yield window


def ctrl_h(qtbot, window) -> None:
    """Ctrl+H from the prompt of the window in front, as a person presses it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.prompt.setFocus()
    qtbot.keyClick(window.prompt, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


@contextmanager
def settings_popover(qtbot):
    """The real settings popover, opened over a Settings button as the window opens it."""
    from PySide6.QtWidgets import QPushButton

    from desktop_app.gui.settings_popover import SettingsPopover

    opener = QPushButton("Settings")
    qtbot.addWidget(opener)
    opener.show()
    popover = SettingsPopover(opener)
    popover.popup_above(opener)
    qtbot.waitUntil(popover.isVisible, timeout=2000)
    try:
        yield popover
    finally:
        popover.hide()


def not_busy(window) -> bool:
    """No continuation runs and the Text tab's status says no work ("writing…", "analysing…"): the text
    is analysed. A note of why the continuation ended ("Stopped at 8 new tokens, the limit …") may stay."""
    return not window.text.continuing and "\u2026" not in window.text_view.status.text()


def continued_and_analysed(qtbot, window) -> None:
    """Continue clicked in the Text tab, then waited for: the continuation ended, its figures in the summary and
    the tab at rest (``not_busy``)."""
    view = window.text_view
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: "With the model's continuation" in view.summary_panel.figures.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)


def send_in_chat(qtbot, window, text: str) -> None:
    """The Chat tab in front, ``text`` typed into the prompt and Send clicked (the answer not awaited)."""
    from PySide6.QtCore import Qt

    window.set_mode("chat")
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, text)
    qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)


def chart_ticks(curve, side: str, length: int) -> list[float]:
    """The values a LossCurve's ``side`` axis ("left" or "bottom") labels over its view, drawn ``length`` px long."""
    item = curve.plot.getPlotItem()
    low, high = item.viewRange()[0 if side == "bottom" else 1]
    return sorted({v for _spacing, values in item.getAxis(side).tickValues(low, high, length) for v in values})


@contextmanager
def app_theme(qapp, dark: bool):
    """The app's theme, light or ``dark``, for a test, and the one before put back after, as the app puts a
    theme on (apply_theme) where the app's was on. Restoring by the style's name (setStyle(name)) crashed
    Python in the style sheet's re-polish after an earlier test's window had gone (test_heatmap_key,
    test_leftovers60_window, then test_polish39_off_buttons in one process: 3 runs of 3)."""
    from desktop_app.gui.theme import apply_theme

    style, palette, sheet, dark_before = (qapp.style().name(), qapp.palette(), qapp.styleSheet(),
                                          qapp.property("gpt2desk_dark"))
    apply_theme(qapp, dark=dark)
    try:
        yield dark
    finally:
        if dark_before is not None:
            apply_theme(qapp, dark=bool(dark_before))
        else:
            qapp.setProperty("gpt2desk_dark", dark_before)
            qapp.setStyle(style)
            qapp.setPalette(palette)
            qapp.setStyleSheet(sheet)
