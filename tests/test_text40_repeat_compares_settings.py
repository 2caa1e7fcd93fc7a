"""A click that would train again on the ratings a discarded run already had asks first ("with the same
settings it would most likely be discarded again"); with settings changed since that run it is no
repeat: no question, and the train button's tooltip says which settings differ. pytest-qt on the real
window (tiny GPT-2) and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import answer_modal  # noqa: E402
from test_counts39_gui_counts import kept_then_discarded, recount  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_changed_settings_make_a_click_on_a_discarded_runs_ratings_no_repeat(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    _answers, _kept, _adapter, discarded = kept_then_discarded(qtbot, window, tmp_path)
    store.update_run(discarded, settings=panel.settings().to_dict())  # what the click that started it recorded
    recount(qtbot, window)
    window.show_finetune()

    # the same settings: the question, as before
    seen = []
    answer_modal("Not now", seen)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert seen and "would most likely be discarded again" in seen[0][1]
    assert not window.finetune.running

    # another learning rate in Advanced: the tooltip says so at once, and a click trains without asking
    panel.advanced_button.click()
    panel.lr.setValue(0.001)
    assert panel.train_button.toolTip().startswith(
        f"Run {discarded} already trained on all of them. Your settings differ "
        f"from run {discarded}'s (learning rate): a click trains on them with yours.\nA fine-tune on your ")
    asked = []
    monkeypatch.setattr(panel, "confirm_same_ratings", lambda: asked.append(True) or False)
    panel.ask_before_cancel = False
    runs_before = len(store.list_runs())
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert not asked and window.finetune.running, "no repeat of run 2: it starts"
    # its row first: a cancel that reaches the worker before the row is written leaves none (a loaded machine)
    qtbot.waitUntil(lambda: len(store.list_runs()) > runs_before, timeout=WAIT_MS)
    window.finetune.cancel()
    qtbot.waitUntil(lambda: not window.finetune.running, timeout=WAIT_MS)
    assert store.list_runs()[0]["settings"]["lr"] == 0.001

    # back to run 2's settings: a repeat again
    panel.lr.setValue(0.0)
    assert panel.train_button.toolTip().startswith(f"Run {discarded} already trained on all of them: rate more")


def test_only_settings_that_shape_what_a_run_learns_count_as_changed():
    from desktop_app.core.train_settings import FineTuneSettings, settings_changes

    recorded = FineTuneSettings(lr=3e-4, case_practice_avoid=("x",)).to_dict()
    same = FineTuneSettings(lr=3e-4, case_practice_avoid=("x",), rescore=False, rescore_limit=2)
    assert settings_changes(recorded, same) == []  # re-scoring comes after the verdict; a tuple stored as a list
    assert settings_changes(recorded, FineTuneSettings(lr=1e-3, epochs=2, case_practice_avoid=("x",))) == ["epochs", "lr"]
    assert settings_changes({}, FineTuneSettings()) == [], "a row that kept no settings: the defaults"
