"""User test 10's findings about the compare view, on real widgets (pytest-qt, offscreen, the
tiny random GPT-2 with a random LoRA) and the real SQLite store: B4 its words lead with how
likely a text became, the nats only as a detail, and "scoring…" while the picked text scores;
B5 it is a window that says Close and fits an 800x600 screen; B8 the never-rated questions
whose fact the run changed are in its list, scored under both models."""

from __future__ import annotations

import re
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402

CROATIA = "What is the capital of Croatia?"


def visible_words(rich: str) -> str:
    """A rich label's text without its small print (the figures kept for those who want them)."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<small.*?</small>", "", rich))


# ---------------------------------------------------------------- B5: a window that fits the screen

def test_the_compare_window_stays_within_an_800x600_screen(qapp):
    from PySide6.QtCore import QRect

    from desktop_app.gui.compare_dialog import fitted_rect

    free = QRect(0, 0, 800, 600)
    chat = QRect(260, 70, 540, 560)  # the chat area of an 800x600 window, its bottom below the screen
    rect = fitted_rect(chat, 480, free, 30)
    assert free.contains(rect) and rect.top() >= 30, f"{rect} leaves the screen (or its title bar does)"
    assert rect.left() == 260 and rect.width() == 540, "it still covers the chat, the side panels in sight"
    wide = fitted_rect(QRect(700, 40, 300, 500), 480, free, 30)
    assert free.contains(wide) and wide.width() == 480, "pushed back onto the screen, as wide as it needs"
    big = QRect(0, 0, 1280, 800)
    assert fitted_rect(QRect(300, 80, 900, 640), 480, big, 30) == QRect(300, 80, 900, 640), "room: the chat's size"


def test_compare_is_a_window_with_close_and_it_fits_the_screen(make_window, qtbot):
    window = make_window()
    window.resize(800, 600)
    QApplication.processEvents()
    dialog = window.open_compare(None)
    QApplication.processEvents()
    free = dialog.screen().availableGeometry()
    assert dialog.isWindow(), "it has its own title bar: a window"
    assert free.contains(dialog.geometry()), f"{dialog.geometry()} leaves the screen {free}"
    texts = [b.text() for b in dialog.findChildren(QPushButton)]
    assert dialog.close_button.text() == "Close" and not any("Back to chat" in t for t in texts)
    assert "Esc" in dialog.close_button.toolTip()
    assert dialog.scroll.widget() is dialog.view, "what does not fit scrolls inside the window"
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


# ---------------------------------------------------------------- B4: words first, nats as a detail

def test_words_lead_with_how_likely_and_keep_the_nats_as_small_print():
    import math

    from desktop_app.core.records import TokenRecord
    from desktop_app.gui.compare_words import change_words, likelihood_words, summary_words, times_words

    before = [TokenRecord(1, " A", -6.0, 5, 1.0, ()), TokenRecord(2, " B", -7.3, 9, 1.0, ())]
    after = [TokenRecord(1, " A", -0.05, 1, 1.0, ()), TokenRecord(2, " B", -0.05, 1, 1.0, ())]
    text = summary_words(before, after, False)
    shown = visible_words(text)
    assert "nats" not in shown and "log-probability" not in shown, shown
    assert "much more likely" in shown and "about 540,000\u00d7 more likely" in shown
    assert "went from 0.00017% to 90%" in shown
    assert "-13.3 \u2192 -0.1" in text and "+13.2 nats" in text, "the figures stay, in small print"
    assert times_words(math.log(81)) == "81\u00d7" and times_words(0.25) == "1.3\u00d7"
    assert likelihood_words(0.01) == "about as likely as before"
    assert likelihood_words(-0.3) == "a little less likely (1.3\u00d7 less likely)"
    pair = change_words(-14.2, -9.8)
    assert visible_words(pair).startswith("81\u00d7 more likely") and "+4.4 nats" in pair


def test_the_legend_speaks_in_times_as_likely_and_the_nats_are_its_tooltip(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, rating=1)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    for label in (view.low_label, view.high_label):
        assert "nats" not in label.text() and "\u00d7" in label.text() and "likely" in label.text()
        assert f"\u00b1{view.scale:g} nats" in label.toolTip()
    assert "nats" not in visible_words(view.summary.text()) and "nats" in view.summary.text()
    assert "@muted" not in view.summary.text()


def test_the_pair_says_scoring_while_the_picked_better_answer_scores(make_window, qtbot, tmp_path):
    from desktop_app.gui.compare_words import better_key
    from desktop_app.gui.tasks import Task

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, rating=-1)
    window.chat.store.set_correction(mid, " The moon is made of rock.")
    gate = threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: gate.wait(30), "busy", "busy"))  # the model is busy elsewhere
    qtbot.waitUntil(lambda: window.chat.lane.running is not None, timeout=10000)
    view = window.open_compare(mid).view
    combo = view.answer_combo
    combo.setCurrentIndex(combo.findData(better_key(mid)))
    mine = view.pair.text().split("<br>")[1]
    assert "scoring\u2026" in mine and "pick" not in mine, mine
    gate.set()
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None, timeout=WAIT_MS)
    mine = view.pair.text().split("<br>")[1]
    assert "scoring" not in mine and "likely" in mine


# ---------------------------------------------------------------- B8: the facts the run changed are listed

def kept_run_that_changed_croatia(window, qtbot, folder):
    """A run as the fine-tune stores it: its re-asks (finetune_effect.taught), Croatia's changed."""
    from desktop_app.core.finetune_effect import taught
    from desktop_app.core.reasking import Reask

    store, loaded = window.chat.store, window.chat.loaded
    asked = [Reask(CROATIA, "Answer: Zaragoza.", None), Reask("What is the capital of Norway?", "Answer: Oslo.", None)]
    pairs = taught(["The capital of Croatia is Zagreb.", "The capital of Norway is Oslo."], asked, 0)
    run = store.create_run({"reask_tokens": 40}, loaded.model_id)
    store.update_run(run, metrics={"taught": pairs}, status="kept")
    adapter = wear_random_lora(window, qtbot, folder)
    store._conn().execute("UPDATE adapters SET run_id = ? WHERE id = ?", (run, adapter))
    return run


