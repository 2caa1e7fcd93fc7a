"""Leftovers of the user tests in the window (pytest-qt, the tiny model, the real window and store): the adapter
history's buttons in a short window (Ctrl+H)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from gui_windows import ctrl_h  # noqa: E402

# what a kept fine-tune stores: its history row takes four lines (name, when, the ratings, ordinary text)
FINE_TUNED = {"margin_before": 0.1, "margin_after": 0.5, "probe_ppl_before": 10.0, "probe_ppl_after": 10.05}


def _rows_in(view, widget) -> tuple[int, int]:
    """``widget``'s top and bottom in ``view``'s coordinates."""
    top = widget.mapTo(view, QPoint(0, 0)).y()
    return top, top + widget.height()


def _fine_tuned_adapters(window, tiny_model_dir, count: int) -> None:
    from desktop_app.core import adapters
    from tiny_model import random_lora

    for seed in range(1, count + 1):
        adapters.save_adapter(window.chat.store, random_lora(tiny_model_dir, seed), window.paths,
                              base_model=window.chat.loaded.model_id, run_id=None, parent_id=None, settings={},
                              metrics=FINE_TUNED)
    window.finetune_panel.refresh_adapters()


def test_ctrl_h_in_a_short_window_shows_the_history_buttons_and_its_list_scrolls(make_window, qtbot, tiny_model_dir):
    window = make_window()
    window.resize(870, 480)  # about the first size on a 1024x600 screen (85% of it, 510 px, less a title bar)
    _fine_tuned_adapters(window, tiny_model_dir, 4)
    ctrl_h(qtbot, window)
    panel, history = window.finetune_panel, window.finetune_panel.history
    assert QApplication.focusWidget() is history.list
    view = panel.viewport()
    for part in (history, history.buttons):
        top, bottom = _rows_in(view, part)
        assert 0 <= top and bottom <= view.height(), (type(part).__name__, top, bottom, view.height())
    assert history.list.verticalScrollBar().maximum() > 0, "the list scrolls to its other rows"


def test_ctrl_h_before_the_load_its_note_goes_once_the_model_has_loaded(make_window, qtbot):
    from desktop_app.gui.adapter_history import EMPTY
    from desktop_app.gui.shortcuts import open_adapter_history
    from gui_windows import WAIT_MS

    window = make_window(wait=False)
    history = window.finetune_panel.history
    history.set_adapters([], loading=True)  # as before the load: the adapters are not known yet
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        assert window.chat.loaded is None, "no event was handled since the window showed: the load cannot have ended"
        open_adapter_history(window)  # what Ctrl+H runs
        assert "once the model has loaded" in window.statusBar().currentMessage()
    said = window.statusBar().currentMessage()
    assert "once the model has loaded" not in said, "the note stayed its 8 s with the model there"
    assert history.empty.text() == EMPTY and history.empty.isVisible(), "the history's own words instead"


def test_at_1024_px_a_short_model_name_keeps_its_words_where_they_fit(make_window, qtbot):
    window = make_window()
    window.resize(1024, 600)
    area, button = window.prompt_area, window.prompt_area.model_button
    for name, words in (("gpt2", True), ("gpt2-medium (bundled, offline)", False), ("gpt2", True)):
        area.set_model_name(name)
        QApplication.processEvents()
        if words:
            assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon, (name, area.compactor.step)
            assert button.text() == name
        else:  # a name that does not fit still gives way, to the icon at this width
            assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, (name, area.compactor.step)
        # the row fits: every button whole, left to right, inside the prompt area
        row = [button, *area.buttons]
        edges = [(b.mapTo(area, QPoint(0, 0)).x(), b.mapTo(area, QPoint(b.width(), 0)).x()) for b in row]
        assert all(right <= next_left for (_l, right), (next_left, _r) in zip(edges, edges[1:])), edges
        assert edges[-1][1] <= area.width() and all(b.width() >= b.sizeHint().width() for b in row), edges


def test_an_answer_that_ends_taller_than_the_view_keeps_its_question_top_in_view(make_window, qtbot):
    from gui_windows import ask

    window = make_window(max_new_tokens=64)
    window.resize(1024, 600)
    QApplication.processEvents()
    ask(qtbot, window, "Hello, how are you?")
    QApplication.processEvents()
    transcript = window.transcript
    view = transcript.viewport()
    question, answer = transcript.cards[-2:]
    assert (question.role, answer.role) == ("user", "assistant")
    question_top, _ = _rows_in(view, question)
    answer_top, answer_bottom = _rows_in(view, answer)
    assert answer_bottom - question_top > view.height() - 16, "the question and its answer are taller than the view"
    assert question_top >= 0, f"the question's top is cut by {-question_top} px"
    assert answer_top < view.height() // 2, "the answer's start shows under it"
