"""What the second new-user test found (usertest findings 6, 8-12): each on real widgets (pytest-qt,
offscreen, the tiny random GPT-2) and the real SQLite store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import text_opened  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


# ---------------------------------------------------------------- 6. the compare view has a visible way back

def test_compare_view_has_a_visible_close_button(make_window, qtbot):
    window = make_window()
    dialog = window.open_compare(None)
    QApplication.processEvents()
    back = dialog.close_button  # a window: Close (usertest 10 B5), where "Back to chat" said it was a page
    assert back.isVisible() and back.text() == "Close"
    assert "Esc" in back.toolTip(), "the tooltip tells the keyboard way back too"
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), "the button closes the compare view"


# ---------------------------------------------------------------- 8. "Continue with ..." belongs to the shown token

def test_continue_button_label_is_reset_when_another_token_is_shown(qapp):
    import math

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.inspector import BRANCH_LABEL, InspectorPanel

    def record(text, alt):
        top = (Alternative(5, text, 0.6), Alternative(9, alt, 0.3))
        return TokenRecord(5, text, math.log(0.6), 1, 1.0, top)

    panel = InspectorPanel()
    panel.show_token(1, 3, record(" city", " capital"), can_branch=True)
    panel.pick(1)
    assert "capital" in panel.branch_button.text() and panel.branch_button.isEnabled()
    panel.show_token(2, 7, record(" food", " fruit"), can_branch=True)
    assert panel.branch_button.text() == BRANCH_LABEL, "the alternative picked for ' city' is gone"
    assert not panel.branch_button.isEnabled()
    panel.pick(1)
    assert "fruit" in panel.branch_button.text()


# ---------------------------------------------------------------- 9. the outline names typed text at once

def test_branches_outline_shows_the_start_of_typed_text_before_any_continue(make_window, qtbot):
    from PySide6.QtGui import QTextCursor

    window = make_window(mode="text")
    text_opened(qtbot, window)  # a loaded CI opened it after the first look (no outline item yet)
    outline = window.text_view.branch_panel
    assert outline.item_for(None).text(0) == "Main text \u00b7 (empty)"
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        window.text_view.editor.setPlainText("Otters hold hands while they sleep in the kelp.")
        window.text_view.editor.moveCursor(QTextCursor.MoveOperation.End)
    # the outline is renamed when the edit is stored (the store lane), which may come after the analysis
    qtbot.waitUntil(lambda: outline.item_for(None).text(0).startswith("Main text \u00b7 Otters hold hands"),
                    timeout=WAIT_MS)


# ---------------------------------------------------------------- 10. the last run's report stays viewable

def _stored_kept_run(store, model_id, tmp_path):
    """A kept run and its adapter as a fine-tune stores them (the report lives in the run's metrics)."""
    metrics = {"margin_before": 0.27, "margin_after": 2.12, "probe_ppl_before": 20.0, "probe_ppl_after": 20.3,
               "gate_margin_on": "all", "heldout_size": 0}
    run = store.create_run({}, model_id)
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    adapter = store.add_adapter(folder, base_model=model_id, run_id=run, metrics=metrics)
    store.update_run(run, status="kept", metrics=metrics, adapter_id=adapter)
    return run, adapter


def test_last_run_report_survives_a_restart_an_interrupted_run_and_is_reopened_from_history(make_window, qtbot,
                                                                                          tmp_path):
    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    run, adapter = _stored_kept_run(store, loaded.model_id, tmp_path)
    store.create_run({}, loaded.model_id)  # a newer run the app never finished (killed mid-run): still 'running'
    window.close()
    again = make_window()  # the restart
    panel = again.finetune_side.panel
    QApplication.processEvents()
    assert panel.result_box.isVisibleTo(panel), "the newest finished run is reported after a restart"
    assert "0.27 \u2192 2.12" in panel.result_body.text()  # the margin, once, rounded (counts59)
    assert "was interrupted" in panel.result_body.text()  # and the run that never ended is named
    panel.result_box.hide()  # as when a new run starts
    history = panel.history
    history.select(adapter)
    assert history.report_button.isEnabled()
    qtbot.mouseClick(history.report_button, Qt.MouseButton.LeftButton)
    assert panel.result_box.isVisibleTo(panel) and f"adapter {adapter}" in panel.result_title.text()
    assert "2.12</b>" in panel.result_body.text()  # the margin once, rounded (counts59)


def test_ready_count_says_whether_the_ratings_are_new_since_the_last_run(make_window, qtbot, tmp_path):
    window = make_window()
    answer = ask(qtbot, window)["message_id"]
    store = window.chat.store
    store.rate_message(answer, 1)
    _stored_kept_run(store, window.chat.loaded.model_id, tmp_path)
    panel = window.finetune_side.panel
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    assert "Nothing new since run" in panel.ready_label.text() and "1 rating in all" in panel.ready_label.text()
    assert "already used all of them" in panel.ready_label.text()
    store.rate_message(answer, -1)  # changed its mind after the run
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    assert "1 new rating or better answer since run" in panel.ready_label.text()


# ---------------------------------------------------------------- 5. the repetition penalty in Settings

def test_settings_offer_a_repetition_penalty_saved_with_the_answer(make_window, qtbot):
    from desktop_app.core.generation import RECOMMENDED_SAMPLING

    window = make_window()
    popover = window.popover
    assert popover.repetition.value() == pytest.approx(RECOMMENDED_SAMPLING["repetition_penalty"]), \
        "a new user starts with the measured default"
    popover.repetition.setValue(1.25)
    assert window.chat.settings.repetition_penalty == pytest.approx(1.25), "the chat uses it at once"
    message_id = ask(qtbot, window)["message_id"]
    stored = window.chat.store.get_message(message_id)["settings"]
    assert stored["repetition_penalty"] == pytest.approx(1.25), "saved with the message's settings"


# ---------------------------------------------------------------- 11. a damaged database, in plain words

def test_corrupt_database_dialog_is_plain_with_sqlite_detail_behind_details(qapp, tmp_path):
    import os

    from desktop_app.core.store import CorruptDatabaseError, Store
    from desktop_app.gui.app import corrupt_database_box, moved_aside_words

    path = tmp_path / "app.sqlite3"
    store = Store.open(path)
    for i in range(40):
        conv = store.create_conversation(f"chat {i}")
        store.add_message(conv, "user", "words " * 200)
    store.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):  # page 1 stays: SQLite opens it and reports the pages
        data[offset:offset + 2048] = os.urandom(2048)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError) as info:
        Store.open(path)
    exc = info.value
    assert exc.detail, "SQLite said something about the damage"
    box, move, _recover = corrupt_database_box(exc)
    assert exc.detail not in box.text() and "btree" not in box.text().lower() and "page" not in box.text().lower()
    assert "cannot be read" in box.text() and "conversations are still in that file" in box.text()
    assert exc.detail in box.detailedText(), "the SQLite words are one click away"
    assert move.text() == "Move it aside and start fresh"
    backup = Store.move_aside(path)
    assert str(backup) in moved_aside_words(backup) and "conversations" in moved_aside_words(backup)


