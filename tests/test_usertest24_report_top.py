"""The adapter history's Report… (pytest-qt, the real window, the tiny model, a run stored as a fine-tune stores
it): a report's card taller than the Fine-tune panel was scrolled to by ``ensureWidgetVisible``, which centres
a widget taller than the view, so Report… opened on the card's middle pairs with its title ("Kept: adapter 1 is
now in use") and its first lines above the view (usertest 24). The card now shows from its title."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune_again import METRICS, rated_and_trained  # noqa: E402
from test_polish36_card_words import HOW_TO, _run  # noqa: E402


def test_report_shows_a_tall_card_from_its_title(make_window, qtbot, tmp_path, monkeypatch):
    import test_gui_finetune_again as again

    monkeypatch.setattr(again, "METRICS", {**METRICS, "taught": _run(HOW_TO)})  # a card of many pairs
    window = make_window(max_new_tokens=6)
    window.resize(1024, 600)
    _run_id, adapter = rated_and_trained(qtbot, window, tmp_path)
    window.show_finetune()
    panel = window.finetune_panel
    history = panel.history
    window.finetune.adapters_changed.emit()  # as a kept run tells it: the history lists the new adapter
    qtbot.waitUntil(lambda: history.list.count() == 1, timeout=5000)
    history.select(adapter)
    assert history.selected_id() == adapter
    panel.verticalScrollBar().setValue(panel.verticalScrollBar().maximum())  # where the history is
    qtbot.mouseClick(history.report_button, Qt.MouseButton.LeftButton)
    box = panel.result_box
    qtbot.waitUntil(lambda: box.isVisible() and panel.verticalScrollBar().value() < panel.verticalScrollBar().maximum(),
                    timeout=5000)
    QApplication.processEvents()
    assert box.height() > panel.viewport().height(), "the card is taller than the panel"
    title_top = panel.result_title.mapTo(panel.viewport(), QPoint(0, 0)).y()
    assert 0 <= title_top < panel.viewport().height() // 3, title_top
