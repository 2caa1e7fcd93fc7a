"""The fine-tune card of a run discarded for degenerate re-asks alone (usertest 12): it says why, shows
the answers that went wrong before and after, and offers Use it anyway (the adapter in use, then in the
history) or Leave it (the files deleted). A run discarded for general text offers nothing. pytest-qt, a
real window, store and runs on the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import FAST, TRAIN_MS, rate_some_answers, settle  # noqa: E402,F401
from test_keep36_use_anyway import CLEAN, answers_were_clean, folders  # noqa: E402


def run_from_the_button(qtbot, window, **settings):
    panel = window.finetune_panel
    # the rate falling to a tenth, as when these were written: the tiny model's re-asks then degenerate at
    # update 12 and stay so at every checkpoint (at half, a step back finds a clean one and keeps the run)
    panel.set_settings(FineTuneSettings(**{**FAST, "rescore": False, "lr_end": 0.1, **settings}))
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=WAIT_MS)
    panel.confirm_same_ratings = lambda: True  # (the same ratings again, on purpose)
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    settle(window)
    return done.args[0]


def test_use_it_anyway_and_leave_it_on_a_run_discarded_for_its_answers(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    store, panel, paths = window.chat.store, window.finetune_panel, AppPaths.resolve()
    model_id = window.chat.loaded.model_id
    rate_some_answers(qtbot, window)
    window.show_finetune()

    harm = run_from_the_button(qtbot, window, max_ppl_rise=-0.99)  # refused for general text: no offer
    assert harm.status == "discarded" and harm.adapter_id is None and not harm.usable_anyway
    assert panel.consent_box.isHidden() and panel.consent_text.isHidden()  # nothing to offer
    assert panel.result_title.text() == "Discarded: your model is unchanged"

    answers_were_clean(paths)
    result = run_from_the_button(qtbot, window)
    assert result.usable_anyway, result.reason
    assert panel.result_title.text() == "Discarded: your model is unchanged"  # the check stays honest
    assert "Why:" in panel.result_body.text() and "degenerated" in panel.result_body.text()
    offer = panel.consent_text.text()
    assert panel.consent_text.isVisible() and "Only the re-asked answers failed the check" in offer
    bad = result.metrics["degenerate_answers"][0]
    assert f"before: \u201c{CLEAN}\u201d" in offer and bad["question"] in offer
    assert panel.use_anyway_button.text() == "Use it anyway" and panel.keep_current_button.text() == "Leave it"
    assert panel.use_anyway_button.isVisible() and panel.keep_current_button.isVisible()
    assert store.active_adapter(model_id) is None and window.chat.loaded.adapter_id is None
    assert panel.history.rows == []  # not in the history until used
    assert "use it anyway" in window.statusBar().currentMessage()
    panel.show_last_run()  # as after a restart: still offered
    assert panel.use_anyway_button.isVisible() and panel.keep_current_button.text() == "Leave it"

    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.use_anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.chat.loaded.adapter_id == result.adapter_id, timeout=WAIT_MS)
    assert store.active_adapter(model_id)["id"] == result.adapter_id
    qtbot.waitUntil(lambda: panel.consent_box.isHidden(), timeout=WAIT_MS)
    assert panel.result_title.text() == f"Discarded by the check, used anyway: adapter {result.adapter_id} is in use"
    assert [r["id"] for r in panel.history.rows] == [result.adapter_id]
    assert "used though the check advised against it" in panel.history.list.item(0).text()
    assert not panel.compare_button.isHidden()  # the adapter in use can be compared

    # back on the base model (whose clean answers the before-cache holds), another such run:
    # Leave it deletes its files, and the card says discarded
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.finetune.adapter_action("deactivate")
    settle(window)
    left = run_from_the_button(qtbot, window)
    assert left.usable_anyway, left.reason
    folder = Path(store.get_adapter(left.adapter_id)["path"])
    assert folder.is_dir() and panel.keep_current_button.isVisible()
    with qtbot.waitSignal(window.finetune.consent_settled, timeout=WAIT_MS) as answered:
        qtbot.mouseClick(panel.keep_current_button, Qt.MouseButton.LeftButton)
    assert answered.args == [left.run_id, "declined"]
    assert not folder.exists() and store.active_adapter(model_id) is None
    assert [r["id"] for r in panel.history.rows] == [result.adapter_id]
    assert panel.consent_box.isHidden() and panel.result_title.text() == "Discarded: your model is unchanged"
    assert len(folders(paths)) == 1
