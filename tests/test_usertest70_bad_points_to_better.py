"""usertest70, finding 4: a writer gave a long chat answer a thumbs-down and nothing said what else they could do;
"Write a better answer…" was under the answer's last line, below the window's edge, and the discarded run's card
later advised that a better answer teaches most. A thumbs-down on an answer without a better one now says where
that is; a thumbs-up, or a thumbs-down on an answer already bettered, says nothing of it (the real window, the
tiny GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import opened_window  # noqa: E402
from test_gui_focus import _answered_window  # noqa: E402


def test_a_thumbs_down_points_to_the_better_answer(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.ratings import BETTER_AFTER_BAD

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8) as window:
        card = _answered_window(qtbot, window)
        bar = window.statusBar()
        card.rating.up.click()
        assert bar.currentMessage() != BETTER_AFTER_BAD
        card.rating.down.click()
        assert bar.currentMessage() == BETTER_AFTER_BAD and "Write a better answer" in BETTER_AFTER_BAD
        assert card.rating.correct_button.text() == "Write a better answer\u2026"  # the words it points to
        card.rating.down.click()  # cleared
        bar.clearMessage()
        rating = card.rating
        rating.writer.set_correction(rating.message_id, "A better answer, already written.")
        rating.writer.wait()
        qtbot.waitUntil(lambda: rating.correction == "A better answer, already written.", timeout=5000)
        rating.down.click()
        assert bar.currentMessage() != BETTER_AFTER_BAD, "the answer has a better one already"
        window.chat.shutdown()
