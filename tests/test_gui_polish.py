"""What a new user hit (issue 15): each defect and everyday feature, on real widgets
(pytest-qt, offscreen, the tiny random GPT-2)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.palette import color_for, rank_bucket  # noqa: E402
from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window, spans  # noqa: E402,F401


def record(rank: int, prob: float = 0.9, text: str = " cat") -> TokenRecord:
    import math

    return TokenRecord(5, text, math.log(prob), rank, 1.0, (Alternative(5, text, prob),))


# ---------------------------------------------------------------- 1. GLTR legend and inspector swatch

def test_rank_legend_puts_each_label_beside_its_colour(qapp):
    from desktop_app.gui.panels import LegendBar

    legend = LegendBar()
    legend.set_measure("rank")
    stops = legend.bar.stops
    # drawn left to right: the leftmost stop sits beside the low label, the rightmost beside the high one
    assert stops[0][1] == color_for(record(5000), "rank"), "beyond 1000 is drawn at the left"
    assert stops[-1][1] == color_for(record(1), "rank"), "top 10 is drawn at the right"
    assert legend.low.text() == stops[0][0] == "beyond 1000"
    assert legend.high.text() == stops[-1][0] == "top 10"
    for label, rgb in stops:  # every labelled bucket has the colour a token of that bucket gets
        rank = {"top 10": 5, "top 100": 50, "top 1000": 500, "beyond 1000": 5000}[label]
        assert rgb == color_for(record(rank), "rank"), label
    assert rank_bucket(25) == 1


def test_inspector_swatch_follows_the_colour_mode(qapp):
    from desktop_app.gui.inspector import InspectorPanel

    panel = InspectorPanel()
    r = record(25, prob=0.9)  # likely (bright by probability) but rank 25 (teal by rank)
    panel.set_measure("rank")
    panel.show_token(1, 0, r, can_branch=False)
    bg = "#%02x%02x%02x" % color_for(r, "rank")
    assert f"background:{bg}" in panel.token_label.styleSheet()
    panel.set_measure("probability")
    bg = "#%02x%02x%02x" % color_for(r, "probability")
    assert f"background:{bg}" in panel.token_label.styleSheet(), "the shown token is recoloured"


# ---------------------------------------------------------------- 2. and 3. the fine-tune panel while it measures

def _measuring(panel, message="Measuring the model before training", phase="evaluating", elapsed=0.0):
    from desktop_app.core.training import TrainProgress

    panel.progress_box.show()
    panel.cancel_button.show()
    panel.on_progress(TrainProgress(phase, message=message, elapsed_s=elapsed))
    for _ in range(3):
        QApplication.processEvents()


def fits_in(widget, scroll) -> bool:
    """The widget lies wholly inside the scroll area's viewport (horizontally)."""
    from PySide6.QtCore import QPoint

    left = widget.mapTo(scroll.viewport(), QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= scroll.viewport().width()


@pytest.mark.parametrize("message,phase", [("Measuring the model before training", "evaluating"),
                                           ("Computing reference log-probabilities", "training")])
def test_finetune_panel_is_not_clipped_while_it_measures(make_window, message, phase):
    window = make_window()
    window.show_finetune()
    panel = window.finetune_panel
    window.splitter.setSizes([200, 2000, window.side_tabs.minimumWidth()])  # the narrowest dock
    _measuring(panel, message, phase)
    inner = panel.widget()
    assert inner.minimumSizeHint().width() <= panel.viewport().width(), "the panel is wider than its dock"
    for w in (panel.cancel_button, panel.phase_label, panel.intro, panel.history.delete_button,
              panel.history.rollback_button, *panel.tiles.values()):
        assert fits_in(w, panel), w.objectName() or w.text() if hasattr(w, "text") else w
    assert panel.cancel_button.width() >= panel.cancel_button.sizeHint().width(), "Cancel shows whole"


def test_elapsed_time_counts_up_between_reports(make_window, monkeypatch):
    from desktop_app.gui import finetune_panel

    window = make_window()
    panel = window.finetune_panel
    now = [1000.0]
    monkeypatch.setattr(finetune_panel.time, "monotonic", lambda: now[0])
    _measuring(panel, elapsed=0.4)
    assert panel.eta_label.text() == "0 s so far"
    now[0] += 18
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text() == "18 s so far"
    now[0] += 7
    panel.elapsed_timer.timeout.emit()
    assert panel.eta_label.text() == "25 s so far"
    _measuring(panel, message="Computing reference log-probabilities", phase="training", elapsed=26.0)
    assert panel.eta_label.text() == "26 s so far", "the training phase's slow first part counts too"


# ---------------------------------------------------------------- 4. a failed model load

def test_failed_load_says_which_model_stays_and_the_dialog_preselects_it(make_window, qtbot, tiny_model_dir, tmp_path):
    window = make_window()
    in_use = window.model_label.text()
    assert not in_use.startswith("Loading")
    with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS):
        window.load_model(str(tmp_path / "not-there"))
    assert window.model_label.text() == in_use, "the status bar still said Loading..."
    assert not window.progress.isVisible()
    dialog = window.model_dialog()
    assert dialog.path_radio.isChecked() and dialog.spec() == str(tiny_model_dir.resolve())
    assert window.error_banner.isVisibleTo(window)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(tiny_model_dir))
    assert not window.error_banner.isVisibleTo(window), "the failure was about another model"


