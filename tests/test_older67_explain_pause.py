"""older67: an explanation paused for an answer (its run stopped, to go on when the answer ends) and then left by a
tab switch (Chat -> Text -> Chat) was lost: back on its token it neither went on nor said it had stopped, only
its button was there. It is set aside as one left for another token is, and taken up again back on it.
pytest-qt, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import WAIT_MS, answered_window  # noqa: E402
from test_gui_explain import _gate_the_attribution  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


def _card_of(window, message_id):
    return next(c for c in window.transcript.cards if c.message_id == message_id)


def test_a_paused_explanation_left_by_a_tab_switch_goes_on_back_on_its_token(window, qtbot):
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    message_id = card.message_id
    window.show_token(card, 2)
    view = window.inspector.explain
    gate, handle = _gate_the_attribution(window)
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        (task,) = window.chat.lane.find("explain")
        qtbot.waitUntil(lambda: task.state.value == "running", timeout=WAIT_MS)  # held at its gate
        window.prompt.setPlainText("And then?")
        window.send()
        assert task.cancel.is_set(), "the answer goes first"
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: view.resume_after_answer, timeout=WAIT_MS)  # paused: to go on after the answer
    window.set_mode("text")
    qtbot.waitUntil(lambda: not window.chat.generating and not window.chat.lane.busy, timeout=WAIT_MS)
    window.set_mode("chat")
    card = _card_of(window, message_id)
    card.view.select_token(2)
    window.show_token(card, 2)  # back on its token
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # by itself, no click
    assert (view.message_id, view.index) == (message_id, 2)
