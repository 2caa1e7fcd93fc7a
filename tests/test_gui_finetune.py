"""The window, part 2 (pytest-qt, offscreen, tiny random GPT-2): ratings made in the window,
the one-click fine-tune panel, adapter history, the compare view, chatting while training."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCharFormat  # noqa: E402
from PySide6.QtWidgets import QDialog  # noqa: E402

from desktop_app.core.palette import change_color  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from desktop_app.gui.chat import ChatState  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window, spans  # noqa: E402,F401

FAST = dict(max_steps=12, min_steps=12, lr=3e-3, reask_count=2, reask_tokens=12, heldout_fraction=0.0)
TRAIN_MS = 120_000


def underlines(view) -> dict:
    """token index -> underline style of its span."""
    found = {}
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            index = fmt.property(fmt.Property.UserProperty + 1)
            if index is not None and fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline:
                found[index] = fmt.underlineStyle()
            it += 1
        block = block.next()
    return found


def click_token(qtbot, card, index):
    rect = card.view.span_rect(index)
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert card.view.selected == index


def settle(window):
    from PySide6.QtWidgets import QApplication

    window.writer.wait()
    QApplication.processEvents()
    QApplication.processEvents()


def test_ratings_are_written_and_survive_a_restart(make_window, qtbot, monkeypatch):
    window = make_window()
    result = ask(qtbot, window, "Hello, how are you?")
    mid = result["message_id"]
    card = answer_cards(window)[-1]
    rating = card.rating
    store = window.chat.store
    assert rating.up.isEnabled() and not rating.up.isChecked()
    # thumbs toggle: up, up again clears, then down
    qtbot.mouseClick(rating.up, Qt.MouseButton.LeftButton)
    assert rating.up.isChecked()  # at once, before the write lands
    settle(window)
    assert store.message_rating(mid) == 1
    qtbot.mouseClick(rating.up, Qt.MouseButton.LeftButton)
    settle(window)
    assert store.message_rating(mid) is None and not rating.up.isChecked()
    qtbot.mouseClick(rating.down, Qt.MouseButton.LeftButton)
    settle(window)
    assert store.message_rating(mid) == -1 and rating.down.isChecked() and not rating.up.isChecked()
    assert card.property("rated") == "down"
    # token ratings: keys on the selected token, and the context menu
    assert len(card.records) >= 3
    click_token(qtbot, card, 0)
    qtbot.keyClick(card.view, Qt.Key.Key_Plus)
    click_token(qtbot, card, 2)
    rating._menu(card.view.span_rect(2).center())
    actions = [a for a in rating._last_menu.actions() if "is bad" in a.text()]
    actions[0].trigger()
    rating._last_menu.close()
    click_token(qtbot, card, 1)
    qtbot.keyClick(card.view, Qt.Key.Key_Minus)
    qtbot.keyClick(card.view, Qt.Key.Key_0)  # cleared again
    # the inspector's buttons rate the clicked token too (and toggle)
    inspector = window.inspector
    assert window.side_tabs.currentWidget() is inspector and inspector.rate_box.isVisible()
    qtbot.mouseClick(inspector.bad_button, Qt.MouseButton.LeftButton)
    assert rating.tokens.get(1) == -1 and inspector.bad_button.isChecked()
    qtbot.mouseClick(inspector.bad_button, Qt.MouseButton.LeftButton)
    assert 1 not in rating.tokens and not inspector.bad_button.isChecked()
    click_token(qtbot, card, 0)
    assert inspector.good_button.isChecked()
    settle(window)
    tokens = {r["token_index"]: r["value"] for r in store.ratings(mid) if r["token_index"] is not None}
    assert tokens == {0: 1, 2: -1}
    marks = underlines(card.view)
    assert marks == {0: QTextCharFormat.UnderlineStyle.SingleUnderline, 2: QTextCharFormat.UnderlineStyle.WaveUnderline}
    assert "1 good" in rating.token_summary.text() and "1 bad" in rating.token_summary.text()
    # a better answer, through the dialog
    from desktop_app.gui import ratings as ratings_module

    def fake_exec(dialog):
        assert dialog.editor.toPlainText() == card.message["text"]
        dialog.editor.setPlainText("I am fine, thank you for asking.")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ratings_module.CorrectionDialog, "exec", fake_exec)
    qtbot.mouseClick(rating.correct_button, Qt.MouseButton.LeftButton)
    settle(window)
    assert store.correction(mid) == "I am fine, thank you for asking."
    assert rating.correction_box.isVisible() and "thank you" in rating.correction_label.text()
    # the counts reach the fine-tune panel
    panel = window.finetune_panel
    qtbot.waitUntil(lambda: panel.tiles["token_ratings"].number.text() == "2"
                    and panel.tiles["corrections"].number.text() == "1", timeout=5000)
    # the 👎 and the better answer written for the same answer: one rating, as the ready line says, and
    # each tile says so (usertest26 read "0 bad answers" after a thumbs-down as wrong)
    assert panel.tiles["thumbs_down"].number.text() == "1"
    assert panel.tiles["thumbs_down"].note.text() == "with a better answer"
    assert panel.tiles["corrections"].number.text() == "1"
    assert panel.tiles["corrections"].note.text() == "for a disliked answer"
    assert panel.train_button.isEnabled()
    assert window.side_tabs.tabText(1).startswith("Fine-tune (")

    # restart: a new window on the same data folder shows the same state
    window.close()
    again = make_window()
    qtbot.waitUntil(lambda: any(c.message_id == mid for c in answer_cards(again)), timeout=5000)
    card2 = next(c for c in answer_cards(again) if c.message_id == mid)
    assert card2.rating.down.isChecked() and not card2.rating.up.isChecked()
    assert set(underlines(card2.view)) == {0, 2}
    assert card2.rating.correction_box.isVisible()
    qtbot.waitUntil(lambda: again.finetune_panel.tiles["corrections"].number.text() == "1", timeout=5000)


def rate_some_answers(qtbot, window):
    ids = []
    for i, text in enumerate(["Hello, how are you?", "What is the capital of France?", "Tell me a joke"]):
        window.new_conversation()
        result = ask(qtbot, window, text)
        card = answer_cards(window)[-1]
        qtbot.mouseClick(card.rating.down if i == 1 else card.rating.up, Qt.MouseButton.LeftButton)
        ids.append(result["message_id"])
    settle(window)
    return ids


def test_finetune_from_the_panel_compare_history_and_cancel(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    store = window.chat.store
    ids = rate_some_answers(qtbot, window)
    panel = window.finetune_panel
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=5000)
    panel.set_settings(FineTuneSettings(**FAST))
    window.show_finetune()
    seen, bars = [], []
    window.finetune.progress.connect(seen.append)
    window.finetune.progress.connect(  # after the panel's own slot: what the panel shows
        lambda p: p.phase == "training" and p.step and bars.append(
            (panel.bar.value(), panel.bar.maximum(), panel.eta_label.text(), panel.phase_label.text())))
    counted = []  # the measuring phase's counts (core.work_meter): a determinate bar, not a bouncing one
    window.finetune.progress.connect(
        lambda p: p.phase == "evaluating" and p.total and counted.append(
            (p.step, p.total, panel.bar.value(), panel.bar.maximum(), panel.phase_label.text())))
    status = []  # the status bar's short form of the same counts, with the panel's time left
    window.finetune.progress.connect(
        lambda p: p.phase == "evaluating" and p.total and status.append(
            (p.step, p.total, panel.eta_label.text(), window.finetune_side.label.text())))
    # chatting goes on while training runs
    while_training = {}

    def answered(result):
        while_training["running"] = window.finetune.running
        while_training["result"] = result

    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert window.finetune.running and not panel.train_button.isEnabled() and panel.cancel_button.isVisible()
        window.chat.answer_finished.connect(answered)
        window.prompt.setPlainText("Still there?")
        window.send()
        qtbot.waitUntil(lambda: "result" in while_training, timeout=WAIT_MS)
        assert while_training["running"], "the answer finished while the fine-tune was running"
        assert while_training["result"]["message_id"] is not None
    result = done.args[0]
    assert result.status == "kept", result.reason
    steps = [p.step for p in seen if p.phase == "training" and p.step]
    assert steps == list(range(1, 13))
    assert panel.curve.steps == steps and len(panel.curve.losses) == 12
    assert [b[:2] for b in bars] == [(i, 12) for i in range(1, 13)]
    assert "left" in bars[0][2] or "almost" in bars[0][2]
    assert bars[-1][3] == "Training: step 12 of 12" and not panel.progress_box.isVisible()
    assert counted and all((value, most) == (step, total) for step, total, value, most, _line in counted)
    lines = [c[-1] for c in counted]
    # the part named (leftovers60), then its own count
    assert any(x.startswith("Checking whether it helps: measuring the new adapter (re-asking your questions")
               and "): re-asking" in x for x in lines), lines
    for step, total, eta, label in status:  # "fine-tuning · checking whether it helps 7/12 · 20 s left"
        assert (label.startswith(f"fine-tuning \u00b7 checking whether it helps {step}/{total}")  # between two steps:
                or label.startswith(f"fine-tuning \u00b7 measuring your current model {step}/{total}")), label
        # (the panel says from which step training goes on, and a measuring's time so far where its later parts'
        # time is not known yet: waiting83; the status bar has no room for them)
        said = eta.removeprefix("about ").split(" from step ")[0].split(" so far, ")[-1]
        assert label.endswith(said), (label, eta)
    assert "Kept" in panel.result_title.text() and "preference margin" in panel.result_body.text()
    assert "Perplexity" in panel.result_body.toolTip()  # what the figures mean (words45)
    assert "perplexity" in panel.result_body.text()
    # the new adapter is switched in on the chat model and shown in the status bar
    # (loaded.adapter_id changes on the worker thread; the label follows when its signal
    # reaches the GUI thread, so wait for what the person sees)
    qtbot.waitUntil(lambda: window.adapter_label.text() == f"Adapter {result.adapter_id}", timeout=WAIT_MS)
    assert window.chat.loaded.adapter_id == result.adapter_id and window.chat.state is ChatState.IDLE
    assert store.active_adapter(window.chat.loaded.model_id)["id"] == result.adapter_id
    assert panel.history.active_id() == result.adapter_id
    assert "in use" in panel.history.list.item(0).text()

    # compare: one diverging colour per token (base -> active adapter)
    dialog = window.open_compare(ids[0])
    view = dialog.view
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    # scorings made on demand are stored through the store lane, after the view shows them, each side in its own
    # write: wait for both
    qtbot.waitUntil(lambda: all(store.token_records(ids[0], adapter_id=a, kind="rescored")
                                for a in (None, result.adapter_id)), timeout=WAIT_MS)
    before = store.token_records(ids[0], adapter_id=None, kind="rescored")
    after = store.token_records(ids[0], adapter_id=result.adapter_id, kind="rescored")
    assert len(view.values) == len(after) == len(before)
    found = spans(view.view)
    assert sorted(found) == list(range(len(after)))
    for i, (b, a) in enumerate(zip(before, after)):
        tooltip, bg, _text = found[i]
        # the view paints its own values; those match the stored difference up to the
        # arithmetic of another scoring batch (a CI once saw one colour step between them)
        assert bg.getRgb()[:3] == change_color(view.values[i], view.scale)
        assert abs(view.values[i] - (a.logprob - b.logprob)) < 0.02
        assert "before" in tooltip and "after" in tooltip
    assert "tokens rose" in view.summary.text()
    # an answer rated after the run: scored on demand with the chat model, then stored
    window.new_conversation()
    late = ask(qtbot, window, "One more")["message_id"]
    qtbot.mouseClick(answer_cards(window)[-1].rating.up, Qt.MouseButton.LeftButton)
    settle(window)
    view.show_message(late)
    qtbot.waitUntil(lambda: view.message_id == late and len(view.values) > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(store.token_records(late, adapter_id=result.adapter_id, kind="rescored")),
                    timeout=WAIT_MS)
    dialog.close()

    # cancel leaves the active adapter as it was
    panel.set_settings(FineTuneSettings(**{**FAST, "max_steps": 400, "min_steps": 400}))
    panel.ask_before_cancel = False  # (its question: test_gui_usertest9_fixes)
    cancel_at = []

    def maybe_cancel(p):
        if p.phase == "training" and p.step >= 2 and not cancel_at:
            cancel_at.append(p.step)
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    window.finetune.progress.connect(maybe_cancel)
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    window.finetune.progress.disconnect(maybe_cancel)
    assert done.args[0].status == "cancelled"
    assert "Cancelled" in panel.result_title.text()
    assert store.active_adapter(window.chat.loaded.model_id)["id"] == result.adapter_id
    assert window.chat.loaded.adapter_id == result.adapter_id
    assert window.adapter_label.text() == f"Adapter {result.adapter_id}"

    # history: one adapter has nothing to roll back to (usertest 10): the base model, use it again, delete
    assert not panel.history.rollback_button.isEnabled()
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.history.base_button, Qt.MouseButton.LeftButton)
    assert window.chat.loaded.adapter_id is None and window.adapter_label.text() == "base"
    assert store.active_adapter(window.chat.loaded.model_id) is None
    assert panel.history.active_id() is None and "base model" in panel.history.using.text()
    panel.history.select(result.adapter_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.history.use_button, Qt.MouseButton.LeftButton)
    assert window.adapter_label.text() == f"Adapter {result.adapter_id}"
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.history.base_button, Qt.MouseButton.LeftButton)
    assert window.adapter_label.text() == "base"
    panel.history.ask = False
    panel.history.select(result.adapter_id)
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.history.delete_button, Qt.MouseButton.LeftButton)
    assert store.list_adapters() == [] and panel.history.rows == []
    # the kept run's card, once its adapter is deleted, says so (never "adapter None") and offers no compare
    for adapter_id in (result.adapter_id, None):  # None: the run's row after the delete, as read on a restart
        panel._show_result("kept", "ok", {"margin_before": 0.1, "margin_after": 0.5}, adapter_id)
        assert "deleted" in panel.result_title.text() and "None" not in panel.result_title.text()
        assert panel.compare_button.isHidden()


def test_nothing_to_train_and_describe_run():
    from desktop_app.gui.finetune_words import describe_run
    from desktop_app.core.progress_words import eta_words

    title, body = describe_run("discarded", "the held-out margin did not move the right way (0.1 -> 0.05)",
                               {"margin_before": 0.1, "margin_after": 0.05, "heldout_size": 2,
                                "gate_margin_on": "heldout", "probe_ppl_before": 30.0, "probe_ppl_after": 30.3})
    assert title.startswith("Discarded") and "kept out of training" in body
    assert "30.00 \u2192 30.30" in body and "+1.0%" in body
    title, body = describe_run("kept", "ok", {"margin_before": 0.1, "margin_after": 0.5}, 4)
    assert "adapter 4" in title and "preference margin <b>0.10 \u2192 0.50</b>" in body  # once (counts59)
    assert eta_words(75) == "about 1 min left" and eta_words(None) == ""


def test_loss_curve_follows_a_live_light_dark_switch(qapp, qtbot):
    from PySide6.QtGui import QColor

    from desktop_app.gui.finetune_widgets import LossCurve
    from desktop_app.gui.theme import apply_theme, colors

    apply_theme(qapp, False)
    curve = LossCurve()
    qtbot.addWidget(curve)
    curve.add(1, 0.9, total=4)
    try:
        for dark in (True, False):
            apply_theme(qapp, dark)
            qapp.processEvents()
            assert curve.plot.backgroundBrush().color() == QColor(colors(dark)["card"])
            assert curve.curve.opts["pen"].color() == QColor(colors(dark)["accent"])
    finally:
        apply_theme(qapp, False)


def test_a_better_answer_is_saved_from_the_keyboard(qapp, qtbot):
    """Ctrl+Enter saves the correction; Tab leaves the text for the buttons, it types no tab."""
    from desktop_app.gui.ratings import CorrectionDialog

    dialog = CorrectionDialog("What is the capital of Italy?", "Rome is a city.", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible(), "nothing changed yet: nothing to save"
    dialog.editor.setPlainText("Answer: Rome.")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Tab)
    assert dialog.text() == "Answer: Rome." and not dialog.editor.hasFocus()
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.text() == "Answer: Rome."


def test_a_run_that_never_ended_is_reported_as_interrupted(make_window):
    """A run left "running" (the app was killed while it trained) is said to be interrupted at
    the next start, not hidden behind the report of an older run."""
    window = make_window()
    store, panel = window.chat.store, window.finetune_panel
    run_id = store.create_run({}, window.chat.loaded.model_id)
    panel.show_last_run()
    assert panel.result_title.text() == "Interrupted: nothing changed"
    assert f"run {run_id}" in panel.result_body.text() and "closed while it trained" in panel.result_body.text()


def test_ratings_made_from_the_terminal_count_when_the_window_is_active_again(make_window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    window = make_window()
    message_id = ask(qtbot, window)["message_id"]
    window.writer.wait()
    with Store.open(window.paths.db_path) as other:  # another process: gpt2-desk rate ID up
        other.rate_message(message_id, 1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS) as counted:
        QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))
    assert counted.args[0]["thumbs_up"] == 1


def test_time_left_is_as_rough_as_the_estimate():
    """usertest 8, A4: "about 4 min 39 s left", then "about 7 min 29 s left" three steps later."""
    from desktop_app.core.progress_words import eta_words, step_eta_words

    assert eta_words(279) == "about 5 min left" and eta_words(449) == "about 7 min left"
    assert eta_words(42) == "about 40 s left" and eta_words(4) == "a few seconds left"
    assert eta_words(0.5) == "almost done"
    assert step_eta_words(None) == "time left: known after a few steps" and step_eta_words(95) == "about 2 min left"