def test_the_model_in_use_names_its_spec():
    from desktop_app.core.models import BUNDLED_SPEC, ModelSource
    from desktop_app.gui.model_dialog import spec_in_use

    bundled = ModelSource("gguf", "bundled:SmolLM2-135M-Instruct", "/x/a.gguf", "SmolLM2", notice="offline")
    assert spec_in_use(bundled) == BUNDLED_SPEC
    assert spec_in_use(ModelSource("folder", "openai-community/gpt2-medium", "/c", "gpt2-medium")) == "gpt2-medium"
    assert spec_in_use(ModelSource("folder", "folder:/m/tiny", "/m/tiny", "tiny")) == "/m/tiny"
    assert spec_in_use(ModelSource("hub", "someone/model", "someone/model", "model")) == "someone/model"


# ---------------------------------------------------------------- 5. the result card follows the history

def test_result_card_follows_use_base_model(make_window, tmp_path):
    from desktop_app.core.training import RunResult

    window = make_window()
    panel, store = window.finetune_panel, window.chat.store
    model_id = window.chat.loaded.model_id
    aid = store.add_adapter(tmp_path / "a1", base_model=model_id)
    store.set_active_adapter(aid, model_id)
    panel.refresh_adapters()
    panel.on_finished(RunResult(run_id=None, kept=True, adapter_id=aid, reason="", status="kept"))
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use"
    store.set_active_adapter(None, model_id)  # what "Use base model" does, then the panel refreshes
    panel.refresh_adapters()
    assert "base model" in panel.history.using.text()
    title = panel.result_title.text()
    assert "now in use" not in title and "base model is in use" in title and str(aid) in title


def test_another_models_report_is_not_shown_as_a_deleted_adapter(make_window, qtbot, tiny_model_dir, tmp_path):
    import shutil

    window = make_window()
    panel, store = window.finetune_panel, window.chat.store
    model_id = window.chat.loaded.model_id
    aid = store.add_adapter(tmp_path / "a1", base_model=model_id)
    store.set_active_adapter(aid, model_id)
    run_id = store.create_run({}, model_id)
    store.update_run(run_id, status="kept", adapter_id=aid)
    panel.refresh_adapters()
    panel.show_last_run()
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use"
    other = tmp_path / "other-model"
    shutil.copytree(tiny_model_dir, other)
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(other))
    qtbot.waitUntil(lambda: panel.result_box.isHidden(), timeout=WAIT_MS)
    assert "deleted" not in panel.result_title.text() or panel.result_box.isHidden()
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        window.load_model(str(tiny_model_dir))
    qtbot.waitUntil(lambda: not panel.result_box.isHidden(), timeout=WAIT_MS)
    assert panel.result_title.text() == f"Kept: adapter {aid} is now in use", "its own model shows it again"


# ---------------------------------------------------------------- 6. closing during a fine-tune

def answer_box(qtbot, button_text: str, seen: list) -> None:
    """Click a button of the modal question once it is up (it blocks the caller)."""
    from PySide6.QtCore import QTimer

    def click():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text() == button_text)
        button.click()

    QTimer.singleShot(50, click)


