"""An answer shown in Chat from the Fine-tune tab (a side of its ratings that disagree, ready_words.disagree_words):
its conversation opened on the branch that holds it, the answer ringed and given the keyboard as Enter on the
conversations' search shows the words it found (chat_search.reveal), and for a token rating that token in the
inspector, where the person takes away the rating they did not mean (its thumb, or the token's own buttons).
A Text continuation's side (``show_continuation``) opens its text in the Text tab on that continuation's branch."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from desktop_app.core import text_branches as tb
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


def show_rating(window, message_id: int, token_index: int | None = None) -> bool:
    """A side of ratings that disagree (core.rating_conflicts): an answer in Chat, a Text continuation (minus its
    branch id) in the Text tab."""
    if message_id < 0:
        return show_continuation(window, -message_id, token_index)
    return show_answer(window, message_id, token_index)


def show_continuation(window, branch_id: int, token_index: int | None = None) -> bool:
    """The Text continuation ``branch_id`` in the Text tab: its text opened (on the store lane, as the picker opens
    one) and that branch shown, where its thumb or its tokens' ratings can be taken away; for a token rating its
    token ``token_index`` selected once the shown path is analysed; False where it is gone."""
    try:
        document_id = tb.get_branch(window.text.store, branch_id)["document_id"]
    except Exception:  # noqa: BLE001  (deleted since the counts were read)
        return False
    window.set_mode("text")  # (a first look at the tab may start opening its own text: _show_when_open waits for it)
    _show_when_open(window, document_id, branch_id, token_index)
    return True


def _show_when_open(window, document_id: int, branch_id: int, token_index: int | None = None, tries: int = 2) -> None:
    """Show the branch once its text is the one open: at once, or after the opening under way, or after opening it
    (its branch written since it was read, by the terminal: read again); nothing while a continuation is written."""
    text = window.text
    if not text.opening and text.document_id == document_id and branch_id in text.tree.by_id:
        if token_index is not None:
            _select_once_analysed(window, branch_id, token_index)
        text.tree.show(branch_id)
        return

    def opened(_document) -> None:
        text.opened.disconnect(opened)
        if tries:
            _show_when_open(window, document_id, branch_id, token_index, tries - 1)

    text.opened.connect(opened)
    if not text.opening and not window.text_view.texts.open_document(document_id):
        text.opened.disconnect(opened)


def _select_once_analysed(window, branch_id: int, token_index: int) -> None:
    """Select the continuation's rated token once the path just shown is analysed (showing a path always analyses
    it; the heatmap had the text before it until then), as a click would, so the inspector shows it."""
    text = window.text

    def analysed(*_result) -> None:
        text.analysed.disconnect(analysed)
        select_rated_token(window, branch_id, token_index)

    text.analysed.connect(analysed)


def select_rated_token(window, branch_id: int, token_index: int) -> bool:
    """Token ``token_index`` of continuation ``branch_id`` in the Text tab's heatmap brought into view and chosen
    (the inspector shows it); False where the heatmap does not show it (another path shown meanwhile, or past the
    heatmap's tokens)."""
    from desktop_app.gui.explain_reveal import bring_into_view

    mode, view = window.text_mode, window.text_view
    heatmap = view.heatmap
    if window.text.tree.shown != branch_id:
        return False
    index = next((i for i in range(len(heatmap.records)) if mode.rated_token(i) == (branch_id, token_index)), -1)
    if index < 0:
        return False
    view.set_editing(False)  # the token is chosen in the coloured text, not the editor
    bring_into_view(view.heatmap_scroll, heatmap, heatmap.starts[index], heatmap.ends[index])
    heatmap.choose_token(index)
    return True
