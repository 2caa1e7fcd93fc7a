"""Why this token?: a row of the ranking (an earlier word that mattered, shown in context) is a link;
clicked, the chat or the Text tab scrolls to that word and rings it for a moment in its push's colour
(pytest-qt, the tiny model, a real store). Before, the click did nothing: a word up the conversation
had to be found by eye."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.gui.explain_reveal import push_colour  # noqa: E402
from desktop_app.gui.token_marks import span_rects  # noqa: E402
from gui_windows import opened_window  # noqa: E402
from test_gui_text import text_window  # noqa: E402,F401
from test_gui_text_explain import continued_token_picked, explained  # noqa: E402

WAIT_MS = 60_000
# many lines, few tokens: the tiny model's window (128 tokens) holds it whole, with the answer
LONG_PROMPT = "\n".join(f"Line {n}: waves." for n in range(1, 8))


def linked_rows(view) -> list[int]:
    """The attribution indices the ranking's rows link to, top to bottom."""
    return [int(i) for i in re.findall(r"href='(\d+)'", view.contributors.text())]


def in_view(scroll, token_view, start: int, end: int) -> bool:
    """Whether document positions ``start``..``end`` of ``token_view`` lie inside ``scroll``'s viewport."""
    rects = span_rects(token_view, start, end)
    shown = QRect(0, 0, scroll.viewport().width(), scroll.viewport().height())
    for rect in rects:
        top_left = token_view.viewport().mapTo(scroll.viewport(), rect.topLeft().toPoint())
        bottom_right = token_view.viewport().mapTo(scroll.viewport(), rect.bottomRight().toPoint())
        if not (shown.contains(top_left) and shown.contains(bottom_right)):
            return False
    return bool(rects)


def scroll_to_end(scroll) -> None:
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    QApplication.processEvents()


def test_a_ranked_prompt_word_is_scrolled_to_and_ringed_in_the_chat(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.main_window import open_settings

    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")  # (the tiny model has no chat template)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=12, seed=7) as window:
        window.resize(900, 440)
        window.prompt.setPlainText(LONG_PROMPT)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.send()
        QApplication.processEvents()
        answer = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
        index = len(answer.records) - 1
        answer.view.select_token(index)
        window.show_token(answer, index)
        view = window.inspector.explain
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
        a = view.result.attribution

        rows = linked_rows(view)
        assert rows and all(not a.hidden(i) for i in rows), "every row on screen is a link"
        prompt_rows = [i for i in rows if i < a.prompt_len]
        assert prompt_rows, (rows, "".join(a.token_texts[:a.prompt_len]))
        i = min(prompt_rows)  # the highest in the conversation
        word = a.token_texts[i].strip()
        assert word and word in prompt_card.view.prefix
        bar = window.transcript.verticalScrollBar()
        scroll_to_end(window.transcript)
        at_end = bar.value()
        assert at_end > 0, "the conversation is taller than the chat"

        view.contributors.linkActivated.emit(str(i))  # the row's link, as a click on it activates it
        QApplication.processEvents()
        start, end, colour = prompt_card.view.flashed
        assert prompt_card.view.toPlainText()[start:end].strip() == word
        assert colour == QColor(*push_colour(a, i))
        assert in_view(window.transcript, prompt_card.view, start, end), "the word is brought into view"
        assert answer.view.flashed is None
        scrolled_to = bar.value()
        bar.setValue(at_end)
        QApplication.processEvents()
        assert not in_view(window.transcript, prompt_card.view, start, end), "it was out of view before"
        assert scrolled_to < at_end
        qtbot.waitUntil(lambda: prompt_card.view.flashed is None, timeout=WAIT_MS)  # only for a moment

        own = [i for i in rows if i >= a.prompt_len]  # one of the answer's own earlier tokens, if ranked
        if own:
            view.contributors.linkActivated.emit(str(own[0]))
            at = own[0] - a.prompt_len
            assert answer.view.flashed[:2] == (answer.view.starts[at], answer.view.ends[at])
        window.chat.shutdown()


def test_a_ranked_word_of_a_long_text_is_scrolled_to_and_ringed_on_the_heatmap(text_window, qtbot):
    window = text_window(max_new_tokens=8)
    index, view = continued_token_picked(qtbot, window, LONG_PROMPT, (900, 440))
    heatmap, scroll = window.text_view.heatmap, window.text_view.heatmap_scroll
    result = explained(qtbot, view)
    a = result.attribution
    rows = linked_rows(view)
    assert rows
    # the row whose word stands highest in the text: the one furthest from the end the heatmap shows
    i = min(rows)
    at = index - len(a.scores) + i
    assert scroll.verticalScrollBar().maximum() > 0, "the text is longer than its view"
    scroll_to_end(scroll)
    start, end = heatmap.starts[at], heatmap.ends[at]
    assert not in_view(scroll, heatmap, start, end), "the word is out of view at the text's end"

    view.contributors.linkActivated.emit(str(i))
    QApplication.processEvents()
    assert heatmap.flashed == (start, end, QColor(*push_colour(a, i)))
    assert in_view(scroll, heatmap, start, end)
    assert scroll.verticalScrollBar().value() < scroll.verticalScrollBar().maximum()
    qtbot.waitUntil(lambda: heatmap.flashed is None, timeout=WAIT_MS)