def test_closing_during_a_finetune_asks_then_stops_cleanly(make_window, qtbot):
    from desktop_app.core.training import FineTuneSettings

    window = make_window(max_new_tokens=12)
    store, paths = window.chat.store, window.paths
    mid = ask(qtbot, window, "Hello")["message_id"]
    store.rate_message(mid, 1)
    window.writer.recount()
    window.writer.wait()
    QApplication.processEvents()
    panel = window.finetune_panel
    panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1,
                                        reask_tokens=8))
    with qtbot.waitSignal(window.finetune.progress, timeout=WAIT_MS,
                          check_params_cb=lambda p: p.phase == "training" and p.step >= 1):
        assert panel.start()
    seen: list = []
    answer_box(qtbot, "Keep running", seen)
    window.close()
    assert seen == ["A fine-tune is running: stop it and quit?"]
    assert window.isVisible() and window.finetune.running, "'Keep running' keeps the window and the run"
    answer_box(qtbot, "Stop and quit", seen)
    window.close()
    assert len(seen) == 2 and not window.isVisible()
    assert not window.tasks.training._thread.is_alive(), "the run ended before the window went"
    run = store.list_runs()[0]
    assert run["status"] == "cancelled"
    assert store.active_adapter(window.chat.loaded.model_id) is None
    assert not (paths.adapters_dir / ".training.lock").exists(), "no empty lock file stays behind"
    again = make_window()
    again_panel = again.finetune_panel
    assert again_panel.result_box.isHidden(), "the next start reports no 'Cancelled' the person never asked for"
    assert not again_panel.compare_button.isVisibleTo(again_panel)


def test_the_training_lock_is_exclusive_and_leaves_no_file(tmp_path):
    from desktop_app.core.adapters import AdapterError, training_lock
    from desktop_app.core.paths import AppPaths

    paths = AppPaths.resolve(tmp_path / "d").ensure()
    lock = paths.adapters_dir / ".training.lock"
    with training_lock(paths):
        assert lock.exists()
        with pytest.raises(AdapterError, match="already running"):
            with training_lock(paths):
                pass
    assert not lock.exists()
    with training_lock(paths):  # and it can be taken again
        pass
    assert not lock.exists()


# ---------------------------------------------------------------- 7. from 800x600 up, side panels that collapse

def inside(widget, container) -> bool:
    from PySide6.QtCore import QRect

    rect = QRect(widget.mapTo(container, widget.rect().topLeft()), widget.size())
    return container.rect().contains(rect)


@pytest.mark.parametrize("dark", [False, True])
def test_window_is_usable_at_800x600_with_both_panels_asked_for(make_window, qapp, dark):
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=dark)
    window = make_window()
    ask_text = "x"
    window.resize(800, 600)
    for _ in range(3):
        QApplication.processEvents()
    assert window.minimumSizeHint().width() <= 800 and window.width() == 800 and window.height() == 600
    assert not window.conversations.isVisible() and window.side_tabs.isVisible(), "the list folded away for room"
    assert window.transcript.height() >= 250, "the chat area keeps most of the height"
    assert window.transcript.width() >= 420, "the side panels gave way before the chat"
    for b in (window.model_button, window.settings_button, window.regenerate_button, window.stop_button,
              window.send_button):
        assert inside(b, window.prompt_area) and b.width() >= 30, b.toolTip()
    for w in (window.legend.combo, window.legend.bar, window.legend.score_prompts):
        assert inside(w, window.legend)
    assert window.legend.score_prompts.width() >= window.legend.score_prompts.sizeHint().width()
    assert window.prompt.width() > 250
    window.prompt.setPlainText(ask_text)
    window.resize(1280, 800)
    for _ in range(3):
        QApplication.processEvents()
    assert window.send_button.text() == "Send", "wide again: the words come back"
    assert window.conversations.isVisible(), "wide again: the list comes back"


