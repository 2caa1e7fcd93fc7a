"""Usertest 6 findings in the window: a focused checkbox shows its tick (F5); a Text-mode error
stays on its tab (F4); one copy of the app per data folder (F8); an exception in a slot is shown;
cards fit a narrow chat (F3); deleting a conversation a running fine-tune learns from warns (F6);
the heatmap's share of the Text tab (F1); and the smaller items (compare pair words, the adapter
in the status bar while loading, a run stopped before this start, exports with better answers,
the export dialog's height)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _focused_box_image(qtbot, qapp, checked: bool):
    from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

    host = QWidget()
    qtbot.addWidget(host)
    box = QCheckBox("Greedy")
    QVBoxLayout(host).addWidget(box)
    box.setChecked(checked)
    host.show()
    host.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=WAIT_MS)
    return box.grab().toImage()


@pytest.mark.parametrize("dark", [False, True])
def test_a_focused_checkbox_shows_whether_it_is_ticked(qtbot, qapp, dark):
    """F5: the focus ring made Qt draw the indicator itself, with no tick: ticked and
    unticked looked the same while the box had the keyboard."""
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=dark)
    try:
        assert _focused_box_image(qtbot, qapp, True) != _focused_box_image(qtbot, qapp, False)
    finally:
        apply_theme(qapp, dark=False)


def test_a_text_mode_error_stays_on_the_text_tab(make_window, qtbot, tmp_path):
    """F4: a file too large to open is the text's error, not the conversation's: leaving the
    Text tab takes its red banner away; a window-wide error stays."""
    from desktop_app.core.documents import MAX_FILE_BYTES

    window = make_window(mode="text")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    assert window.text_mode.view.open_file(str(big))
    banner = window.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert "larger than" in banner.label.text()
    window.text_mode.set_mode("chat")
    assert not banner.isVisible()
    window.show_error("No model is loaded: choose one with the model button.")
    window.text_mode.set_mode("text")
    window.text_mode.set_mode("chat")
    assert banner.isVisible()


def test_a_second_copy_on_the_same_data_asks_and_can_quit(qtbot, qapp, tmp_path):
    """F8: the first copy holds the data folder's lock; the second is told, and quits unless
    the person opens it anyway."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.gui.instance_lock import take_data_lock

    first = take_data_lock(tmp_path)
    assert first is not None and first.isLocked()
    seen = []

    def answer(label):
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == label).click()

    QTimer.singleShot(0, lambda: answer("Quit"))
    assert take_data_lock(tmp_path) is None
    assert "already running on this data folder" in seen[0] and str(tmp_path) in seen[0]
    QTimer.singleShot(0, lambda: answer("Open anyway"))
    second = take_data_lock(tmp_path)
    assert second is not None and not second.isLocked() and first.isLocked()
    first.unlock()


