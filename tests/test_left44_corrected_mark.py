"""An answer the person wrote a better one for, with no thumb, bears a mark on its card (user test: only the
footer, far below a long answer, said so): the card's edge in the accent colour and a mark beside the thumbs,
which edits the better answer; a reopened conversation shows them from the store; a thumb's colour wins the
edge; removing the better answer takes both away. Real window, tiny model."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from desktop_app.gui.ratings import BETTER_MARK_TIP
from gui_windows import WAIT_MS, answered_window


def _answer_card(window):
    return next(c for c in window.transcript.cards if c.role == "assistant")


def test_a_better_answer_without_a_thumb_marks_the_card(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = _answer_card(window)
        assert card.property("rated") == "" and not card.rating.better_mark.isVisible()
        card.rating.save_correction("I am well, thank you.")
        assert card.property("rated") == "corrected"
        mark = card.rating.better_mark
        assert mark.isVisible() and mark.toolTip() == BETTER_MARK_TIP
        window.writer.wait()
        conversation = window.chat.conversation_id
        window.new_conversation()
        window.open_conversation(conversation)
        QApplication.processEvents()
        card = _answer_card(window)
        assert card.property("rated") == "corrected" and card.rating.better_mark.isVisible(), "read from the store"
        card.rating.set_thumb(-1)
        assert card.property("rated") == "down" and card.rating.better_mark.isVisible()
        card.rating.set_thumb(-1)  # cleared again
        card.rating.save_correction(None)
        assert card.property("rated") == "" and not card.rating.better_mark.isVisible()


def test_the_mark_opens_the_better_answer_to_edit(qtbot, qapp, tiny_model_dir, monkeypatch):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = _answer_card(window)
        card.rating.save_correction("I am well, thank you.")
        opened = []
        monkeypatch.setattr(card.rating, "edit_correction", lambda: opened.append(card.rating.correction))
        card.rating.better_mark.click()
        assert opened == ["I am well, thank you."] and card.rating.better_mark.isChecked()
        qtbot.waitUntil(lambda: window.chat.store.correction(card.message_id) == "I am well, thank you.",
                        timeout=WAIT_MS)