def test_side_panels_collapse_by_toolbar_and_shortcut(make_window, qtbot):
    window = make_window(wait=False)
    actions = window.panel_actions
    assert actions["conversations"].shortcut().toString() == "Ctrl+B"
    assert actions["side_tabs"].shortcut().toString() == "Ctrl+Shift+B"
    toolbar_actions = window.view_toolbar.actions()
    assert actions["conversations"] in toolbar_actions and actions["side_tabs"] in toolbar_actions
    wide = window.minimumSizeHint().width()
    actions["conversations"].trigger()
    assert not window.conversations.isVisible()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not window.side_tabs.isVisible(), "Ctrl+Shift+B hides the token / fine-tune panel"
    assert window.minimumSizeHint().width() < wide - 300
    QApplication.processEvents()  # the window's minimum follows its layout
    window.resize(640, 480)
    QApplication.processEvents()
    assert window.transcript.height() >= 200 and window.width() == 640
    window.save_state()
    window.close()
    again = make_window(wait=False)
    assert not again.conversations.isVisible() and not again.side_tabs.isVisible(), "remembered"
    again.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is again, timeout=2000)
    qtbot.keyClick(again, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert again.conversations.isVisible()


# ---------------------------------------------------------------- 8. which model and adapter wrote an answer

def test_answers_name_their_model_and_adapter(make_window, qtbot, tmp_path):
    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    ask(qtbot, window, "Hello")
    base_card = answer_cards(window)[-1]
    assert base_card.role_label.text().endswith("\u00b7 base model")
    assert loaded.source.display_name in base_card.role_label.toolTip()
    aid = store.add_adapter(tmp_path / "a1", base_model=loaded.model_id)
    user = next(m for m in window.chat.thread() if m["role"] == "user")
    sibling = store.add_message(window.chat.conversation_id, "assistant", "Hi", parent_id=user["id"],
                                model_id=loaded.model_id, adapter_id=aid, records=[])
    window.chat.choice[user["id"]] = sibling
    window.chat.reload()
    card = answer_cards(window)[-1]
    assert card.message_id == sibling
    assert card.role_label.text() == f"{loaded.source.display_name.split(' (')[0]} \u00b7 adapter {aid}"
    qtbot.mouseClick(card.prev_button, Qt.MouseButton.LeftButton)
    assert answer_cards(window)[-1].role_label.text().endswith("base model"), "the siblings differ by author"


# ---------------------------------------------------------------- 9. heatmap text contrast (WCAG 4.5:1)

def test_text_on_every_heatmap_colour_reaches_wcag_aa(qapp):
    import re

    from desktop_app.cli.model_cmds import ansi_token
    from desktop_app.core.palette import contrast_ratio, diverging_color, sequential_color, text_color_on
    from desktop_app.gui.token_view import TokenView

    backgrounds = [sequential_color(i / 1000) for i in range(1001)]
    backgrounds += [diverging_color((i - 500) / 250) for i in range(1001)]
    worst = min(contrast_ratio(text_color_on(bg), bg) for bg in backgrounds)
    assert worst >= 4.5, f"worst contrast over the palettes {worst:.2f}:1"
    assert contrast_ratio((255, 255, 255), (41, 170, 130)) < 3  # mid teal, where white text was drawn before
    # the window draws each token with that colour
    view = TokenView()
    mid = record(1, prob=0.45)
    fmt = view.char_format(0, mid)
    bg, fg = fmt.background().color().getRgb()[:3], fmt.foreground().color().getRgb()[:3]
    assert contrast_ratio(fg, bg) >= 4.5
    # and so does the terminal (24-bit escape codes)
    codes = re.findall(r"\x1b\[(?:48|38);2;(\d+);(\d+);(\d+)m", ansi_token(mid))
    bg, fg = [tuple(int(x) for x in c) for c in codes]
    assert contrast_ratio(fg, bg) >= 4.5


# ---------------------------------------------------------------- 10. feedback on a long prompt

def meter_after_typing(qtbot, window, text):
    window.prompt.setPlainText(text)
    qtbot.waitUntil(lambda: not window.context_meter.timer.isActive() and not window.chat.lane.tasks,
                    timeout=WAIT_MS)
    window.context_meter.refresh()
    return window.prompt_area.meter


def test_token_meter_counts_the_context_and_says_what_will_not_fit(make_window, qtbot):
    from desktop_app.core.prompts import Turn, build_prompt

    window = make_window(max_new_tokens=16)
    loaded = window.chat.loaded  # the tiny model: a 128-token context window
    meter = meter_after_typing(qtbot, window, "Hello there")
    expected = len(build_prompt(loaded.tokenizer, [Turn("user", "Hello there")], context_window=128,
                                max_new_tokens=16).ids)
    assert meter.isVisible() and meter.text() == f"{expected} / 128 tokens of context"
    assert meter.property("kind") == "info"
    meter = meter_after_typing(qtbot, window, "word " * 400)
    assert "more than the 128-token context" in meter.text() and meter.property("kind") == "warn"
    assert "middle of the prompt" in meter.text()
    window.prompt.clear()
    ask(qtbot, window, "tell me " * 20)
    ask(qtbot, window, "more " * 20)
    meter = meter_after_typing(qtbot, window, "and now " * 12)
    assert "oldest turn" in meter.text() and "left out" in meter.text()


def test_meter_words():
    from desktop_app.gui.context_meter import meter_words

    assert meter_words(1500, 2048, 0, 0)[0].endswith("the first token takes longer")
    assert meter_words(10, 2048, 1, 0)[0].startswith("The 1 oldest turn no longer fits and will be left out")
    assert meter_words(10, 2048, 3, 0)[0].startswith("The 3 oldest turns no longer fit and will be left out")
    # the count is what was typed, not what is left after the cut
    assert meter_words(2000, 2048, 0, 500)[0].startswith("2,500 tokens: 500 more than the 2,048-token context")


# ---------------------------------------------------------------- 11. the wheel over the loss chart

def wheel(widget, dy=-120):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(), QPoint(0, dy),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_wheel_over_the_loss_chart_scrolls_the_panel(make_window):
    window = make_window()
    window.resize(800, 600)
    window.show_finetune()
    panel = window.finetune_panel
    panel.curve.show()
    for step in range(1, 6):
        panel.curve.add(step, 2.0 / step, 5)
    for _ in range(3):
        QApplication.processEvents()
    bar = panel.verticalScrollBar()
    assert bar.maximum() > 0, "the panel is taller than its dock here"
    plot = panel.curve.plot
    bar.setValue(0)
    before = bar.value()
    wheel(plot.viewport())
    assert bar.value() > before, "the chart ate the wheel"


# ---------------------------------------------------------------- 12. the compare view fits the chat area

@pytest.mark.parametrize("size", [(1280, 800), (800, 600)])
def test_compare_view_covers_the_chat_area_only(make_window, size):
    from PySide6.QtCore import QPoint, QRect

    window = make_window()
    window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()
    dialog = window.open_compare(None)
    QApplication.processEvents()
    chat = window.splitter.widget(1)
    chat_rect = QRect(chat.mapToGlobal(QPoint(0, 0)), chat.size())
    side = window.side_tabs
    side_rect = QRect(side.mapToGlobal(QPoint(0, 0)), side.size())
    shown = dialog.geometry()
    assert shown == chat_rect, "the compare view takes the chat area's place"
    assert not shown.intersects(side_rect), "it no longer covers the fine-tune panel"
    dialog.close()


# ---------------------------------------------------------------- 13. the small ones (window)

def test_meta_line_drops_whole_parts_and_counts_in_words(qapp):
    from PySide6.QtGui import QFontMetrics, QFont

    from desktop_app.gui.transcript import answer_meta, fitted_meta

    metrics = QFontMetrics(QFont())
    line = "12 tokens \u00b7 branched at token 3 \u00b7 25.0 tok/s"
    room = metrics.horizontalAdvance("12 tokens \u00b7 branched at token 3") + 4
    assert fitted_meta(line, metrics, room) == "12 tokens \u00b7 branched at token 3"
    assert fitted_meta(line, metrics, metrics.horizontalAdvance("12 tokens \u00b7 bran")) == "12 tokens"
    assert fitted_meta(line, metrics, 10_000) == line
    assert answer_meta({"settings": {}}, [record(1)]) == "1 token"
    assert answer_meta({"settings": {}}, [record(1)] * 2) == "2 tokens"


def test_line_spacing_is_the_same_streamed_and_rebuilt(qtbot):
    from desktop_app.gui.token_view import TokenView

    view = TokenView()
    qtbot.addWidget(view)
    view.resize(300, 100)
    view.show()
    lines = [record(1, text=t) for t in (" one", "\n", " two", "\n", " three", "\n", " four")]
    view.append_records(lines)  # as an answer streams in
    streamed = view.document().size().height()
    view.set_measure("rank")  # switching the colour mode rebuilds the text
    view.set_measure("probability")
    assert view.document().size().height() == streamed


def test_conversations_that_start_alike_get_distinct_titles(make_window, qtbot):
    from desktop_app.core.session import distinct_title

    assert distinct_title("Hi", ["Hi", "Hi (2)"]) == "Hi (3)" and distinct_title("Yo", ["Hi"]) == "Yo"
    window = make_window()
    ask(qtbot, window, "What is a cat?")
    window.new_conversation()
    ask(qtbot, window, "What is a cat?")
    titles = [window.conversations.list.item(i).text() for i in range(window.conversations.list.count())]
    assert sorted(titles) == ["What is a cat?", "What is a cat? (2)"]


# ---------------------------------------------------------------- features: keys, copy, export, notify, edit

def test_enter_sends_shift_enter_new_line_and_the_other_way(make_window, qtbot):
    window = make_window()
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "first line")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.prompt, "second")
    assert window.prompt.toPlainText() == "first line\nsecond"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    assert window.prompt.toPlainText() == ""
    assert window.chat.thread()[0]["text"] == "first line\nsecond"
    window.popover.enter_sends.setChecked(False)  # the setting for the other way
    qtbot.keyClicks(window.prompt, "a")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    qtbot.keyClicks(window.prompt, "b")
    assert window.prompt.toPlainText() == "a\nb" and not window.chat.generating
    assert "Ctrl+Enter sends" in window.prompt.placeholderText()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.save_state()
    window.close()
    assert make_window(wait=False).prompt.enter_sends is False, "the choice is remembered"


