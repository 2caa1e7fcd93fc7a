"""An answer shown in Chat from the Fine-tune tab (a side of its ratings that disagree, ready_words.disagree_words):
its conversation opened on the branch that holds it, the answer ringed and given the keyboard as Enter on the
conversations' search shows the words it found (chat_search.reveal), and for a token rating that token in the
inspector, where the person takes away the rating they did not mean (its thumb, or the token's own buttons)."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from desktop_app.gui.chat_search import reveal


def show_answer(window, message_id: int, token_index: int | None = None) -> bool:
    """The answer ``message_id`` in Chat, ringed (a token rating: token ``token_index``); False where it cannot
    be shown now (deleted meanwhile, or an answer being written holds the chat)."""
    try:
        path = window.chat.store.thread(message_id)
    except Exception:  # noqa: BLE001  (deleted since the counts were read)
        return False
    if window.chat.generating:
        return False
    window.set_mode("chat")
    window.open_conversation(path[-1]["conversation_id"])
    window.chat.choice.update({m["parent_id"]: m["id"] for m in path})  # the branch that holds it, at every step
    window.chat.thread_changed.emit()
    card = next((c for c in window.transcript.cards if c.message_id == message_id), None)
    if card is None:
        return False
    window.transcript.hold_for_search()
    QTimer.singleShot(0, window.transcript, lambda: reveal(window, card, *_span(card.view, token_index)))
    return True


def _span(view, token_index: int | None) -> tuple[int, int]:
    """The document positions to ring: the token's, else the whole answer's."""
    if token_index is not None and 0 <= token_index < len(view.starts):
        return view.starts[token_index], view.ends[token_index]
    return 0, max(1, view.document().characterCount() - 1)
