"""Why this token? keeps a finished explanation for its token (usertest 14, finding 1): clicking
another token and back showed "Explain this token" again, and the explanation (minutes on a long
conversation) had to be worked out anew. A switch of adapter makes it stale: then it goes."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401  (the window with one answer)


def _explained(qtbot, win, index):
    card = _answer(win)
    win.show_token(card, index)
    view = win.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    return card, view


def test_going_back_to_an_explained_token_shows_its_explanation_again(window, qtbot):
    card, view = _explained(qtbot, window, 3)
    result = view.result
    window.show_token(card, 1)  # another token: its own, unexplained
    assert view.result is None and view.button.isVisible()
    window.show_token(card, 3)  # back: the finished explanation, with nothing to run again
    assert view.result is result and view.index == 3
    assert view.details.isVisible() and view.grid.lens is result.lens and view.toggle.isVisible()
    assert not view.button.isVisible() and not view.progress_box.isVisible()
    assert not window.chat.lane.find("explain")


def test_an_adapter_switch_forgets_the_explanations(window, qtbot):
    card, view = _explained(qtbot, window, 3)
    window.show_token(card, 1)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()  # the store's choice (the base model) put on again: a switch
    window.show_token(card, 3)
    assert view.result is None and view.button.isVisible() and not view.details.isVisible()


def _hold_lane(window):
    """A real task that keeps the model lane busy until released, so what comes next waits."""
    import threading

    from desktop_app.gui.tasks import Task

    release = threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: release.wait(30), "hold the lane", "hold"))
    return release


def test_an_explanation_stopped_by_another_token_goes_on_when_its_token_is_chosen_again(window, qtbot):
    card = _answer(window)
    window.show_token(card, 3)
    view = window.inspector.explain
    first = _hold_lane(window)
    view.ask()  # its layer grid waits behind the first hold, its attribution behind the second
    second = _hold_lane(window)
    first.set()
    qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
    partial = view.partial
    window.show_token(card, 1)  # e.g. a right-click to rate another token: the attribution stops
    assert view.partial is None and view.button.isVisible()
    window.show_token(card, 3)  # back: the grid and the sampler at once, the attribution going on
    assert view.partial is partial and view.grid.isVisible() and view.progress_box.isVisible()
    assert not view.button.isVisible()
    assert [t.name for t in window.chat.lane.find("explain")] == ["explain: attribution"]
    second.set()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert view.result.context.index == 3 and view.index == 3