def test_copy_an_answer_as_text_and_markdown(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "Say hi")
    card = answer_cards(window)[-1]
    names = [a.text() for a in card.export_button.menu().actions()]
    assert "Copy text" in names and "Copy as Markdown" in names
    next(a for a in card.export_button.menu().actions() if a.text() == "Copy text").trigger()
    clipboard = QApplication.clipboard()
    assert clipboard.text() == card.message["text"]
    next(a for a in card.export_button.menu().actions() if a.text() == "Copy as Markdown").trigger()
    markdown = clipboard.text()
    assert markdown.startswith("> Say hi\n\n") and card.message["text"].strip() in markdown
    assert "base model" in markdown


def test_export_a_whole_conversation_as_markdown_and_json(make_window, qtbot, tmp_path):
    import json

    from desktop_app.gui import conversation_actions

    window = make_window()
    ask(qtbot, window, "First question")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.regenerate()  # a second answer: a branch
        assert "fixed seed (7)" in window.statusBar().currentMessage()  # the same answer again: said why
    ask(qtbot, window, "Second question")
    cid = window.chat.conversation_id
    md = conversation_actions.export_conversation(window, cid, "markdown", str(tmp_path / "c.md"))
    text = open(md, encoding="utf-8").read()
    shown = window.chat.thread()
    assert text.startswith("# First question\n")
    assert [line for line in text.splitlines() if line.startswith("## ")][:2] == [
        "## You", f"## {shown[1]['model_id'].split('/')[-1]} (base model) \u2014 answer 2 of 2"]
    for m in shown:
        assert m["text"].strip() in text
    js = conversation_actions.export_conversation(window, cid, "json", str(tmp_path / "c.json"))
    data = json.loads(open(js, encoding="utf-8").read())
    assert data["title"] == "First question" and len(data["messages"]) == 5  # every branch
    assert [m["id"] for m in data["messages"] if m["shown"]] == [m["id"] for m in shown]
    assert all("parent_id" in m and "adapter_id" in m for m in data["messages"])
    saved = []
    window.conversations.export_requested.disconnect()
    window.conversations.export_requested.connect(
        lambda c, kind: saved.append(conversation_actions.export_conversation(window, c, kind, str(tmp_path / "x"))))
    window.conversations.export_requested.emit(cid, "json")  # what the list's context menu asks for
    assert saved and json.loads(open(saved[0], encoding="utf-8").read())["id"] == cid


