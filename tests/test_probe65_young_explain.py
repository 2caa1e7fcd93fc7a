"""A "Why this token?" asked a moment before the person switched Chat | Text (its layer grid not read yet) is
asked again when they come back to the tab with that token still selected: the switch had stopped it, and it had
to be asked again by hand. It does not run on behind the other tab (minutes of attribution there would hold up
that tab's own work on the model lane). pytest-qt on the real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.tasks import Task  # noqa: E402
from gui_windows import STORY, WAIT_MS, answered_window, text_opened, window_with_text  # noqa: E402


@contextmanager
def young_explanation(window):
    """The shown token's explanation asked while a real task holds the model lane, so it stays young (its layer
    grid waits); the hold's release, set on the way out whatever happened, so no lane task is left running."""
    view, release = window.inspector.explain, threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: release.wait(WAIT_MS / 1000), "hold the lane", "hold"))
    try:
        view.ask()
        assert view.busy and view.partial is None and not view.button.isEnabled()
        yield release
    finally:
        release.set()


def _running_again(window) -> bool:
    view = window.inspector.explain
    return (view.busy and view.progress_box.isVisible() and not view.button.isEnabled()
            and [t.name for t in window.chat.lane.find("explain")] == ["explain: layers"])


def _explained_after_release(qtbot, window, release, index: int) -> None:
    view = window.inspector.explain
    release.set()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    # (a Text token's context is the text before it as a prompt: its own index there is 0)
    assert view.index == index and view.result.context.index == (0 if view.in_text else index)
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)


def test_a_young_chat_explanation_is_asked_again_back_in_chat(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        card.view.select_token(3)
        window.show_token(card, 3)
        view = window.inspector.explain
        with young_explanation(window) as release:
            window.set_mode("text")
            text_opened(qtbot, window)
            assert not view.busy and not window.chat.lane.find("explain"), "it ran on behind the Text tab"
            window.set_mode("chat")
            assert (view.message_id, view.index) == (card.message_id, 3)
            assert _running_again(window), "back on its token, the explanation had to be asked again by hand"
            _explained_after_release(qtbot, window, release, 3)


def test_a_young_text_explanation_is_asked_again_back_in_text(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.text_view.set_editing(False)
        heatmap = window.text_view.heatmap
        qtbot.waitUntil(lambda: len(heatmap.records) > 5, timeout=WAIT_MS)
        qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.span_rect(5).center())
        view = window.inspector.explain
        assert view.in_text and view.index == 5
        with young_explanation(window) as release:
            window.set_mode("chat")
            assert not view.busy and not window.chat.lane.find("explain"), "it ran on behind the Chat tab"
            window.set_mode("text")
            text_opened(qtbot, window)
            assert view.in_text and view.index == 5
            assert _running_again(window), "back on its token, the explanation had to be asked again by hand"
            _explained_after_release(qtbot, window, release, 5)


def test_a_young_explanation_left_for_another_token_is_asked_again_only_on_its_own(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        window.show_token(card, 3)
        view = window.inspector.explain
        with young_explanation(window) as release:
            window.show_token(card, 1)  # another token: nothing runs for it
            assert not view.busy and view.button.isEnabled() and not window.chat.lane.find("explain")
            window.show_token(card, 3)
            assert _running_again(window)
            _explained_after_release(qtbot, window, release, 3)

