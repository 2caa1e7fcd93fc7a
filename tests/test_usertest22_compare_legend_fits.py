"""usertest22: the compare window's colour key fits the window it opens in. Beside a 1280x800 main
window it opened 525 px wide; its key's words, each on one line ("Under the adapter: about 3,000x less
likely, or more [bar] about 3,000x more likely"), made the view wider than that, and the view was cut
on the right ("about 3,000x less likely, c"). They now wrap there, and stay on one line where there is
room. pytest-qt, offscreen, the tiny model with a random LoRA, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui_ux20_fixes import wear_adapter, window  # noqa: E402,F401  (window: a fixture)
from test_usertest21_compare_focus import _answer_card, _settle  # noqa: E402

LOW, HIGH = "about 3,000\u00d7 less likely, or more", "about 3,000\u00d7 more likely, or more"


def _legend(view):
    return (view.legend_title, view.low_label, view.high_label)


def _open_compare(window, qtbot, tiny_model_dir):
    wear_adapter(qtbot, window, tiny_model_dir)
    card = _answer_card(window)
    window.open_compare(card.message_id)
    view = window.compare_dialog.view
    qtbot.waitUntil(lambda: view.low_label.text() != "")
    view.low_label.setText(LOW)  # the longest words legend_words gives (a change past the bar's ends)
    view.high_label.setText(HIGH)
    return window.compare_dialog


def test_in_a_narrow_compare_window_the_key_wraps_and_nothing_is_cut(window, qtbot, tiny_model_dir):
    dialog = _open_compare(window, qtbot, tiny_model_dir)
    dialog.resize(525, 600)
    _settle()
    view = dialog.view
    assert view.width() <= dialog.scroll.viewport().width(), "the view is wider than its window: cut on the right"
    for label in _legend(view):
        assert label.geometry().right() <= view.width()
        assert label.height() >= label.heightForWidth(label.width()), f"{label.text()!r} is cut"


def test_in_a_wide_compare_window_the_key_stays_on_one_line(window, qtbot, tiny_model_dir):
    dialog = _open_compare(window, qtbot, tiny_model_dir)
    dialog.resize(900, 600)
    _settle()
    for label in _legend(dialog.view):
        assert label.heightForWidth(label.width()) == label.heightForWidth(10_000), f"{label.text()!r} wrapped"
