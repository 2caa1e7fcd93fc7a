"""The compare view's end cell, picker and progress, min-p in Settings, the first window's size
and the fine-tune wording, on real widgets (pytest-qt, offscreen, the tiny random
GPT-2 with a random LoRA) and the real SQLite store."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, make_window, spans  # noqa: E402,F401


def wear_random_lora(window, qtbot, folder):
    from tiny_model import random_lora

    store, loaded = window.chat.store, window.chat.loaded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        random_lora(loaded.folder).save_pretrained(folder, safe_serialization=True)
    adapter = store.add_adapter(folder, base_model=loaded.model_id)
    store.set_active_adapter(adapter, loaded.model_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()
    return adapter


def stored_answer(window, text=" The moon is a rock.", finish_reason="eos", rating=None):
    store, loaded = window.chat.store, window.chat.loaded
    conv = store.create_conversation("moon")
    user = store.add_message(conv, "user", "Tell me about the moon.")
    mid = store.add_message(conv, "assistant", text, parent_id=user, model_id=loaded.model_id,
                            settings={"finish_reason": finish_reason, "max_new_tokens": 24})
    if rating is not None:
        store.rate_message(mid, rating)
    return mid


# ---------------------------------------------------------------- 6. compare shows the end of the answer

def test_compare_shows_the_end_token_and_counts_it_in_the_whole_answer(make_window, qtbot, tmp_path):
    from desktop_app.core import session
    from desktop_app.core.palette import change_color
    from desktop_app.gui.compare_words import END_CELL

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    before, after = session.score_with_and_without_adapter(window.chat.store, window.chat.loaded, mid)
    assert view.ended and view.after[-1].text == END_CELL and len(view.values) == len(after)
    found = spans(view.view)
    tooltip, bg, text = found[len(after) - 1]
    assert text.strip() == END_CELL.strip() and "end of the answer" in tooltip
    assert bg.getRgb()[:3] == change_color(after[-1].logprob - before[-1].logprob, view.scale)
    summary = view.summary.text()
    total_after = sum(r.logprob for r in after)
    assert f"\u2192 {total_after:.1f}" in summary, "the whole answer's figure counts its end"
    assert "its end included" in summary and f"{after[-1].prob * 100:.1f}%" in summary
    # the end counts among the tokens that rose or fell as in the average per token (usertest 13)
    assert f"of {len(after)} tokens (the end included) rose" in summary


def test_compare_of_an_answer_cut_at_its_budget_has_no_end_cell(make_window, qtbot, tmp_path):
    from desktop_app.gui.compare_words import END_CELL

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, finish_reason="length")
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    assert not view.ended and all(r.text != END_CELL for r in view.after)
    assert "end included" not in view.summary.text()


# ---------------------------------------------------------------- 7. the picker: what the run learned from first

def test_compare_opens_on_what_the_run_learned_from_and_marks_later_ratings(make_window, qtbot, tmp_path):
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import create_document

    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    learned = stored_answer(window, rating=1)
    run = store.create_run({}, loaded.model_id)
    later = stored_answer(window, " A later one.", rating=-1)
    document = create_document(store, "The lighthouse keeper")
    branch = tb.add_branch(store, document, None, 21, " slept.", model_id=loaded.model_id)
    tb.rate_branch(store, branch, -1)  # the newest of all: the old picker opened on it
    adapter = wear_random_lora(window, qtbot, tmp_path / "adapter")
    store._conn().execute("UPDATE adapters SET run_id = ? WHERE id = ?", (run, adapter))
    view = window.open_compare(None).view
    combo = view.answer_combo
    assert view.message_id == learned, "it opens on a rating the run learned from"
    labels = [combo.itemText(i) for i in range(combo.count())]
    at_later, at_branch = combo.findData(later), combo.findData(-branch)
    assert combo.findData(learned) < at_later and combo.findData(learned) < at_branch
    assert f"rated after run {run}" in labels[at_later] and f"rated after run {run}" in labels[at_branch]
    assert f"rated after run {run}" not in labels[combo.findData(learned)]
    assert "" in labels[:at_later], "a separator stands between the two groups"
    # the marks say what they mean (usertest5 F13: "the \u25bc/\u25b2 markers are not explained")
    assert "\u25b2 one you liked" in combo.toolTip() and "\u25bc one you disliked" in combo.toolTip()
    assert "You liked this answer" in combo.itemData(combo.findData(learned), Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(at_later)
    assert "did not learn from it" in view.expect_label.text() and "expect" not in view.expect_label.text()
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS)


def test_compare_scoring_shows_progress_and_cancel_drops_it(make_window, qtbot, tmp_path):
    import threading

    from desktop_app.gui.tasks import Task

    window = make_window()
    store = window.chat.store
    adapter = wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, rating=1)
    gate = threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: gate.wait(30), "busy", "busy"))  # the model is busy elsewhere
    qtbot.waitUntil(lambda: window.chat.lane.running is not None, timeout=10000)  # the lane took it (a loaded machine may wait)
    view = window.open_compare(mid).view
    box = view.scoring
    assert box.isVisible() and box.cancel_button.isVisible()
    assert "Waiting for the model" in box.label.text()
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    assert not box.isVisible() and "cancelled" in view.summary.text()
    gate.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)  # its callbacks ran (handshake)
    assert window.tasks.store.wait(10)
    QApplication.processEvents()
    assert view.values == [], "nothing shows after Cancel"
    assert store.token_records(mid, adapter_id=adapter, kind="rescored") == [], "the cancelled scoring never ran"
    view.refresh()  # picked again: scored this time
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    assert not box.isVisible(), "the progress row goes once the colours show"


# ---------------------------------------------------------------- 8. min-p in Settings

def test_settings_show_min_p_with_the_recommended_default_and_answers_use_it(make_window, qtbot):
    from desktop_app.core.generation import RECOMMENDED_SAMPLING

    window = make_window()
    popover = window.popover
    assert RECOMMENDED_SAMPLING["min_p"] > 0 and popover.min_p.value() == pytest.approx(RECOMMENDED_SAMPLING["min_p"])
    popover.min_p.setValue(0.25)
    assert window.chat.settings.min_p == pytest.approx(0.25), "the chat uses what Settings show"
    popover.min_p.setValue(0)
    assert popover.min_p.text() == "off" and window.chat.settings.min_p == 0


@pytest.mark.parametrize("saved_min_p, shown", [(None, "recommended"), (0.0, 0.0), (0.3, 0.3)])
def test_settings_saved_before_min_p_existed_take_the_recommended_one(make_window, saved_min_p, shown):
    import json

    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.main_window import open_settings

    saved = {"temperature": 0.9, "repetition_penalty": 1.1}
    if saved_min_p is not None:
        saved["min_p"] = saved_min_p
    open_settings(AppPaths.resolve().ensure()).setValue("sampling", json.dumps(saved))
    window = make_window(wait=False)
    if shown == "recommended":
        from desktop_app.core.generation import RECOMMENDED_SAMPLING

        shown = RECOMMENDED_SAMPLING["min_p"]
    assert window.popover.temperature.value() == pytest.approx(0.9), "the person's own choice stays theirs"
    assert window.chat.settings.min_p == pytest.approx(shown), "a missing min-p is no choice; a saved 0 is"


# ---------------------------------------------------------------- LOW 13: the first window fits the screen

def test_the_first_window_takes_at_most_85_percent_of_the_screen_centred(qapp):
    from PySide6.QtCore import QRect, QSize

    from desktop_app.gui.responsive import first_geometry

    small = QRect(0, 0, 1280, 800)
    rect = first_geometry(small, QSize(640, 480))
    assert rect.height() <= 0.85 * 800 and rect.width() <= 0.85 * 1280, "the status bar stays on the screen"
    assert rect.center() == small.center()
    big = QRect(100, 30, 1920, 1050)
    assert first_geometry(big, QSize(640, 480)).size() == QSize(1280, 800), "a big screen gets the usual size"
    assert first_geometry(QRect(0, 0, 700, 500), QSize(640, 480)).size() == QSize(640, 480), "never below the minimum"


def test_a_new_windows_first_size_comes_from_its_screen(make_window):
    window = make_window()  # (the fixture gives every test window 1280x800)
    window._first_size()  # what a first start without a saved geometry does
    free = window.screen().availableGeometry()
    assert window.height() <= 0.85 * free.height(), "not as tall as the screen: the status bar stays on it"
    assert window.width() <= free.width()


# ---------------------------------------------------------------- LOW 12: the meter after an over-long prompt

def test_the_meter_says_the_small_count_is_what_is_left_after_the_cut():
    from desktop_app.gui.context_meter import meter_words

    text, kind = meter_words(30, 8192, 2, 0)
    assert kind == "warn"
    assert text == ("30 / 8,192 tokens of context, without the 2 oldest turns \u00b7 they no longer fit and will be "
                    "left out")


# ---------------------------------------------------------------- LOW 14: a cut answer says so in a narrow header

def test_a_narrow_answer_header_keeps_the_cut_mark_in_short_words(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from desktop_app.gui.elided_labels import fitted_meta

    metrics = QFontMetrics(QFont())
    line = "128 tokens \u00b7 reached the token limit \u00b7 7.8 tok/s"
    room = metrics.horizontalAdvance("128 tokens \u00b7 token limit") + 2
    assert fitted_meta(line, metrics, room) == "128 tokens \u00b7 token limit", "it used to show '128 tokens' only"
    assert fitted_meta(line, metrics, 10_000) == line


def test_the_status_bar_names_the_phase_the_panel_shows(make_window):
    from desktop_app.core.training import TrainProgress

    window = make_window()
    side = window.finetune_side
    side._progress(TrainProgress("training", step=0, total=26, message="Computing reference log-probabilities"))
    assert side.label.text() == "fine-tuning \u00b7 getting ready", "it said 'training'"
    side._progress(TrainProgress("training", step=3, total=26, message="Training"))
    assert side.label.text() == "fine-tuning \u00b7 step 3/26"


def test_the_ready_line_says_a_new_run_learns_from_all_ratings_again():
    from desktop_app.gui.ready_words import news_words

    words = news_words({"last_run": 1, "new_since_run": 4, "total": 17})
    assert "learns from all of them, old and new" in words
