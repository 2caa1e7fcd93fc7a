"""usertest26: the inspector's chart of alternatives is a Tab stop; ↑ ↓ pick a row and Enter
continues the answer from it. The keyboard went from "good" / "bad" past the chart to "Explain
this token", so "Continue with this alternative" stayed off and a branch needed the mouse
(pytest-qt, offscreen, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui import focus_order  # noqa: E402
from gui_windows import answered_window  # noqa: E402

WAIT_MS = 60_000
INDEX = 2  # the answer's token the branch starts at


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


def _show_token(window, index=INDEX):
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(index)
    window.show_token(card, index)
    QApplication.processEvents()
    return card


def _tab_to(window, target, limit=12):
    """Tab (the window's own order, focus_order.step) from the inspector's "bad" until ``target``."""
    window.inspector.bad_button.setFocus()
    for _ in range(limit):
        if window.focusWidget() is target:
            return True
        focus_order.step(window, forward=True)
    return window.focusWidget() is target


def test_tab_reaches_the_chart_of_alternatives_after_the_rating_buttons(window):
    _show_token(window)
    assert _tab_to(window, window.inspector.chart, limit=3), window.focusWidget()


def test_arrows_pick_an_alternative_and_enter_continues_from_it(window, qtbot):
    card = _show_token(window)
    record = card.records[INDEX]
    chart, inspector = window.inspector.chart, window.inspector
    chart.setFocus()
    row = next(i for i, a in enumerate(record.top) if a.id != record.id)
    for _ in range(row + 1):  # the first ↓ picks the top row
        qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.current == row and inspector.selected_alternative() == record.top[row]
    assert inspector.branch_button.isEnabled()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    branched = window.chat.store.token_records(finished.args[0]["message_id"])
    assert branched[INDEX].id == record.top[row].id


def test_enter_on_the_token_already_there_starts_nothing(window, qtbot):
    card = _show_token(window)
    index = next(i for i, r in enumerate(card.records) if r.id in {a.id for a in r.top})  # sampled among them
    record = _show_token(window, index).records[index]
    chart = window.inspector.chart
    chart.setFocus()
    same = next(i for i, a in enumerate(record.top) if a.id == record.id)
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    for _ in range(same):
        qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.current == same and not window.inspector.branch_button.isEnabled()
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert not window.chat.generating and window.regenerate_button.isEnabled()
