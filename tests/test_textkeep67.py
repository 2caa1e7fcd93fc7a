"""textkeep67: a writer's small problems in the Text tab and the inspector, in the real window (tiny GPT-2, a real
store): the chat's token kept across a visit to Text while an answer ends, each token's rating in the Text JSON
export, one font for the editor and the coloured text, the histograms and the Surprises order remembered between
starts, a rated branch's thumb that reads on its selected row."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSize, Qt  # noqa: E402
from PySide6.QtGui import QColor, QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, answered_window, opened_window, text_opened  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401
from test_text36_usertest12 import continued  # noqa: E402


def _click(qtbot, view, index: int) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.span_rect(index).center())


def _answer_card(window):
    return next(c for c in reversed(window.transcript.cards) if c.role == "assistant")


def test_a_token_picked_before_a_visit_to_text_shows_again_after_the_answer_ended(qtbot, qapp, tiny_model_dir):
    """Asked, then off to the Text tab before the answer started: back in Chat, the token picked in the earlier
    answer is still ringed and in the inspector, said to be of an earlier answer."""
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        earlier = _answer_card(window)
        _click(qtbot, earlier.view, 2)
        window.prompt.setPlainText("And then what happened?")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
            assert window.cards.streaming is None, "the answer starts once its prompt is stored"
            window.set_mode("text")
            text_opened(qtbot, window)
        QApplication.processEvents()
        assert _answer_card(window) is not earlier  # the new answer came under it
        window.set_mode("chat")
        QApplication.processEvents()
        inspector = window.inspector
        assert earlier.view.selected == 2, "the earlier answer lost its ring"
        assert (inspector.message_id, inspector.index) == (earlier.message_id, 2), \
            "the token picked was gone from the inspector back in Chat"
        assert inspector.record == earlier.records[2] and inspector.placeholder.isHidden()
        assert "an earlier answer" in inspector.source.text()
        window.chat.shutdown()


def test_a_token_picked_while_an_answer_streams_shows_again_after_it_ended_in_text(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        window.popover.max_new.setValue(400)
        window.prompt.setPlainText("And then what happened?")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
            qtbot.waitUntil(lambda: window.cards.streaming is not None and len(window.cards.streaming.records) > 3,
                            timeout=WAIT_MS)
            card = window.cards.streaming
            _click(qtbot, card.view, 2)
            assert window.inspector.index == 2 and window.chat.generating, "picked while it streams"
            window.set_mode("text")
            text_opened(qtbot, window)
        QApplication.processEvents()
        window.set_mode("chat")
        QApplication.processEvents()
        inspector = window.inspector
        assert card is _answer_card(window) and card.message_id is not None
        assert (inspector.message_id, inspector.index) == (card.message_id, 2), \
            "the token picked in the answer was gone from the inspector back in Chat"
        assert inspector.record == card.records[2] and inspector.placeholder.isHidden()
        window.chat.shutdown()


def test_the_json_export_gives_each_tokens_rating(window, qtbot, tmp_path):
    view = window.text_view
    continued(qtbot, window)
    data_before = _exported(window, qtbot, tmp_path / "before.json")
    assert all(t["rating"] is None for t in data_before["tokens"])
    # whole characters (a character split over tokens keeps its rating on its first token)
    model_tokens = [i for i, t in enumerate(data_before["tokens"])
                    if t["by"] == "model" and t["text"].strip() and "\ufffd" not in t["text"]]
    liked, disliked = model_tokens[0], model_tokens[1]
    window.text_mode.rate_token(liked, 1)
    window.text_mode.rate_token(disliked, -1)
    settle(window)
    qtbot.waitUntil(lambda: window.text_mode.rated_values() == {liked: 1, disliked: -1}, timeout=WAIT_MS)
    data = _exported(window, qtbot, tmp_path / "after.json")
    ratings = {i: t["rating"] for i, t in enumerate(data["tokens"]) if t["rating"] is not None}
    assert ratings == {liked: 1, disliked: -1}
    assert data["tokens"][liked]["by"] == "model" and view.heatmap.records[liked].text == data["tokens"][liked]["text"]


def _exported(window, qtbot, path) -> dict:
    with qtbot.waitSignal(window.text_view.analysis_tools.exported, timeout=WAIT_MS):
        window.text_view.analysis_tools.export("json", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_editor_and_the_coloured_text_share_one_font(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        view = window.text_view
        view.editor.ensurePolished()
        view.heatmap.ensurePolished()
        editor, coloured = view.editor.font(), view.heatmap.font()
        assert (editor.family(), editor.pointSizeF()) == (coloured.family(), coloured.pointSizeF())
        assert view.editor.fontMetrics().lineSpacing() == view.heatmap.fontMetrics().lineSpacing()


def test_the_histograms_and_the_surprises_order_are_as_left_at_the_next_start(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        order = window.text_view.surprises.panel.order
        histograms = window.text_view.summary_panel.histograms_button
        assert order.currentIndex() == 0 and not histograms.isChecked()  # as at a first start
        order.setCurrentIndex(order.count() - 1)
        chosen = order.currentData()
        histograms.setChecked(True)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        order = window.text_view.surprises.panel.order
        assert order.currentData() == chosen and window.text_view.summary_panel.histograms_button.isChecked()
        order.setCurrentIndex(0)
        window.text_view.summary_panel.histograms_button.setChecked(False)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        assert window.text_view.surprises.panel.order.currentIndex() == 0
        assert not window.text_view.summary_panel.histograms_button.isChecked()


def _middle_colour(item_icon: QIcon, mode) -> QColor:
    """The thumb's ink: the most opaque pixel's colour of the icon drawn in ``mode``."""
    image = item_icon.pixmap(QSize(32, 32), mode).toImage()
    pixels = (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height()))
    return max(pixels, key=lambda c: c.alpha())


def test_a_rated_branchs_thumb_is_white_on_its_selected_row(window, qtbot):
    view = window.text_view
    continued(qtbot, window)
    panel = view.branch_panel
    panel.up_button.click()
    settle(window)
    item = next(i for i in panel.items() if i.data(0, Qt.ItemDataRole.UserRole + 1) == 1)
    normal = _middle_colour(item.icon(0), QIcon.Mode.Normal)
    selected = _middle_colour(item.icon(0), QIcon.Mode.Selected)
    assert normal.green() > normal.red() + 40, "green on an unselected row, as the button's"
    assert min(selected.red(), selected.green(), selected.blue()) > 230, "white on the selection's blue"
