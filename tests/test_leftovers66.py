"""Small things a person met in the window (leftovers66), with real widgets and the tiny model:

- the inspector's button near the top said "Explain this token" over a "WHY THIS TOKEN?" section far below it,
  read as two different things: the button has the section's name, and a click brings the section into view.
- "Continue with this alternative" stayed greyed after "How likely was…?" asked about a word: a word of one token
  is picked to continue with (its chart row, or the word itself where the chart does not list it), and a phrase of
  several tokens says on the greyed button why it cannot start a branch.
- at the inspector's least width (240 px) the button read "Continue with this alterna…": it says "Continue with
  it", its whole words its accessible name.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import answered_window  # noqa: E402
from test_gui_polish2 import settle, visible_in  # noqa: E402

WAIT_MS = 60_000


def shown_token(window, index: int = 3):
    """Click token ``index`` of the last answer, as a person does: its card and the inspector."""
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    index = min(index, len(card.records) - 1)
    card.view.select_token(index)
    window.show_token(card, index)
    settle()
    return card, window.inspector


def test_the_explain_button_has_the_sections_name_and_brings_it_into_view(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        window.resize(800, 600)
        settle()
        _card, inspector = shown_token(window)
        view = inspector.explain
        assert view.button.text().casefold() == view.title.text().casefold(), (view.button.text(), view.title.text())
        port = inspector.scroll.viewport()
        assert not visible_in(view.title, port), "the section starts below the fold at 800x600"
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: visible_in(view.title, port), timeout=WAIT_MS)


def one_token_word(window, record, listed: bool) -> tuple[str, int]:
    """A word that is one token for the model where the probe scores it (after a space where the written token
    has one), listed among the token's chart rows or not, as ``listed`` asks: (the word, its token id)."""
    from desktop_app.core.prompts import encode
    from desktop_app.core.word_probe import scored_text_for

    tokenizer = window.chat.loaded.tokenizer
    charted = {alt.id for alt in window.inspector.chart.alternatives}
    for token_id in range(len(tokenizer)):
        word = tokenizer.decode([token_id]).strip()
        ids = encode(tokenizer, scored_text_for(word, record.text)) if word.isalpha() else []
        if len(ids) == 1 and ids[0] != record.id and (ids[0] in charted) == listed:
            return word, ids[0]
    raise AssertionError("no such word in the tiny vocabulary")


def probed(qtbot, inspector, words: str) -> None:
    """Ask "How likely was…" about ``words`` at the shown token and wait for its answer."""
    box = inspector.probe
    box.edit.setText(words)
    with qtbot.waitSignal(box.answered, timeout=WAIT_MS):
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
    settle()


def test_a_probed_word_can_be_continued_with_and_a_phrase_says_why_not(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        card, inspector = shown_token(window)
        index, button = inspector.index, inspector.branch_button
        record = card.records[index]
        listed, listed_id = one_token_word(window, record, listed=True)
        word, word_id = one_token_word(window, record, listed=False)
        phrase = f"{word} {listed} {word}"
        probed(qtbot, inspector, phrase)
        assert not button.isEnabled() and f"\u201c{phrase}\u201d is" in button.toolTip(), button.toolTip()
        assert "a branch starts from one token" in button.toolTip()
        probed(qtbot, inspector, listed)
        assert inspector.chart.alternatives[inspector.chart.current].id == listed_id, "its row in the chart is picked"
        assert button.isEnabled(), button.toolTip()
        probed(qtbot, inspector, word)
        assert inspector.selected_alternative().id == word_id and button.isEnabled(), button.toolTip()
        assert word in button.accessibleName() and inspector.versus.isVisible()
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            with qtbot.waitSignal(inspector.branch_requested, timeout=WAIT_MS) as asked:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert asked.args == [card.message_id, index, word_id]
        window.chat.shutdown()


def test_at_the_inspectors_least_width_the_branch_button_says_continue_with_it(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.inspector import BRANCH_LABEL
    from desktop_app.gui.inspector_alternatives import BRANCH_SHORT_LABEL
    from desktop_app.gui.view_toolbar import INSPECTOR_LEAST

    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        window.resize(800, 600)
        settle()
        _card, inspector = shown_token(window)
        button, side, splitter = inspector.branch_button, window.side_tabs, window.splitter
        assert button.text() == BRANCH_LABEL, "the whole words where they fit"
        sizes = splitter.sizes()
        at = splitter.indexOf(side)
        sizes[at - 1], sizes[at] = sizes[at - 1] + sizes[at] - INSPECTOR_LEAST, INSPECTOR_LEAST
        splitter.setSizes(sizes)
        qtbot.waitUntil(lambda: side.width() == INSPECTOR_LEAST, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: button.text() == BRANCH_SHORT_LABEL, timeout=WAIT_MS)
        assert button.accessibleName() == BRANCH_LABEL and "\u2026" not in button.text()
        assert button.width() >= button.sizeHint().width(), "its short words whole"
        view = inspector.scroll.viewport()
        assert button.mapTo(view, button.rect().topRight()).x() < view.width(), "inside the view"
