"""usertest9's findings (pytest-qt, offscreen, the tiny random GPT-2, the real SQLite store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from gui_windows import active, answer_modal, liked_answer_counted  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401

TRAIN_MS = 120_000
LONG_RUN = FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1, reask_tokens=4)


def keys(window, *sequence) -> None:
    """Key presses as the person makes them: each to the widget that has the window's focus now (the
    window's own, not the application's: windows of earlier tests in the same process can hold that)."""
    for key in sequence:
        modifier, key = key if isinstance(key, tuple) else (Qt.KeyboardModifier.NoModifier, key)
        QTest.keyClick(window.focusWidget() or window, key, modifier)


def rated_window(qtbot, make_window):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    window.finetune_panel.set_settings(LONG_RUN)
    return window


def cancelled(qtbot, window) -> None:
    """The run ended (also after a failed assertion: a window closed during a run asks first)."""
    panel = window.finetune_panel
    panel.ask_before_cancel = False
    if window.finetune.running:
        with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS):
            panel.cancel()


# ---------------------------------------------------------------- A1: a stray key cancelled a fine-tune

def test_typing_after_ctrl3_space_ctrl1_goes_to_the_prompt_and_the_run_goes_on(make_window, qtbot):
    window = rated_window(qtbot, make_window)
    CTRL = Qt.KeyboardModifier.ControlModifier
    try:
        keys(window, (CTRL, Qt.Key.Key_3))
        qtbot.waitUntil(window.finetune_panel.train_button.hasFocus, timeout=2000)
        keys(window, Qt.Key.Key_Space)
        assert window.finetune.running
        assert window.focusWidget() is not window.finetune_panel.cancel_button
        keys(window, (CTRL, Qt.Key.Key_1))
        assert window.focusWidget() is window.prompt, "Ctrl+1 is 'Chat': the cursor goes where one types"
        QTest.keyClicks(window.focusWidget(), "Write a haiku")
        assert window.finetune.running and not window.finetune.cancel_pending, "a space pressed Cancel"
        assert window.prompt.toPlainText() == "Write a haiku"
    finally:
        cancelled(qtbot, window)


def test_a_space_right_after_a_keyboard_start_does_not_cancel(make_window, qtbot):
    window = rated_window(qtbot, make_window)
    window.show_finetune()
    panel = window.finetune_panel
    panel.train_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.train_button.hasFocus, timeout=2000)
    try:
        keys(window, Qt.Key.Key_Space)
        assert window.finetune.running
        keys(window, Qt.Key.Key_Space, Qt.Key.Key_A, Qt.Key.Key_Space)
        assert window.finetune.running and not window.finetune.cancel_pending
    finally:
        cancelled(qtbot, window)


def test_cancel_of_a_run_with_trained_steps_asks_first_keep_training_is_the_default(make_window, qtbot):
    window = rated_window(qtbot, make_window)
    window.show_finetune()
    panel = window.finetune_panel
    with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS,
                          check_params_cb=lambda p: p.phase == "training" and p.step >= 1 and p.loss is not None):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    seen = []
    answer_modal("Keep training", seen)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    question, detail = seen[0]
    assert "The run has trained" in question
    assert "stays as it was" in detail
    assert window.finetune.running and not window.finetune.cancel_pending
    box_default = []

    def look_then_cancel():
        box = QApplication.activeModalWidget()
        box_default.append(box.defaultButton().text())
        box_default.append(box.escapeButton().text())
        next(b for b in box.buttons() if b.text() == "Cancel the run").click()

    from PySide6.QtCore import QTimer

    def when_up():
        if QApplication.activeModalWidget() is None:
            QTimer.singleShot(50, when_up)
        else:
            look_then_cancel()

    QTimer.singleShot(50, when_up)
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert box_default == ["Keep training", "Keep training"]
    assert done.args[0].status == "cancelled"


# ---------------------------------------------------------------- A2: the inspector while an answer streams

def _inspector_says(window) -> dict:
    inspector = window.inspector
    return {"hint": inspector.hint.text(), "explain": inspector.explain.status.text(),
            "branch": inspector.branch_button.isVisibleTo(inspector),
            "explain_button": inspector.explain.button.isVisibleTo(inspector)}


def test_a_finished_answers_token_says_the_model_is_busy_then_offers_its_actions_when_free(make_window, qtbot):
    window = make_window(max_new_tokens=8)
    ask(qtbot, window)
    first = answer_cards(window)[-1]
    seen = []

    def click_first(_batch):
        if not seen:
            window.show_token(first, 2)
            seen.append(_inspector_says(window))

    window.chat.tokens.connect(click_first)
    ask(qtbot, window, "Again?")
    window.chat.tokens.disconnect(click_first)
    while_writing = seen[0]
    assert "busy writing another answer" in while_writing["hint"], while_writing
    assert "busy writing another answer" in while_writing["explain"], while_writing
    assert "Prompt tokens" not in while_writing["hint"] and "finished answer" not in while_writing["explain"]
    assert not while_writing["explain_button"]
    qtbot.waitUntil(lambda: window.inspector.can_branch, timeout=WAIT_MS)  # no new click
    now = _inspector_says(window)
    assert now["branch"] and now["explain_button"] and "Pick another alternative" in now["hint"], now
    assert window.inspector.index == 2 and window.inspector.message_id == first.message_id


def test_a_token_of_the_answer_being_written_says_so_then_offers_its_actions_when_it_ends(make_window, qtbot):
    window = make_window(max_new_tokens=8)
    seen = []

    def click_streaming(_batch):
        card = window.cards.streaming
        if not seen and card is not None and card.records:
            window.show_token(card, 0)
            seen.append(_inspector_says(window))

    window.chat.tokens.connect(click_streaming)
    ask(qtbot, window)
    window.chat.tokens.disconnect(click_streaming)
    assert "still being written" in seen[0]["hint"] and "still being written" in seen[0]["explain"], seen[0]
    qtbot.waitUntil(lambda: window.inspector.can_branch, timeout=WAIT_MS)
    card = answer_cards(window)[-1]
    assert window.inspector.message_id == card.message_id is not None
    assert _inspector_says(window)["explain_button"]


# ---------------------------------------------------------------- A3: a question sent during "Why this token?"

def test_an_explanation_paused_for_a_question_says_so_and_finishes_after_the_answer(make_window, qtbot):
    from test_gui_explain import _gate_the_attribution

    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    window.show_token(card, 2)
    view = window.inspector.explain
    gate, handle = _gate_the_attribution(window)
    said, while_answering = [], []
    window.chat.state_changed.connect(lambda _s: said.append(view.status.text()))
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
        (task,) = window.chat.lane.find("explain")
        qtbot.waitUntil(lambda: task.state.value == "running", timeout=WAIT_MS)  # held at its gate
        window.chat.tokens.connect(lambda _batch: while_answering.append(
            (view.status.text(), view.contrib_caption.text(), view.button.isVisible() and view.button.isEnabled())))
        window.prompt.setFocus()
        qtbot.keyClicks(window.prompt, "And then?")
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
        assert task.cancel.is_set()  # the answer goes first, as before
    finally:
        gate.set()
        handle.remove()
    # the answer runs after the stopped attribution on the one model lane: at its first tokens, the view has heard
    qtbot.waitUntil(lambda: bool(while_answering), timeout=WAIT_MS)
    status, caption, button = while_answering[0]
    assert "Paused: your question goes first" in status and "goes on by itself from where it stopped when the answer ends" in status
    assert "not worked out" not in caption and "once the answer ends" in caption
    assert button  # or a click starts it again now
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # by itself, no click
    assert view.message_id == card.message_id and view.index == 2
    assert not any("was stopped" in text for text in said)


# ---------------------------------------------------------------- C10: the chosen thumb shows pressed

def _colour_pixels(button, colour: str) -> int:
    """Pixels of ``colour`` inside the button's border (its ring and frame left out)."""
    from PySide6.QtGui import QColor

    image, want = button.grab().toImage(), QColor(colour)
    near = lambda c: abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60  # noqa: E731
    return sum(near(image.pixelColor(x, y)) for x in range(5, image.width() - 5) for y in range(5, image.height() - 5))