# ---------------------------------------------------------------- 12. the small ones

def _bottom_ticks(curve):
    axis = curve.plot.getPlotItem().getAxis("bottom")
    low, high = curve.plot.getPlotItem().viewRange()[0]
    return [v for _spacing, values in axis.tickValues(low, high, 300) for v in values]


def test_loss_chart_labels_whole_steps_before_and_during_a_run(qapp):
    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    curve.resize(300, 125)
    assert _bottom_ticks(curve) == [], "before a run says its steps no count shows (1-10 read as its own: usertest40)"
    curve.add(1, 2.0, 3)
    curve.add(2, 1.5, 3)
    ticks = _bottom_ticks(curve)
    assert ticks and all(float(v).is_integer() for v in ticks), ticks
    curve.clear()
    assert _bottom_ticks(curve) == []


def test_text_mode_drops_the_chat_token_and_the_prompt_scoring_switch(make_window, qtbot):
    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    window.show_token(card, 0)
    assert window.inspector.record is not None and window.inspector.explain.isVisibleTo(window.inspector)
    assert window.legend.score_prompts.isVisibleTo(window)
    window.set_mode("text")
    assert window.inspector.record is None, "the chat token is not shown beside the text"
    assert not window.inspector.explain.isVisibleTo(window.inspector), "nor its 'Why this token?'"
    assert not window.legend.score_prompts.isVisibleTo(window), "a text has no prompts to score"
    window.set_mode("chat")
    assert window.legend.score_prompts.isVisibleTo(window)


def test_empty_chat_welcome_uses_the_room_there_is(make_window):
    window = make_window()
    window.resize(1280, 800)
    for _ in range(5):
        QApplication.processEvents()
    empty = window.transcript.empty
    assert empty.isVisible() and empty.width() > 600
    assert empty.body.width() >= 450, "it wrapped in a ~190 px column in a 700 px area"
    assert empty.body.height() >= empty.body.heightForWidth(empty.body.width()), "no line is cut"
    window.resize(800, 600)
    for _ in range(5):
        QApplication.processEvents()
    assert empty.body.width() <= empty.width(), "a narrow window narrows it"


def test_settings_button_loses_its_hover_look_when_the_popup_closes_with_esc(make_window, qtbot):
    window = make_window()
    button, popover = window.settings_button, window.popover
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert popover.isVisible()
    button.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)  # what the pointer left behind under the popup
    qtbot.keyClick(popover, Qt.Key.Key_Escape)
    assert not popover.isVisible()
    assert not button.testAttribute(Qt.WidgetAttribute.WA_UnderMouse), "no stuck hover highlight"


def _flat_tool(window):
    from PySide6.QtWidgets import QToolButton

    return next(b for b in window.findChildren(QToolButton)
                if b.objectName() == "FlatTool" and b.isVisible() and b.isEnabled() and b.width() > 16)


