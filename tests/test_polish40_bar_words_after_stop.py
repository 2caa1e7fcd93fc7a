"""After a continuation is stopped (Esc), the Text tab's top bar keeps its buttons' words where
there is room: the long "You stopped this continuation before it ended." goes on a row of its
own under the bar and the buttons keep their words; it had turned the bar into bare icons at
1280 px (user test 15). Only where even the words do not fit do the buttons lose them.
pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.text_notes import STOPPED_CONTINUATION  # noqa: E402
from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def stop_mid_continuation(window, qtbot, monkeypatch) -> None:
    import threading

    from desktop_app.core import generation

    view = window.text_view
    window.popover.max_new.setValue(64)
    stopped = threading.Event()

    def stop(_records):
        if not stopped.is_set():
            stopped.set()
            view.stop_button.click()

    window.text.tokens.connect(stop)
    # the next token waits for the Stop: on an idle core the tiny model wrote all 64 tokens before
    # their first signal reached the window, and the continuation ended by itself
    real_pause = generation.Generation._pause

    def wait_for_stop(self, team):
        stopped.wait(30)
        real_pause(self, team)

    monkeypatch.setattr(generation.Generation, "_pause", wait_for_stop)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    qtbot.waitUntil(lambda: not window.text.continuing and view.status.text() == STOPPED_CONTINUATION,
                    timeout=WAIT_MS)
    settle(window)
    QApplication.processEvents()


def test_the_stop_note_leaves_the_buttons_their_words_where_they_fit(window, qtbot, monkeypatch):
    view = window.text_view
    stop_mid_continuation(window, qtbot, monkeypatch)
    assert view.status.isVisible() and view.status.text() == STOPPED_CONTINUATION
    assert [b.text() for b in view.bar.labels] == list(view.bar.labels.values()), "the words stay"
    bar = view.continue_button.parentWidget()
    assert bar.width() >= bar.sizeHint().width()
    assert view.status.width() >= view.status.sizeHint().width(), "the note is read whole"


def test_a_narrow_tab_still_drops_the_words(window, qtbot, monkeypatch):
    window.resize(800, 560)
    settle(window)
    view = window.text_view
    stop_mid_continuation(window, qtbot, monkeypatch)
    bar = view.continue_button.parentWidget()
    assert bar.width() >= bar.sizeHint().width(), "nothing in the bar squeezed"
    assert view.bar.status_line.indexOf(view.status) >= 0 and view.status.isVisible()