def test_a_finished_run_notifies_only_when_the_window_is_not_in_front(make_window, qtbot):
    from desktop_app.core.training import RunResult

    window = make_window()
    notifier = window.notifier
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    window.finetune.finished.emit(RunResult(run_id=1, kept=True, adapter_id=3, reason="", status="kept"))
    assert notifier.last is None, "nothing while the person looks at the window"
    from PySide6.QtWidgets import QWidget

    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=2000)
    window.finetune.finished.emit(RunResult(run_id=1, kept=True, adapter_id=3, reason="", status="kept"))
    how, title, text = notifier.last
    assert title == "Fine-tune kept" and text == "Adapter 3 is now in use."
    window.finetune.finished.emit(RunResult(run_id=2, kept=False, adapter_id=None, reason="", status="cancelled"))
    assert notifier.last[1:] == ("Fine-tune cancelled", "Your model is unchanged."), \
        "said once (it read 'Fine-tune finished: Fine-tune cancelled: ...')"
    from PySide6.QtWidgets import QSystemTrayIcon

    assert how == ("tray" if QSystemTrayIcon.isSystemTrayAvailable() else "alert"), "no tray: guarded"


def test_edit_one_of_my_messages_and_resend_as_a_new_branch(make_window, qtbot):
    window = make_window()
    ask(qtbot, window, "What is a dog?")
    first_user, first_answer = window.chat.thread()[0], window.chat.thread()[1]
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    qtbot.mouseClick(user_card.edit_button, Qt.MouseButton.LeftButton)
    assert window.prompt.toPlainText() == "What is a dog?" and window.notice_banner.isVisible()
    window.prompt.setPlainText("What is a cat?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    thread = window.chat.thread()
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert thread[0]["text"] == "What is a cat?" and thread[0]["parent_id"] == first_user["parent_id"]
    assert thread[0]["id"] != first_user["id"]
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    assert user_card.sibling_label.text() == "2/2" and user_card.prev_button.isVisible()
    qtbot.mouseClick(user_card.prev_button, Qt.MouseButton.LeftButton)  # back to the old branch, kept whole
    assert [m["id"] for m in window.chat.thread()] == [first_user["id"], first_answer["id"]]
    # Esc cancels an edit
    user_card = next(c for c in window.transcript.cards if c.role == "user")
    qtbot.mouseClick(user_card.edit_button, Qt.MouseButton.LeftButton)
    window.stop()
    assert window.message_editor.editing is None and window.prompt.toPlainText() == ""


def test_side_panels_get_their_width_back_when_the_window_widens(make_window):
    window = make_window(wait=False)
    window.resize(1280, 800)
    for _ in range(3):
        QApplication.processEvents()
    wide = window.splitter.sizes()
    assert (wide[0], wide[2]) == (220, 340)
    for size in ((1024, 700), (800, 600), (700, 600), (900, 650), (1280, 800)):  # one step at a time, as a drag
        window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
    again = window.splitter.sizes()
    assert (again[0], again[2]) == (220, 340), (again, wide)  # not the small window's 185 / 280


def test_at_800x600_an_answer_card_and_the_inspector_fit(make_window, qtbot):
    window = make_window(max_new_tokens=40)
    window.resize(800, 600)
    ask(qtbot, window, "Give me three tips for learning to play the guitar.")
    card = answer_cards(window)[-1]
    window.show_token(card, 0)
    for _ in range(3):
        QApplication.processEvents()
    assert window.height() == 600, "the inspector scrolls instead of making the window taller"
    viewport = window.transcript.viewport()
    assert card.width() <= viewport.width(), "the card is wider than the chat: its buttons were cut"
    for b in (card.rating.up, card.rating.down, card.export_button):
        assert inside(b, card)
    inspector = window.inspector
    chart_bottom = inspector.chart.mapTo(inspector, inspector.chart.rect().bottomLeft()).y()
    assert inspector.coverage.mapTo(inspector, inspector.coverage.rect().topLeft()).y() >= chart_bottom, \
        "the coverage line no longer overlaps the chart"


def test_only_a_long_answer_notifies(make_window, qtbot):
    from PySide6.QtWidgets import QWidget

    window = make_window()
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=2000)
    window.chat.answer_finished.emit({"message_id": 1, "tokens": 20, "tokens_per_s": 20.0})
    assert window.notifier.last is None, "a one-second answer needs no notice"
    window.chat.answer_finished.emit({"message_id": 1, "tokens": 120, "tokens_per_s": 4.0})
    assert window.notifier.last[1:] == ("Answer ready", "120 tokens in 30 s")


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def test_a_small_window_folds_the_list_by_itself_and_keeps_the_persons_choice(make_window, qtbot):
    window = make_window(wait=False)
    actions = window.panel_actions
    window.resize(1024, 700)
    _settle()
    assert window.conversations.isVisible() and window.side_tabs.isVisible(), "both fit at 1024"
    assert window.splitter.sizes()[1] >= 420
    window.resize(800, 600)
    _settle()
    assert not window.conversations.isVisible() and not actions["conversations"].isChecked()
    assert window.side_tabs.isVisible() and window.splitter.sizes()[2] == 340
    window.save_state()  # folded for room: the person still wants it, so that is what is kept
    assert window.settings.value("show_conversations") in (True, "true")
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # asked for at 800: shown
    _settle()
    assert window.conversations.isVisible()
    window.resize(1280, 800)
    _settle()
    assert window.conversations.isVisible() and window.splitter.sizes()[0] == 220
    actions["side_tabs"].trigger()  # hidden by the person: it stays hidden, narrow or wide
    window.resize(800, 600)
    _settle()
    window.resize(1280, 800)
    _settle()
    assert not window.side_tabs.isVisible() and window.conversations.isVisible()


