"""The Text tab's buttons stay where they are as the person goes in and out of the editor (Edit, Ctrl+E, "Done
editing"): usertest43 at 1280x800 saw New and Open… slide 52 px left whenever the editor showed, as the picker gave
"Done editing" its room, so a click meant for Open… after Done editing landed on Done editing. pytest-qt on the
real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.text_bar import DONE_EDITING  # noqa: E402
from gui_windows import STORY, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402


def places(bar) -> dict[str, tuple[int, int]]:
    """Each of the bar's parts: its left edge and width, in the bar."""
    parts = {"picker": bar.documents, "new": bar.new_button, "open": bar.open_button, "edit": bar.edit_button,
             "stop": bar.stop_button, "settings": bar.settings_button, "continue": bar.continue_button}
    return {name: (widget.x(), widget.width()) for name, widget in parts.items()}


@pytest.mark.parametrize("size", [(1280, 800), (1024, 581)])
def test_the_bars_buttons_keep_their_places_in_and_out_of_the_editor(qtbot, qapp, tiny_model_dir, size):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.resize(*size)
        window.set_mode("text")
        view, bar = window.text_view, window.text_view.bar
        seen = []
        for editing in (False, True, False, True):
            view.set_editing(editing)
            settle()
            seen.append((view.editing, bar.edit_button.text(), places(bar)))
        assert [s[0] for s in seen] == [False, True, False, True]
        assert seen[1][1] == DONE_EDITING and seen[0][1] == "Edit", "the button says what pressing it does"
        coloured, editing = seen[0][2], seen[1][2]
        assert coloured == editing, f"parts moved: {coloured} -> {editing}"
        assert seen[2][2] == coloured and seen[3][2] == editing
