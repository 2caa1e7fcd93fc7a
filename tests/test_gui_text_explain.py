"""Why this token? in Text mode (pytest-qt, offscreen, the tiny random GPT-2, the real store): a
finished continuation's token and a token the writer typed are explained as the analysis read
them; the attribution paints over the heatmap; nothing is offered while a continuation is written."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.palette import attribution_color  # noqa: E402
from desktop_app.core.prompts import plain_text_start  # noqa: E402
from test_gui_text import TEXT, WAIT_MS, analysed, text_window  # noqa: E402,F401


def click_heatmap(qtbot, window, index):
    heatmap = window.text_view.heatmap
    qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.span_rect(index).center())
    QApplication.processEvents()


def continued_and_analysed(qtbot, window):
    """Ctrl+Enter, then wait until the heatmap shows the analysis of the continued text."""
    explainer = window.text_mode.explainer
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        qtbot.keyClick(window.text_view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    last = lambda: len(window.text_view.heatmap.records) - 1  # noqa: E731
    qtbot.waitUntil(lambda: window.text_view.editor.toPlainText() != TEXT
                    and explainer.scored_shown(last()) is not None
                    and window.text_mode.rated_token(last()) is not None, timeout=WAIT_MS)
    return last()


def explained(qtbot, view):
    assert view.button.isVisible(), view.status.text()
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    return view.result


def continued_token_picked(qtbot, window, text: str, size: tuple[int, int]):
    """The window at ``size`` with ``text`` analysed, continued, and the continuation's first token
    clicked: (its index, the inspector's explain view)."""
    window.resize(*size)
    analysed(qtbot, window, text)
    index = continued_and_analysed(qtbot, window)
    click_heatmap(qtbot, window, index)
    return index, window.inspector.explain


def test_a_finished_continuation_token_is_explained_and_painted_over_the_heatmap(text_window, qtbot):
    window = text_window(max_new_tokens=8)
    index, view = continued_token_picked(qtbot, window, TEXT, (1280, 800))
    scored, heatmap = window.text.scored, window.text_view.heatmap
    assert "finished answer" not in view.status.text()
    assert window.inspector.hint.text().startswith("The model wrote this token")
    result = explained(qtbot, view)
    seen = result.context.ids  # the text before it, as far as the analysis's window read it
    read = plain_text_start(window.chat.loaded.tokenizer) + list(scored.ids)  # after its start token
    at = index + scored.first + len(read) - len(scored.ids)  # record ``index`` is ids[index + first]
    assert result.context.in_text and seen == read[at + 1 - len(seen):at + 1] and len(seen) > 8
    assert not result.context.forced, "a continuation sampled it"
    assert abs(result.lens.probs[-1][0] - scored.records[index].prob) < 1e-4, "the analysis's own figure"
    assert "text before" in view.contributors.text() and "prompt" not in view.contributors.text()
    # text58: the continuation keeps the settings it was written with, and the sampler's line reads them
    assert "continuation does not store" not in view.sampler.text()
    assert f"temperature {window.chat.settings.temperature:g}" in view.sampler.text()
    # the attribution over the heatmap: the tokens before it, none after
    view.toggle.setChecked(True)
    a = result.attribution
    scale = max(abs(s) for s in a.scores)
    assert heatmap.overlay.colours[index - 1] == attribution_color(a.scores[-1], scale)
    # the start token is not on the heatmap
    assert index not in heatmap.overlay.colours and min(heatmap.overlay.colours) == max(0, index - len(a.scores))
    click_heatmap(qtbot, window, 2)  # another token: the overlay goes; a typed token is the writer's
    assert heatmap.overlay is None and view.button.isVisible()
    assert window.inspector.hint.text().startswith("You wrote this token")
    result = explained(qtbot, view)
    assert result.context.forced and "You wrote this token" in view.sampler.text()
    click_heatmap(qtbot, window, 0)  # the text's first word: scored, and explained, after the start token
    result = explained(qtbot, view)
    assert scored.first == 0 and result.context.ids == read[:2] and result.context.chosen == scored.ids[0]
    assert abs(result.lens.probs[-1][0] - scored.records[0].prob) < 1e-4, "the analysis's own figure"
    view.toggle.setChecked(True)
    assert not heatmap.overlay.colours, "only the start token came before it: nothing on the heatmap"


def test_no_explain_while_a_continuation_is_written(text_window, qtbot):
    window = text_window(max_new_tokens=40)
    analysed(qtbot, window, TEXT)
    window.text_view.editor.moveCursor(QTextCursor.MoveOperation.End)
    view = window.inspector.explain
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        qtbot.keyClick(window.text_view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: window.text.continuing, timeout=WAIT_MS)
        click_heatmap(qtbot, window, 1)
        assert not view.button.isVisible() and "finished text" in view.status.text()


def test_a_doubtful_text_token_is_explained_again_once_the_text_is_read_with_exact_weights(text_window, qtbot):
    from test_gui_explain import _off

    window = text_window()
    window.resize(1280, 800)
    analysed(qtbot, window, TEXT)
    click_heatmap(qtbot, window, 3)
    view = window.inspector.explain
    off = _off(explained(qtbot, view), "bfloat16")
    view.show_result(view.ticket, off)
    assert not off.attribution.complete and view.exact_button.isVisible()
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):  # the text's colours from the new weights
        qtbot.mouseClick(view.exact_button, Qt.MouseButton.LeftButton)
    assert window.chat.loaded.precision == "float32"
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # asked again, by itself
    assert view.result.context.in_text and view.result.precision == "float32" and not view.exact_button.isVisible()
