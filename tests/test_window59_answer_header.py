"""An answer card's header keeps a readable model name beside the compare button, the better-answer
mark, the thumbs, the arrows and the export menu, in a 1280 and a 1024 px window (usertest: the name
read "SmolLM2…" at 1280 once the compare and pencil icons came). Real window, the tiny model's answer
with a long model name in its header."""

from __future__ import annotations

import pytest

from desktop_app.gui.elided_labels import fitted_author
from gui_windows import WAIT_MS, opened_window

AUTHOR = "SmolLM2-135M-Instruct \u00b7 adapter 12"
BRANCH = "SmolLM2-135M-Instruct \u00b7 base model, then adapter 12"  # a branch from the base model's answer


def _shown_author(card) -> str:
    label = card.role_label
    return fitted_author(label.text(), label.fontMetrics(), label.contentsRect().width())


@pytest.mark.parametrize("width, both_panels, author", [
    (1280, False, AUTHOR), (1280, True, AUTHOR), (1024, False, AUTHOR), (1280, False, BRANCH), (1024, False, BRANCH)])
def test_the_model_name_stays_readable_beside_every_header_icon(qtbot, qapp, tiny_model_dir, width, both_panels, author):
    from desktop_app.gui import view_toolbar

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.set_mode("chat")
        if both_panels:
            view_toolbar.reveal(window, "conversations")  # Ctrl+B: the conversations beside the chat too
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.chat.send("Hello")
        window.resize(width, 800)
        card = window.transcript.cards[-1]
        card.role_label.setText(author)
        for button in _header_icons(card):
            button.show()
        card.set_siblings(2, 2)  # a regenerated answer: its arrows are in the header too
        card.fit_header()
        qapp.processEvents()  # the header laid out again at this width
        card.fit_header()
        qapp.processEvents()
        shown = _shown_author(card)
        assert shown.startswith("SmolLM2-135M"), f"{shown!r} at {width} px"
        assert shown.endswith("adapter 12")


def _header_icons(card):
    """What a rated, fine-tuned answer shows in its header: compare, the better-answer pencil."""
    return [card.rating.compare_button, card.rating.better_mark]