def test_a_window_opened_small_folds_the_list_from_the_start(make_window):
    window = make_window(wait=False)
    window.resize(800, 600)
    _settle()
    window.save_state()
    window.close()
    small = make_window(wait=False)  # opened at 800x600 (the saved geometry)
    _settle()
    assert small.width() < 820 and not small.conversations.isVisible() and small.side_tabs.isVisible()
    small.resize(1280, 800)
    _settle()
    assert small.conversations.isVisible() and small.splitter.sizes()[0] == 220


def test_a_dragged_panel_width_is_the_one_that_comes_back(make_window):
    window = make_window(wait=False)
    window.resize(1280, 800)
    _settle()
    splitter = window.splitter
    splitter.moveSplitter(300, 1)  # what dragging the left handle does
    _settle()
    assert splitter.sizes()[0] == 300 and window.panel_fitter.widths[0] == 300
    window.resize(800, 600)
    _settle()
    window.resize(1280, 800)
    _settle()
    assert splitter.sizes()[0] == 300 and splitter.sizes()[2] == 340
    window.save_state()
    window.close()
    again = make_window(wait=False)
    again.resize(1280, 800)
    _settle()
    assert again.splitter.sizes()[0] == 300


def test_the_export_dialog_grows_to_hold_what_it_wrote(qapp, qtbot, tmp_path):
    """After an export the lines saying where the files went are shown whole, and the
    format and path fields keep their height (they were squashed to half)."""
    from pathlib import Path
    from types import SimpleNamespace

    from desktop_app.gui.adapter_export import ExportDialog

    dialog = ExportDialog(None, None, 1, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.format.height(), dialog.path.height()
    long_path = tmp_path / ("a-long-folder-name-" * 4) / "adapter-1-q8_0.gguf"
    notes = [f"Ollama: ollama create my-model -f adapter-1-q8_0.Modelfile (run it in {long_path.parent})"]
    dialog._finished(SimpleNamespace(path=long_path, bytes=145 * 2**20, extra_files=[Path("adapter-1-q8_0.Modelfile")],
                                     notes=notes))
    for _ in range(3):
        QApplication.processEvents()
    assert (dialog.format.height(), dialog.path.height()) == before
    status = dialog.status
    assert "Wrote" in status.text() and status.height() >= status.heightForWidth(status.width())


def test_f1_lists_the_shortcuts_and_ctrl_1_2_switch_chat_and_text(make_window, qtbot):
    from PySide6.QtGui import QShortcut

    from desktop_app.gui import shortcuts

    window = make_window()
    bound = {s.key().toString() for s in window.findChildren(QShortcut)}
    assert {"Ctrl+1", "Ctrl+2", "Ctrl+,", "F1", "Ctrl+N", "Esc"} <= bound
    box = shortcuts.show_shortcuts(window)
    assert box.isVisible() and "Ctrl+Shift+B" in box.text() and "rate the selected token" in box.text()
    box.close()
    by_keys = {s.key().toString(): s for s in window.findChildren(QShortcut)}
    by_keys["Ctrl+2"].activated.emit()
    assert window.mode == "text"
    by_keys["Ctrl+1"].activated.emit()
    assert window.mode == "chat"


@pytest.mark.parametrize("dark", [False, True])
def test_combo_boxes_draw_a_drop_down_arrow_from_a_real_file(dark):
    import re
    from pathlib import Path

    from desktop_app.gui.theme import style_sheet

    sheet = style_sheet(dark)
    arrow = re.search(r"QComboBox::down-arrow \{ image: url\(([^)]+)\)", sheet)
    assert arrow, "a styled drop-down needs its own arrow or the box looks like a text field"
    path = Path(arrow.group(1))
    assert path.is_file() and ("dark" in path.name) == dark


def test_the_finetune_panel_counts_after_the_load_instead_of_saying_nothing_to_learn(make_window, qtbot):
    window = make_window(wait=False)
    assert "Nothing to learn" not in window.finetune_panel.ready_label.text(), "the ratings are not counted yet"
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: "Nothing to learn" in window.finetune_panel.ready_label.text(), timeout=WAIT_MS)
