"""The Text tab's bar keeps one form, words or bare icons, as the person goes in and out of the editor:
at a width between what its buttons' words need with "Edit" and with "Done editing" (1024x600 beside the
side panel: 683 px), all five buttons had dropped their words in the editor and taken them back with the
colours. The bar's height stays the same either way; the Edit button holds the room of "Done editing" in both
(usertest43), so one width decides the form. pytest-qt on the real window, tiny GPT-2, a real store."""

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
        # the Edit button holds the room of "Done editing" either way (text_bar.EditButton, usertest43): one least
        # width for the words, so no width lies between the two forms
        assert with_done == with_edit, f"{with_edit} px with Edit, {with_done} px with Done editing"
        kept_only = tuple(b in bar.kept for b in bar.labels)  # New, Open… and Stop give theirs up first (usertest 21)
        for width, form in ((with_edit - 24, kept_only), (with_edit + 24, (True,) * len(bar.labels))):
            window.resize(width, 600)  # the text tab is the window's width in Text mode; just too narrow, then roomy
            settle(10)
            assert forms_and_heights(view, bar) == form, f"at {width} px: words kept without room, or dropped"


def forms_and_heights(view, bar) -> tuple[bool, ...]:
    """In and out of the editor, with the words typing and its analysis say, the bar keeps one form (returned)
    and one height."""
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
    assert len(heights) == 1, f"the bar's height changed: {heights}"
    return next(iter(forms))
