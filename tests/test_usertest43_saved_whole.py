"""An export's "Saved <file>" shows whole in the status bar while a token is explained (usertest43 at 1280x800:
"Saved …/The lighthouse keeper had not spoken to.t", cut under the lane's "Explaining a token…", its bar and the
last continuation's speed, the file's name a guess). pytest-qt on the real window, tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from test_gui_usertest9_window import _message_room, settle, sized  # noqa: E402

BUNDLED_LABEL = "SmolLM2-135M-Instruct (bundled, offline) \u00b7 cpu \u00b7 Exact (float32)"
SAVED = "Saved /home/someone/Documents/novel drafts/The lighthouse keeper had not spoken to.txt"


@pytest.mark.parametrize("width", [1280, 1024])
def test_a_saved_message_shows_whole_while_a_token_is_explained(make_window, width):
    window = sized(make_window, width, 600, max_new_tokens=4)
    window.model_label.setText(BUNDLED_LABEL)  # the model as the person's window named it
    window.status.answer_speed(3.4, 128, None, tab="chat")  # a continuation's speed, as after one
    window.status.busy(True, loading=False)
    window.status.lane_work("explain", loading=False)
    settle()
    assert window.speed_label.isVisible() and window.progress_label.text() == "Explaining a token\u2026"
    bar = window.statusBar()
    bar.showMessage(SAVED, 8000)
    settle()
    room = _message_room(window)
    assert bar.fontMetrics().horizontalAdvance(SAVED) + 8 <= room, (room, "the message is cut by the bar's labels")
    bar.clearMessage()
    settle()
    assert window.progress_label.isVisible() and window.speed_label.isVisible(), "they come back after it"
