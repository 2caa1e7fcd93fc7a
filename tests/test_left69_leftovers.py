"""left69: small leftovers of the session's walks. An explain stopped by Ctrl+C asked to raise --steps; Copy
figures did not say whose figures they were; (more below). On the tiny model, a real store, real widgets."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("PySide6")

from test_explain69_why_token import CtrlCAtFirstPass, _explain, saved  # noqa: E402,F401
from test_gui_text import WAIT_MS  # noqa: E402


def test_an_attribution_stopped_by_ctrl_c_says_so_not_to_raise_its_steps(saved, capsys, monkeypatch):  # noqa: F811
    db, mid, _run = saved
    code, out = _explain(monkeypatch, capsys, CtrlCAtFirstPass(), str(mid), "--token", "2", "--db", db)
    assert code == 130
    header = next(line for line in out.splitlines() if "log-probability difference" in line)
    assert header.endswith(" (stopped before the last pass)"), header
    assert "raise --steps" not in out, "more steps cannot help a run that did not finish its own"


def _copied(qtbot, window) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().clear()
    qtbot.mouseClick(window.inspector.copy_button, Qt.MouseButton.LeftButton)
    return json.loads(QApplication.clipboard().text())


def test_copy_figures_names_the_adapter_the_row_names_for_text_and_chat_tokens(qtbot, qapp, tiny_model_dir):
    from desktop_app.core import adapters
    from gui_windows import ask, window_with_text
    from test_feel45_adapter_switch import saved_adapter, switched, use_selected

    with window_with_text(qtbot, qapp, tiny_model_dir, "Armstrong walked on the Moon in 1969.") as window:
        records = window.text_view.heatmap.records
        window.text_mode.show_token(2, records[2])
        copied = _copied(qtbot, window)
        assert "adapter" in copied and copied["adapter"] is None, "the base model's figures"
        aid = saved_adapter(window, tiny_model_dir, {})
        adapters.rename(window.chat.store, aid, "terse")
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            switched(qtbot, window, use_selected(window, aid))
        records = window.text_view.heatmap.records
        window.text_mode.show_token(2, records[2])
        assert _copied(qtbot, window)["adapter"] == {"id": aid, "name": "terse"}
        window.text_mode.set_mode("chat")
        ask(qtbot, window, "Hello")
        window.cards.show_token(window.transcript.cards[-1], 0)
        assert _copied(qtbot, window)["adapter"] == {"id": aid, "name": "terse"}, "its writer"
        window.chat.shutdown()


def test_figures_whose_adapter_is_not_known_name_none_and_a_deleted_one_keeps_its_number(store):
    from desktop_app.core import adapters
    from desktop_app.core.records import TokenRecord
    from desktop_app.core.token_figures import token_figures

    assert "adapter" not in token_figures(TokenRecord(1, "a", -0.1, 1, 0.2, ()), 0)
    assert adapters.figures_adapter(store, None)[1] is None
    assert adapters.figures_adapter(store, 999)[1] == {"id": 999, "name": None}


def _tip_at(view, index: int) -> str:
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)
    return cursor.charFormat().toolTip()


def test_a_streamed_pieces_tooltip_names_its_character_once_the_token_completing_it_comes(qtbot, tiny_model):
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.token_view import TokenView

    _ids, records = score_text(tiny_model, "\u65e5\u672c\u306e\u9996\u90fd")
    piece = next(i for i, r in enumerate(records) if r.text == "\u9996") - 1
    assert records[piece].text == "", "the tiny tokenizer splits \u9996 over tokens"
    view = TokenView()  # a chat answer's: tooltips set as each token is inserted
    qtbot.addWidget(view)
    for record in records:  # one token a time, as an answer streams
        view.append_records([record])
        if len(view.records) == piece + 1:
            assert "part of a character" in _tip_at(view, piece), "nothing completes it yet"
    assert "(part of \u201c\u9996\u201d)" in _tip_at(view, piece)


def test_a_short_texts_heatmap_takes_the_room_the_editor_had(qtbot, qapp, tiny_model_dir):
    from gui_windows import window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, "Armstrong walked on the Moon.") as window:
        view = window.text_view
        view.set_editing(True)
        editor_height = view.editor.height()
        view.set_editing(False)  # Done editing
        heatmap = view.heatmap
        line = heatmap.fontMetrics().lineSpacing()
        assert math.ceil(heatmap.document().size().height()) < 3 * line, "a short text: one line or two"
        qtbot.waitUntil(lambda: heatmap.height() >= editor_height - 2, timeout=WAIT_MS)
        assert not view.heatmap_scroll.verticalScrollBar().isVisible(), "the box fits its page: nothing to scroll"
        window.chat.shutdown()