def test_a_rated_answers_thumb_is_filled_in_its_colour(make_window, qtbot):
    from desktop_app.gui.theme import colors, is_dark

    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    rating = answer_cards(window)[-1].rating
    bad, good = colors(is_dark())["bad"], colors(is_dark())["good"]
    assert _colour_pixels(rating.down, bad) == 0 and _colour_pixels(rating.up, good) == 0
    qtbot.mouseClick(rating.down, Qt.MouseButton.LeftButton)
    assert rating.down.isChecked()
    assert _colour_pixels(rating.down, bad) > 25, "the thumb pressed looks like the one not pressed"
    assert _colour_pixels(rating.up, good) == 0
    qtbot.mouseClick(rating.up, Qt.MouseButton.LeftButton)
    assert _colour_pixels(rating.up, good) > 25 and _colour_pixels(rating.down, bad) == 0


# ---------------------------------------------------------------- C1: the tooltip's percentage column

def _percent_cells(html_text: str) -> list:
    """(left, right) of every percentage cell's text, as Qt lays out the tooltip's rich text."""
    import re

    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(html_text)
    doc.setTextWidth(600)
    layout, found, block = doc.documentLayout(), [], doc.begin()
    while block.isValid():
        if re.fullmatch(r"[\s\u00a0]*\d+\.\d%", block.text()):
            line = block.layout().lineAt(0).naturalTextRect()
            left = layout.blockBoundingRect(block).x() + line.x()
            found.append((round(left), round(left + line.width())))
        block = block.next()
    return found


def test_the_hover_tooltips_percentages_start_and_end_in_one_column(make_window, qtbot):
    """The figures of usertest9's screenshot: 10.5% above 6.7%, 5.3%, 3.1%, 2.9%."""
    from dataclasses import replace

    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    from desktop_app.core.records import Alternative

    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    view, record = card.view, card.records[1]
    top = [Alternative(record.id + k, f"tok{k}", p) for k, p in enumerate((0.105, 0.067, 0.053, 0.031, 0.029))]
    view.set_records([*card.records[:1], replace(record, top=top), *card.records[2:]])
    point = view.span_rect(1).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    cells = _percent_cells(QToolTip.text())
    assert len(cells) == 5, QToolTip.text()
    assert len(set(cells)) == 1, f"the rows' percentages are not in one column: {cells}"
