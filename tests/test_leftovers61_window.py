"""leftovers61: what a new user met in the real window (usertest33's leftovers), mended. pytest-qt, offscreen,
the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.train_verdict import USE_ANYWAY  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)


def test_a_better_answer_box_opens_with_the_cursor_after_the_answer(qtbot):
    from desktop_app.gui.ratings import CorrectionDialog

    dialog = CorrectionDialog("What is the capital of Italy?", "Rome is a city", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.editor.setFocus()
    qtbot.keyClicks(dialog.editor, " in Italy.")
    assert dialog.text() == "Rome is a city in Italy.", "typing goes after the answer, not in front of it"


def _waiting_card(qtbot, window):
    """The Fine-tune tab showing a run's card that asks Keep / Use it anyway (the card a run discarded for its
    re-asks alone shows: core.train_verdict.decide)."""
    panel, store = window.finetune_panel, window.chat.store
    for i, question in enumerate(["Hello?", "What is the capital of France?", "Tell me a joke."]):
        cid = store.create_conversation(question)
        # each its own text: one text liked and disliked would add the ratings-that-disagree line's links (conflict106)
        answer = store.add_message(cid, "assistant", f"Hello there, {i}.",
                                   parent_id=store.add_message(cid, "user", question))
        store.rate_message(answer, 1 if i != 1 else -1)
    window.writer.recount()
    qtbot.waitUntil(panel.train_button.isEnabled)  # ratings enough for a run: the button below the card is a stop
    window.show_finetune()
    panel.last_run_id = 1
    panel._show_result("discarded", "loops", {USE_ANYWAY: True}, 4)
    QApplication.processEvents()
    assert panel.consent_box.isVisible() and panel.train_button.isVisible()
    return panel


def _tab_from(qtbot, window, start, forward: bool, count: int):
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    met = []
    for _ in range(count):
        key = Qt.Key.Key_Tab if forward else Qt.Key.Key_Backtab
        qtbot.keyClick(QApplication.focusWidget(), key,
                       Qt.KeyboardModifier.NoModifier if forward else Qt.KeyboardModifier.ShiftModifier)
        met.append(QApplication.focusWidget())
    return met


def test_tab_reaches_the_cards_question_before_the_train_button_below_it(window, qtbot):
    panel = _waiting_card(qtbot, window)
    keep, use, train = panel.keep_current_button, panel.use_anyway_button, panel.train_button
    above = lambda w: w.mapTo(panel.widget(), w.rect().topLeft()).y()  # noqa: E731
    assert above(keep) < above(train) and keep.x() < use.x(), "the card's question sits above, Keep at the left"
    met = _tab_from(qtbot, window, window.side_tabs.tabBar(), True, 12)
    assert keep in met and use in met and train in met
    assert met.index(keep) < met.index(use) < met.index(train), [w.objectName() or type(w).__name__ for w in met]
    back = _tab_from(qtbot, window, train, False, 2)
    assert back == [use, keep], "Shift+Tab goes back up the same way"


def test_enter_on_use_it_anyway_reached_with_shift_tab_presses_it(window, qtbot, monkeypatch):
    panel = _waiting_card(qtbot, window)
    answers = []
    monkeypatch.setattr(panel, "_settle", answers.append)  # the store's run 1 is made up: record the answer
    back = _tab_from(qtbot, window, panel.train_button, False, 1)
    assert back == [panel.use_anyway_button]
    # the person's finger still on Shift from Shift+Tab: Shift+Enter presses the button too
    qtbot.keyClick(panel.use_anyway_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: answers == [True])
    qtbot.keyClick(panel.use_anyway_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: answers == [True, True])


LONG_ANSWER = ("The old lighthouse keeper walked down to the harbour every morning before dawn, counting the boats "
               "that had come back in the night and writing their names in a little book.")


def _rated_long_answer(window):
    store = window.chat.store
    cid = store.create_conversation("A long answer")
    answer = store.add_message(cid, "assistant", LONG_ANSWER, parent_id=store.add_message(cid, "user", "A story?"))
    store.rate_message(answer, 1)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    return answer


def test_the_compare_answer_picker_cuts_with_an_ellipsis_and_tips_the_whole_answer(window, qtbot):
    from desktop_app.gui.compare_words import PICKER_TIP

    window.open_compare(_rated_long_answer(window))
    dialog = window.compare_dialog
    qtbot.waitExposed(dialog)
    combo = dialog.view.answer_combo
    assert LONG_ANSWER[:40] in combo.currentText()
    dialog.resize(420, 600)  # (the picker's own "…" ends the listed text: the box is narrower than even that)
    qtbot.waitUntil(lambda: combo.width() < combo.fontMetrics().horizontalAdvance(combo.currentText()))
    combo.grab()  # painted as on screen
    shown = combo.shown_text()
    assert shown.endswith("\u2026") and len(shown) < len(combo.currentText()) - 8, "cut, and said so with …"
    assert combo.toolTip().startswith(combo.currentText()) and PICKER_TIP in combo.toolTip()
    dialog.resize(1800, 600)
    qtbot.waitUntil(lambda: combo.width() > combo.fontMetrics().horizontalAdvance(combo.currentText()) + 60)
    combo.grab()
    tip = combo.toolTip()  # whole: the box's own tip (what the shown answer's mark means, then every mark's key)
    assert combo.shown_text() == combo.currentText() and not tip.startswith(combo.currentText())
    assert tip.endswith(f"All the marks: {PICKER_TIP}")


def test_the_compare_colour_key_shows_only_with_an_adapter_to_compare(window, qtbot, tiny_model_dir):
    from test_gui_ux20_fixes import wear_adapter

    window.open_compare(_rated_long_answer(window))
    view = window.compare_dialog.view
    qtbot.waitExposed(window.compare_dialog)
    assert "No adapter is in use" in view.summary.text()
    assert view.bar.isHidden() and view.legend_title.isHidden(), "no adapter: no colour key of nothing"
    assert view.expect_label.isHidden(), view.expect_label.text()  # not "so expect green", nor the note twice
    wear_adapter(qtbot, window, tiny_model_dir)
    view.refresh()
    qtbot.waitUntil(lambda: view.low_label.text() != "" and bool(view.values), timeout=20000)
    assert view.bar.isVisible() and view.legend_title.isVisible() and view.high_label.isVisible()
    assert "You liked this answer, so expect" in view.expect_label.text()  # an adapter to read it under


class _Screen:
    """A screen of a given free area (the offscreen platform's own is 800x600)."""

    def __init__(self, available):
        self.available = available

    def availableGeometry(self):  # noqa: N802 (Qt's name)
        return self.available


def test_a_token_click_on_a_680_px_screen_keeps_the_window_on_the_screen(window, qtbot, monkeypatch):
    from PySide6.QtCore import QRect

    from desktop_app.gui import view_toolbar

    monkeypatch.setattr(window, "screen", lambda: _Screen(QRect(0, 0, 680, 520)))
    frame = window.frameGeometry().width() - window.width()
    window.move(0, 0)
    window.resize(680 - frame, 520 - frame)  # the whole screen, frame and all
    window.panel_actions["conversations"].setChecked(True)
    window.panel_actions["side_tabs"].setChecked(False)  # the person had hidden it
    for attr in ("conversations", "side_tabs"):
        view_toolbar.show_as_wished(window, attr)
    _rated_long_answer(window)
    qtbot.waitUntil(lambda: window.conversations.isVisible() and not window.side_tabs.isVisible())
    card = next(c for c in window.transcript.cards if c.role == "assistant")
    qtbot.waitUntil(lambda: bool(card.records))  # a stored answer's tokens, scored by the model on opening
    window.cards.show_token(card, 0)  # what a click on its first token does
    qtbot.waitUntil(window.side_tabs.isVisible)
    for _ in range(5):
        QApplication.processEvents()
    assert window.frameGeometry().right() < 680, f"{window.frameGeometry()} past a 680 px screen"
    assert window.side_tabs.width() >= window.side_tabs.minimumWidth(), "the inspector whole"
    assert not window.conversations.isVisible(), "the list gave way for it"
    assert view_toolbar.panel_wishes(window)["conversations"], "folded for room, still wished: it comes back wider"


def test_the_pickers_line_for_a_long_answer_ends_after_a_whole_word():
    from desktop_app.gui.compare_words import answer_label

    line = answer_label(LONG_ANSWER)
    assert line.endswith("every\u2026\u201d") or line.endswith("morning\u2026\u201d"), line
    assert LONG_ANSWER.startswith(line.strip("\u201c\u201d").removesuffix("\u2026"))