@pytest.mark.parametrize("name", ["settings_button", "model_button", "flat tool"])
def test_keyboard_focus_draws_a_ring(make_window, qtbot, name):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    button = _flat_tool(window) if name == "flat tool" else getattr(window, name)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    window.prompt.setFocus()
    QApplication.processEvents()
    before = button.grab().toImage()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: button.hasFocus(), timeout=2000)
    QApplication.processEvents()
    after = button.grab().toImage()
    assert after.size() == before.size(), "the ring does not move anything"
    edge = [(x, 0) for x in range(6, before.width() - 6)]  # the top border, away from the rounded corners
    changed = sum(before.pixel(x, y) != after.pixel(x, y) for x, y in edge)
    assert changed > len(edge) // 2, "the border changes colour along its length when focused"


def test_export_dialog_opens_in_documents_then_where_the_last_export_went(make_window, qtbot, monkeypatch,
                                                                          tmp_path):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from desktop_app.gui import conversation_actions

    window = make_window()
    ask(qtbot, window)
    asked = []
    target = tmp_path / "exports" / "chat.md"
    target.parent.mkdir()

    def fake_dialog(_parent, _title, start, _pattern):  # the modal dialog itself cannot run in a test
        asked.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    with qtbot.waitSignal(window.conversation_files.saved, timeout=WAIT_MS):  # written on the store lane
        conversation_actions.export_conversation(window, window.chat.conversation_id, "markdown")
    first = Path(asked[0]).parent
    assert first != Path.cwd(), "not the process's working folder"
    assert first.name == "Documents" or first == Path.home()
    assert target.exists()
    window.cards.export_card(answer_cards(window)[-1], "json")
    assert Path(asked[1]).parent == target.parent, "the next dialog opens where the last export went"


def test_the_window_checkpoints_the_database_after_a_fine_tune_and_on_a_timer(make_window, qtbot, tmp_path):
    import shutil

    from desktop_app.core.store import Store
    from desktop_app.core.training import RunResult
    from desktop_app.gui.db_checkpoint import EVERY_MS

    window = make_window()
    ask(qtbot, window)
    window.chat.tasks.store.wait()
    assert window.checkpoints.isActive() and window.checkpoints.interval() == EVERY_MS
    window.finetune.finished.emit(RunResult(run_id=1, kept=False, adapter_id=None, reason="", status="cancelled"))
    window.tasks.store.wait()
    shutil.copy(window.chat.store.path, tmp_path / "copy.sqlite3")  # the .sqlite3 file alone, as a backup
    copy = Store.open(tmp_path / "copy.sqlite3")
    assert len(copy.list_conversations()) == 1, "the conversation is in the file, not only in its -wal"
    copy.close()


# ---------------------------------------------------------------- 12. the adapter history's buttons fill their rows

@pytest.mark.parametrize("width", [280, 340])
def test_adapter_history_buttons_fill_every_row(qapp, width):
    from desktop_app.gui.adapter_history import AdapterHistory
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    history = AdapterHistory()
    history.set_adapters([{"id": 1, "active": True, "created": "2026-12-03T03:35:27"}])  # with none they hide
    history.resize(width, 400)
    history.show()
    QApplication.processEvents()
    assert history.minimumSizeHint().width() <= width, "the buttons fit the narrowest dock"
    rows = [(history.use_button, history.rollback_button), (history.base_button, history.delete_button),
            (history.report_button, history.export_button)]
    left, right = history.use_button.geometry().left(), history.rollback_button.geometry().right()
    for row in rows:
        assert len({b.geometry().top() for b in row}) == 1, "one row"
        assert row[0].geometry().left() == left and abs(row[-1].geometry().right() - right) <= 1, \
            "the row spans the panel: none half full"
        for b in row:
            assert b.width() >= b.sizeHint().width(), f"{b.text()} is cut at {width} px"
    imp = history.import_button  # by the title: it adds to the list, it needs no selection
    assert imp.mapTo(history, imp.rect().bottomLeft()).y() < history.use_button.mapTo(history, QPoint(0, 0)).y()
    assert imp.width() >= imp.sizeHint().width()
    history.close()


def test_the_loss_charts_last_step_has_no_label_crowding_it_and_no_step_0(qapp):
    """27 planned steps at the panel's width: the 5-step level labelled 25 beside 27 (usertest40)."""
    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    curve.resize(300, 125)
    for total in (26, 27):
        curve.add(1, 2.0, total)
        levels = curve.plot.getPlotItem().getAxis("bottom").tickValues(*curve.plot.getPlotItem().viewRange()[0], 256)
        major = levels[0][0]
        ticks = [v for _spacing, values in levels for v in values]
        assert total in ticks, ticks
        assert not [v for v in ticks if total - major / 2 < v < total], (total, levels)
        assert min(ticks) >= 1, "a run has no step 0"
        curve.clear()