def test_a_lock_left_by_a_killed_copy_does_not_block(tmp_path):
    """F8: a copy killed without unlocking leaves its lock file; its process is gone, so the
    next start takes the lock without asking."""
    import subprocess
    import sys

    from desktop_app.gui.instance_lock import LOCK_NAME, take_data_lock

    script = ("import sys, time\nfrom PySide6.QtCore import QLockFile\n"
              f"lock = QLockFile({str(tmp_path / LOCK_NAME)!r}); assert lock.tryLock(0)\n"
              "print('locked', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    child.kill()
    child.wait()
    assert (tmp_path / LOCK_NAME).exists()
    lock = take_data_lock(tmp_path, ask=True)  # no box may open: nothing would answer it
    assert lock is not None and lock.isLocked()
    lock.unlock()


def test_an_exception_in_a_slot_is_shown_and_logged(make_window, qtbot, caplog):
    """Usertest 6: a button whose slot raised did nothing visible. The hook shows a short line
    in the error banner and logs the whole traceback."""
    import logging

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from desktop_app.gui.slot_errors import SlotErrors

    window = make_window(wait=False)
    button = QPushButton("Compare", window)

    def broken():
        raise ImportError("cannot import name 'corrections_after_run'")

    button.clicked.connect(broken)
    button.show()
    guard = SlotErrors(window)
    try:
        with caplog.at_level(logging.ERROR, logger="desktop_app.gui.slot_errors"):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    finally:
        guard.uninstall()
    banner = window.error_banner
    assert banner.isVisible() and "ImportError: cannot import name" in banner.label.text()
    assert "gpt2-desk.log" in banner.label.text()
    assert window.statusBar().currentMessage().startswith("Something went wrong")
    assert any(r.exc_info and "in broken" in caplog.text for r in caplog.records)


def _show_every_panel(window):
    """As the person does with Ctrl+B / Ctrl+Shift+B: shown although the window folded them."""
    for action in window.panel_actions.values():
        if not action.isChecked():
            action.trigger()


@pytest.mark.parametrize("width", [800, 640])
def test_cards_fit_a_narrow_chat_with_both_panels_shown(make_window, qtbot, width):
    """F3: at 800 px with the conversation list (and 640 with the side panel) shown, the cards
    kept a minimum width wider than the chat and were cut off on the right, with their export
    button. Now their buttons take a row of their own and every card fits."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from test_gui import ask

    window = make_window(max_new_tokens=6)
    ask(qtbot, window, "What is the largest planet in the solar system?")
    window.resize(width, 600)
    QApplication.processEvents()
    _show_every_panel(window)
    qtbot.waitUntil(lambda: window.side_tabs.isVisible() and window.conversations.isVisible(), timeout=WAIT_MS)
    transcript = window.transcript
    viewport = transcript.viewport()

    def right_edge(widget):
        return widget.mapTo(viewport, QPoint(widget.width(), 0)).x()

    def fits():
        QApplication.processEvents()
        answer = transcript.cards[-1]
        return (transcript.widget().width() <= viewport.width() and answer.export_button.isVisible()
                and all(right_edge(card) <= viewport.width() for card in transcript.cards)
                and right_edge(answer.export_button) <= viewport.width())

    qtbot.waitUntil(fits, timeout=WAIT_MS)
    assert viewport.width() < 420  # the chat is narrow here: the case the finding was about


def _answer_box(label, seen):
    from PySide6.QtWidgets import QApplication, QMessageBox

    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    seen.append(box.text())
    next(b for b in box.buttons() if b.text().replace("&", "") == label).click()


def test_deleting_a_conversation_a_running_fine_tune_learns_from_warns(make_window, qtbot):
    """F6: the delete question says that the running fine-tune learns from this conversation's
    ratings (and defaults to No); after the delete, the adapter buttons stay off during the run."""
    from PySide6.QtCore import Qt, QTimer

    from desktop_app.core.train_settings import FineTuneSettings
    from test_gui import answer_cards, ask
    from test_gui_finetune import FAST, TRAIN_MS

    window = make_window(max_new_tokens=8)
    ask(qtbot, window, "What is the capital of France?")
    qtbot.mouseClick(answer_cards(window)[-1].rating.up, Qt.MouseButton.LeftButton)
    rated = window.chat.conversation_id
    window.new_conversation()
    ask(qtbot, window, "Tell me a joke")
    plain = window.chat.conversation_id
    panel = window.finetune_panel
    panel.ask_before_cancel = False  # (its question: test_gui_usertest9_fixes)
    qtbot.waitUntil(panel.train_button.isEnabled, timeout=WAIT_MS)
    panel.set_settings(FineTuneSettings(**{**FAST, "max_steps": 400, "min_steps": 400}))
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert window.finetune.running
        seen = []
        QTimer.singleShot(0, lambda: _answer_box("No", seen))
        window.conversations._confirm_delete(rated, "What is the capital of France?")
        assert "fine-tune is running and learning from this conversation's 1 rated answer" in seen[0]
        QTimer.singleShot(0, lambda: _answer_box("Yes", seen))
        window.conversations._confirm_delete(plain, "Tell me a joke")
        assert "fine-tune" not in seen[1]  # nothing rated there: the plain question
        listed = lambda: {c["id"] for c in window.chat.store.list_conversations()}  # noqa: E731
        qtbot.waitUntil(lambda: plain not in listed(), timeout=WAIT_MS)
        assert rated in listed()
        history = panel.history
        assert not (history.base_button.isEnabled() or history.rollback_button.isEnabled()
                    or history.use_button.isEnabled() or history.delete_button.isEnabled())
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)


def test_the_heatmap_gets_most_of_the_text_tab_at_the_default_size(make_window, qtbot):
    """F1: at the default window (1088x680) the heatmap had four or five lines: the editor took
    2/5 of the height and the summary kept its histograms. Now the text shows once (coloured, or
    in the editor: usertest 11) and has most of the tab's height; the histograms give theirs."""
    from PySide6.QtWidgets import QApplication

    window = make_window(mode="text", wait=False)
    window.resize(1088, 680)
    view = window.text_mode.view
    window.text_mode.set_mode("text")
    qtbot.waitUntil(lambda: view.pages.height() > 0, timeout=WAIT_MS)
    QApplication.processEvents()
    assert view.pages.height() >= 0.5 * view.height()
    assert view.summary_panel.probabilities.isHidden()
    text_before, view_before = view.pages.height(), view.height()
    window.resize(1088, 780)
    qtbot.waitUntil(lambda: view.height() > view_before, timeout=WAIT_MS)
    QApplication.processEvents()
    # (at 780 px the tab is tall enough for the histograms, which take most of the new height)
    assert view.pages.height() >= 0.95 * text_before



def test_the_pair_box_says_when_its_run_did_not_learn_it_and_when_it_is_being_scored():
    """Usertest 6: "The pair you taught" stood over a pair written after the run, and "pick #22
    above" over answer #22 while #22 was picked and being scored."""
    from desktop_app.gui.compare_words import pair_words

    taught = pair_words(22, None, None, "adapter 1")
    assert "The pair you taught" in taught and "pick it above" in taught and "#22" not in taught
    later = pair_words(22, None, None, "adapter 1", later_run=1, answer_shown=True)
    assert "The pair you taught" not in later and "after run 1 started (that run did not learn it)" in later
    assert "pick it above" not in later and "being scored under both models" in later


def test_the_status_bar_names_the_adapter_that_loads_with_the_model(make_window, qtbot, tmp_path):
    """Usertest 6: while the model loaded, the status bar's corner said "base" although the
    last session's adapter loads with it; a model that fails to load leaves "base"."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import open_settings

    paths = AppPaths.resolve().ensure()
    with Store.open(paths.db_path) as store:
        adapter = store.add_adapter(str(tmp_path / "adapter"), base_model="m-test")
        store.set_active_adapter(adapter, "m-test")
    open_settings(paths).setValue("model_id", "m-test")
    window = make_window(spec=str(tmp_path / "no-model-here"), wait=False)
    assert window.adapter_label.text() == f"Adapter {adapter}"
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=WAIT_MS)  # the model is not there
    assert window.adapter_label.text() == "base"


def test_a_run_stopped_before_this_start_is_mentioned_above_the_last_report(make_window):
    """Usertest 6: after "Stop and quit" during run 2, the next start showed run 1's report as
    if nothing had happened (and later "Run 3 was cancelled" named a run never seen)."""
    window = make_window()
    store, panel = window.chat.store, window.finetune_panel
    model_id = window.chat.loaded.model_id
    first = store.create_run({}, model_id)
    store.update_run(first, status="discarded", reason="It did not help enough.")
    second = store.create_run({}, model_id)
    store.update_run(second, status="cancelled")
    panel.show_last_run()
    body = panel.result_body.text()
    assert f"Run {second} was stopped before it finished" in body and f"run {first}'s report" in body


def test_a_conversation_export_keeps_the_persons_better_answers_and_ratings():
    """Usertest 6 (F12): the Markdown and JSON exports had question and answer only: the
    person's better answer ("Answer: 7.") was lost."""
    import json

    from desktop_app.core import conversation_export as cx

    thread = [{"id": 1, "parent_id": None, "role": "user", "text": "How many days are in a week?"},
              {"id": 2, "parent_id": 1, "role": "assistant", "text": "A day is a finite being.",
               "model_id": "m/SmolLM2", "adapter_id": 1}]
    corrections, ratings = {2: "Answer: 7."}, {2: -1}
    text = cx.conversation_markdown("Days", thread, corrections=corrections, ratings=ratings)
    assert "### Your better answer\n\nAnswer: 7." in text and "You rated this answer bad" in text
    data = json.loads(cx.conversation_json({"id": 5, "title": "Days"}, thread, [1, 2], ratings, corrections))
    answer = data["messages"][1]
    assert answer["better_answer"] == "Answer: 7." and answer["rating"] == -1
    assert data["messages"][0]["better_answer"] is None


def test_the_export_dialog_grows_instead_of_squashing_its_fields(make_window, qtbot, tmp_path):
    """Usertest 6: while exporting, the progress bar and status squeezed the disabled Format and
    Save-as fields so their text was cut at the bottom."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.adapter_export import ExportDialog

    window = make_window(wait=False)
    store = window.chat.store
    adapter = store.add_adapter(str(tmp_path / "adapter"), base_model="m-test")
    dialog = ExportDialog(store, window.paths, adapter, window.finetune.tasks.training, window)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    dialog._set_running(True)
    dialog.status.setText("Exporting\u2026")
    qtbot.waitUntil(lambda: dialog.height() >= dialog.layout().minimumSize().height(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.format.height() >= dialog.format.minimumSizeHint().height()
                    and dialog.path.height() >= dialog.path.minimumSizeHint().height(), timeout=5000)
    assert dialog.width() >= 440
    dialog._set_running(False)


def test_a_drop_down_list_opens_tall_enough_for_its_items(qtbot, qapp):
    """F9: the export dialog's format list (four items) opened 3.5 rows tall with a scroll
    arrow (a dialog away from the screen's top; Fusion's popup over the box). It shows on a real
    display (QT_QPA_PLATFORM=xcb); offscreen the popup had its height either way."""
    from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout

    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QComboBox()
    QFormLayout(dialog).addRow("Format", box)
    box.addItems(["GGUF file, f16 (llama.cpp, LM Studio, Ollama)", "GGUF file, q8_0 (half the size)",
                  "Merged model folder (transformers)", "Adapter folder (PEFT, small)"])
    dialog.resize(480, 200)
    dialog.move(400, 280)
    dialog.show()
    box.showPopup()
    view = box.view()
    # the popup settles its geometry after it shows (seen on X11; offscreen it is right at once)
    qtbot.waitUntil(lambda: view.isVisible() and view.viewport().height() >= 3.9 * view.sizeHintForRow(0),
                    timeout=5000)
    box.hidePopup()


def test_compare_says_which_token_a_risen_one_took_the_place_of():
    """F7: Compare showed "Barcelona +0.97" but not that "Madrid" had been the base model's
    first choice there."""
    import math

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    def record(prob, top):
        return TokenRecord(id=1, text=" Barcelona", logprob=math.log(prob), rank=1, entropy=1.0,
                           top=tuple(Alternative(i, text, p) for i, (text, p) in enumerate(top)))

    before = record(0.14, [(" Madrid", 0.41), (" Barcelona", 0.14)])
    after = record(0.37, [(" Barcelona", 0.37), (" Madrid", 0.29)])
    words = displaced_words(before, after, token_label)
    assert "took the place of \u201c\u2423Madrid\u201d" in words or "took the place of \u201cMadrid\u201d" in words
    assert "before" in words and "41%" in words and "\u2192 after" in words and "37%" in words
    assert displaced_words(after, after, token_label) == ""  # it was the first choice already
