"""The Text tab's bar keeps one form, words or bare icons, as the person goes in and out of the editor:
at a width between what its buttons' words need with "Edit" and with "Done editing" (1024x600 beside the
side panel: 683 px), all five buttons had dropped their words in the editor and taken them back with the
colours. The bar's height stays the same either way. pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def words_shown(bar) -> tuple[bool, ...]:
    return tuple(bool(button.text()) for button in bar.labels)


def labelled_width(window, bar, editing: bool) -> int:
    """The bar's least width that keeps its buttons' words with the editor shown or not (measured wide)."""
    window.text_view.set_editing(editing)
    settle()
    bar._fit(1)  # words kept, the status words under the bar
    width = bar.layout().sizeHint().width()
    bar.ladder.recheck()
    return width


def test_going_in_and_out_of_the_editor_keeps_the_bars_form_and_height(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.panel_actions["side_tabs"].setChecked(False)
        window.resize(1400, 600)
        window.set_mode("text")
        settle()
        view, bar = window.text_view, window.text_view.bar
        with_edit, with_done = labelled_width(window, bar, False), labelled_width(window, bar, True)
        assert with_done > with_edit + 20, "the editor's button says more than Edit"
        window.resize((with_edit + with_done) // 2, 600)  # the text tab is the window's width in Text mode
        settle(10)
        assert with_edit < bar.width() < with_done, f"the bar is {bar.width()} px: not between {with_edit} and {with_done}"
        forms, heights = set(), set()
        for editing in (False, True, False, True, False):
            view.set_editing(editing)
            settle()
            for words in ("edited\u2026", "analysing\u2026", ""):  # what typing and its analysis say
                view.status.setText(words)
                settle()
                forms.add(words_shown(bar))
                heights.add(bar.height())
        assert len(forms) == 1, f"the buttons' words came and went: {forms}"
        # New, Open… and Stop give their words up first: Edit and Continue keep theirs (usertest 21)
        assert next(iter(forms)) == tuple(b in bar.kept for b in bar.labels), "words kept without room for them"
        assert len(heights) == 1, f"the bar's height changed: {heights}"