def test_a_fact_the_run_changed_is_listed_and_scored_under_both_models(make_window, qtbot, tmp_path):
    from desktop_app.core import session
    from desktop_app.gui.compare_data import fact_key

    window = make_window()
    learned = stored_answer(window, rating=1)
    kept_run_that_changed_croatia(window, qtbot, tmp_path / "adapter")
    view = window.open_compare(None).view
    combo = view.answer_combo
    assert view.message_id == learned, "it still opens on what the run learned from"
    labels = [combo.itemText(i) for i in range(combo.count())]
    before_at, after_at = combo.findData(fact_key(0, "before")), combo.findData(fact_key(0, "after"))
    assert before_at > combo.findData(learned) and after_at > before_at
    assert "Zagreb" in labels[before_at] and "Zaragoza" in labels[after_at]
    assert not any("Oslo" in label for label in labels), "an unchanged fact is not listed"
    assert CROATIA in combo.itemData(after_at, Qt.ItemDataRole.ToolTipRole) and "Never rated" in combo.itemData(
        after_at, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(after_at)
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None, timeout=WAIT_MS)
    assert CROATIA in view.prompt_label.text() and "never rated" in view.expect_label.text()
    assert "".join(r.text for r in view.after).strip() == "Answer: Zaragoza."
    before, after = session.score_reask_with_and_without_adapter(window.chat.loaded, CROATIA, "Answer: Zaragoza.", 40)
    assert view.values == pytest.approx([a.logprob - b.logprob for b, a in zip(before, after)], abs=1e-4)
    assert "likely" in view.summary.text()
    combo.setCurrentIndex(before_at)
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None, timeout=WAIT_MS)
    assert "".join(r.text for r in view.after).strip() == "The capital of Croatia is Zagreb."
