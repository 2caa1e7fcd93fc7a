"""Leftovers 62, item 2: the quit question (shown while a fine-tune runs) names what closing deletes
for good; for a deleted text it said the adapters' "Undo delete" could not bring it back, though a
text comes back only with Ctrl+Z. Now each kind is named with its own undo. The words on their own,
and the question a real window asks (pytest-qt, the tiny GPT-2, a real fine-tune running)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401

HARBOUR = "\u201cHarbour\u201d"


def test_the_words_name_each_kinds_own_undo():
    from desktop_app.gui.quit_guard import undo_words

    assert undo_words([]) == "" and undo_words([], []) == ""
    assert undo_words(["adapter 2"]) == " Closing deletes adapter 2 for good: Undo delete cannot bring it back."
    assert undo_words([], [HARBOUR]) == f" Closing deletes the text {HARBOUR} for good: Ctrl+Z cannot bring it back."
    assert undo_words([], [HARBOUR, "\u201cGulls\u201d"]) == (
        f" Closing deletes the texts {HARBOUR} and \u201cGulls\u201d for good: Ctrl+Z cannot bring them back.")
    both = undo_words(["adapter 2"], [HARBOUR])
    assert both == (f" Closing deletes adapter 2 and the text {HARBOUR} for good: neither Undo delete nor Ctrl+Z "
                    "can bring them back.")


def test_closing_during_a_finetune_names_a_deleted_text_with_ctrl_z(make_window, qtbot):
    from desktop_app.core import documents
    from gui_windows import answer_modal, text_opened
    from test_gui_polish_finetune import _window_in_a_long_finetune

    window = _window_in_a_long_finetune(make_window, qtbot)
    window.set_mode("text")
    text_opened(qtbot, window)
    view, controller, undo = window.text_view, window.text, window.text_mode.undo
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        view.texts.new_document("The harbour was quiet that morning.", title="Harbour")
    text_opened(qtbot, window)
    undo._menu(view.documents.rect().center())
    with qtbot.waitSignal(controller.opened, timeout=WAIT_MS):
        next(a for a in undo.menu.actions() if a.text() == "Delete this text").trigger()
    undo.menu.close()
    assert "Harbour" not in [r["title"] for r in documents.list_documents(window.chat.store)]
    seen: list = []
    answer_modal("Stop and quit", seen)
    window.close()
    _question, informative = seen[0]
    assert f"Closing deletes the text {HARBOUR} for good: Ctrl+Z cannot bring it back." in informative
    assert "Undo delete" not in informative, "the adapters' button brings back no text"
