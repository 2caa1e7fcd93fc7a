"""The offline notice ("Using the bundled model …" with its "Choose a model…") and the messages that
share its banner: an answer's notice, here the one that says the model read an unanswered prompt
together with the next (core/prompts.join_unanswered), and the editing notice took its place, and the
notice and its link never came back. Now it comes back when the message over it goes (closed with ✕, or
taken back by the window), its link working; closing the message does not count as closing the notice.
Real window, real SQLite file, the tiny model; the notice is the one a load that fell back to the
bundled model tells (ChatController.model_notice)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.message_edit import EDITING_WORDS
from desktop_app.gui.model_dialog import ModelDialog
from desktop_app.gui.window_notices import CHOOSE_MODEL
from gui_windows import WAIT_MS, ask, modal_types_opened_by, opened_window
from test_robust101_unanswered import NEXT, _prompt_left_unanswered

OFFLINE = ("Using the bundled model SmolLM2-135M-Instruct: GPT-2 is not on this computer and the model hub cannot "
           "be reached. To use GPT-2, connect once and choose it.")


def _model_notice_back(banner) -> bool:
    return (not banner.isHidden() and banner.label.text() == OFFLINE and banner.action_button.text() == CHOOSE_MODEL
            and not banner.action_button.isHidden())


def _link_opens_the_model_dialog(qtbot, banner) -> None:
    opened = modal_types_opened_by(lambda: qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton))
    assert opened == [ModelDialog]


def test_the_offline_notice_comes_back_after_the_notices_shown_over_it(qtbot, qapp, tiny_model_dir):
    _prompt_left_unanswered()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=3) as window:
        banner = window.notice_banner
        window.chat.model_notice.emit(OFFLINE)
        assert _model_notice_back(banner)
        qtbot.waitUntil(lambda: bool(window.transcript.cards), timeout=WAIT_MS)
        ask(qtbot, window, NEXT)
        qtbot.waitUntil(lambda: "together with this one" in banner.label.text(), timeout=WAIT_MS)
        qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
        assert _model_notice_back(banner), "the answer's notice closed, the offline notice is there again"
        assert window.settings.value("dismissed_model_notice") != OFFLINE, "closing the other did not close it"
        _link_opens_the_model_dialog(qtbot, banner)

        window.message_editor.begin(next(c for c in window.transcript.cards if c.role == "user"))
        assert banner.label.text() == EDITING_WORDS
        assert window.message_editor.cancel()  # Esc: the edit ends, and its notice goes
        assert _model_notice_back(banner)

        qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)  # the notice itself, closed for good
        assert banner.isHidden() and window.settings.value("dismissed_model_notice") == OFFLINE
        window.message_editor.begin(next(c for c in window.transcript.cards if c.role == "user"))
        window.message_editor.cancel()
        assert banner.isHidden(), "a notice the person closed does not come back"
