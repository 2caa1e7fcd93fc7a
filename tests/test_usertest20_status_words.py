"""usertest 20: while "Why this token?" worked (minutes on a CPU) or the Text tab analysed a text, the
status bar showed a running bar and no word of what it was for. The bar now says what the model lane
runs (a real window, the tiny GPT-2, a real task on the model lane; pytest-qt, offscreen)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


@pytest.mark.parametrize("kind, words", [("explain", "Explaining a token\u2026"),
                                         ("analyse", "Analysing the text\u2026")])
def test_the_status_bar_says_what_the_model_is_busy_with(make_window, qtbot, kind, words):
    from desktop_app.gui.tasks import Task

    window = make_window()
    label, bar = window.status.progress_label, window.status.progress
    release = threading.Event()
    window.tasks.model.submit(Task(lambda _report, _cancel: release.wait(WAIT_MS / 1000), "a slow task", kind))
    try:
        qtbot.waitUntil(lambda: label.text() == words and bar.isVisible(), timeout=WAIT_MS)
        assert label.isVisible()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.tasks.model.busy, timeout=WAIT_MS)
    assert label.text() == "" and not bar.isVisible()


def test_an_answer_leaves_the_words_to_its_card(make_window, qtbot):
    from desktop_app.gui.tasks import Task

    window = make_window()
    release = threading.Event()
    window.tasks.model.submit(Task(lambda _report, _cancel: release.wait(WAIT_MS / 1000), "generate", "answer"))
    try:
        qtbot.waitUntil(lambda: window.status.progress.isVisible(), timeout=WAIT_MS)
        assert window.status.progress_label.text() == ""
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.tasks.model.busy, timeout=WAIT_MS)
