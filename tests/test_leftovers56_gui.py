"""leftovers56: what new users found in the window and was left (session 50). pytest-qt on the real window,
the tiny GPT-2, a real store."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.answer_words import WAITING_FOR_TEXT_WORDS  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from gui_windows import WAIT_MS, send_in_chat  # noqa: E402
from test_gui_loom import settle, window  # noqa: E402,F401


def test_a_question_sent_while_the_text_tab_continues_says_what_it_waits_for(window, qtbot):
    """Send in Chat while the Text tab's continuation had the model: the answer queued behind it with nothing
    under the question, Stop lit, as if the chat had hung. It waits, says why, and is answered after."""
    release = threading.Event()
    # the model lane busy with a continuation as long as a slow CPU's: a task of the continuation's kind,
    # which ends when the test says (a real continuation of the tiny model ends before the question is stored)
    window.tasks.model.submit(Task(lambda _r, _c: release.wait(WAIT_MS / 1000), "continue text", "continue"))
    send_in_chat(qtbot, window, "Hello there")
    qtbot.waitUntil(lambda: window.chat.answering is not None, timeout=WAIT_MS)
    card = next(c for c in window.transcript.cards if c.message_id == window.chat.answering)
    # the cards are redrawn once the store has written the question: wait for that, not for a fixed time
    qtbot.waitUntil(lambda: getattr(card, "waiting_label", None) is not None and card.waiting_label.isVisible(),
                    timeout=WAIT_MS)
    assert card.waiting_label.text() == WAITING_FOR_TEXT_WORDS
    assert not window.send_button.isEnabled()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        release.set()
    assert finished.args[0] and finished.args[0].get("message_id") is not None, "answered once the model was free"
    assert not card.waiting_label.isVisible()


def test_a_real_continuation_and_a_question_both_end_whole(window, qtbot):
    """The same with a real continuation: whichever order they run in, the continuation is kept and the
    question answered; nothing is lost and nothing fails."""
    view = window.text_view
    before = view.editor.toPlainText()
    view.continue_button.click()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        send_in_chat(qtbot, window, "Hello there")
    qtbot.waitUntil(lambda: window.tasks.model.running is None, timeout=WAIT_MS)
    settle(window)
    assert finished.args[0] and finished.args[0].get("message_id") is not None
    assert len(view.editor.toPlainText()) > len(before) and view.editor.toPlainText().startswith(before)
    assert not window.error_banner.isVisible()


STAGE = "Converting SmolLM2-135M-Instruct.Q4_1.gguf for this computer (only the first time, a few minutes)"


def _ends_in_a_whole_word(shown: str, whole: str) -> bool:
    kept = shown.removesuffix("\u2026")
    return shown.endswith("\u2026") and whole.startswith(kept) and whole[len(kept)] in " ,;:"


def stage_shown(window, size, model: str, stage: str):
    """The status bar's load label at window ``size`` while ``model`` loads at ``stage``, and the part of its
    words it shows (painted, as on screen: a hidden label paints nothing)."""
    window.resize(*size)
    # no passing message: one steps the stage aside by design (MessageRoom), and the analysed text's own
    # ("Analysed: Done editing (Ctrl+E) shows its colours.", usertest51) would still be up
    window.statusBar().clearMessage()
    window.status.loading(model)
    window.status.load_stage(STAGE + stage, 3, 10)
    settle(window)
    label = window.status.progress_label
    label.grab()
    return label, label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())


@pytest.mark.parametrize("size", [(1024, 600), (800, 600)])
def test_the_status_bar_s_stage_beside_the_progress_bar_ends_in_a_whole_word(window, qtbot, size):
    """Beside the progress bar a first conversion's stage was cut in half a word at 1024x600 ("... for this
    com…") and hidden whole at 800x600 (it stepped aside as if a message needed the room): it shows, ends after
    a whole word with "…", and the whole line is in the tooltip."""
    label, shown = stage_shown(window, size, "SmolLM2-135M-Instruct.Q4_1.gguf", " \u00b7 de-quantizing its tensors")
    assert not label.isHidden() and len(shown) > 1, (label.width(), shown)
    # a shorter form of its own, whole, or its shortest cut after a word (leftovers60: load_words.stage_forms)
    assert shown != label.text() and (shown in label.forms or _ends_in_a_whole_word(shown, label.forms[-1])), shown
    assert label.toolTip() == label.text()
    status = window.status
    status.model_failed(True)
    status.busy(True, loading=False)
    status.lane_work("analyse", loading=False)
    window.statusBar().clearMessage()
    settle(window)
    label.grab()
    assert label.text() == "Analysing the text\u2026" and not label.isHidden()
    shown = label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())
    assert shown == label.text() or _ends_in_a_whole_word(shown, label.text()), shown
    assert label.toolTip() == ("" if shown == label.text() else label.text()), "whole: no tooltip repeating it"


def test_the_fine_tune_label_s_last_form_ends_in_a_whole_word(qapp):
    from PySide6.QtGui import QFontMetrics

    from desktop_app.gui.finetune_side import fitted_run

    metrics = QFontMetrics(qapp.font())
    forms = ["fine-tuning \u00b7 measuring your current model 7/12 answers \u00b7 2 min left",
             "measuring your current model 7/12 answers"]
    width = metrics.horizontalAdvance(forms[-1]) * 2 // 3
    shown = fitted_run(forms, metrics, width)
    assert _ends_in_a_whole_word(shown, forms[-1]), shown


def _in_view(scroll, widget) -> bool:
    top = widget.mapTo(scroll.viewport(), widget.rect().topLeft()).y()
    return widget.isVisible() and top >= 0 and top + widget.height() <= scroll.viewport().height()


@pytest.mark.parametrize("size", [(1024, 600), (800, 600)])
def test_the_line_a_picked_alternative_adds_under_the_chart_comes_into_view(window, qtbot, size):
    """At 1024x600 picking an alternative in the chart put its comparison with the written token below the
    fold: the inspector scrolls it into view as it appears."""
    window.resize(*size)
    settle(window)
    records = window.text_view.heatmap.records
    index = next(i for i, r in enumerate(records) if r.rank > 1 and len(r.top) > 1)
    window.show_text_token(index, records[index])
    inspector = window.inspector
    settle(window)
    inspector.chart.setFocus()
    qtbot.keyClick(inspector.chart, Qt.Key.Key_Home)  # the likeliest token, not the written one
    assert inspector.versus.text()
    qtbot.waitUntil(lambda: _in_view(inspector.scroll, inspector.versus), timeout=WAIT_MS)
