"""Copy an answer (text or Markdown) and export a whole conversation (Markdown or JSON)."""

from __future__ import annotations

import logging
import re

from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton

from desktop_app.core.conversation_import import import_conversation_file
from desktop_app.core.store import StoreError
from desktop_app.gui import conversation_export as cx, save_folder
from desktop_app.gui.theme import icon

log = logging.getLogger(__name__)

KINDS = {"markdown": ("md", "Markdown (*.md)"), "json": ("json", "JSON (*.json)")}


def copy_answer(window, card, kind: str) -> str:
    """``kind`` "copy-text": the answer as plain text; "copy-markdown": with its prompt and author."""
    message = card.message
    text = "".join(r.text for r in card.records) if message is None else message["text"]
    if kind == "copy-markdown" and message is not None:
        store = window.chat.store
        prompt = store.get_message(message["parent_id"]) if message.get("parent_id") else None
        text = cx.answer_markdown(message, prompt)
    # plain text only: a QMimeData handed to the clipboard from Python crashes the interpreter
    # at exit (PySide6 6.11, seen offscreen); Markdown is text, so nothing is lost
    QApplication.clipboard().setText(text)
    window.statusBar().showMessage("Copied the answer" + (" as Markdown" if kind == "copy-markdown" else ""), 4000)
    return text


def conversation_text(window, conversation_id: int, kind: str) -> str:
    chat, store = window.chat, window.chat.store
    conversation = store.get_conversation(conversation_id)
    messages = store.messages(conversation_id)
    thread = chat.thread() if conversation_id == chat.conversation_id else cx.newest_branch(messages)
    answers = [m["id"] for m in messages if m["role"] == "assistant"]
    ratings = {mid: store.message_rating(mid) for mid in answers}
    corrections = {mid: text for mid in answers if (text := store.correction(mid))}
    if kind == "markdown":
        return cx.conversation_markdown(conversation["title"], thread, cx.sibling_positions(messages, thread),
                                        corrections, ratings)
    return cx.conversation_json(conversation, messages, [m["id"] for m in thread], ratings, corrections)


def export_conversation(window, conversation_id: int | None, kind: str, path: str | None = None) -> str | None:
    """Save one conversation; asks where unless ``path`` is given. Returns the path, or None."""
    if conversation_id is None:
        window.show_error("Open a conversation to export it.")
        return None
    suffix, pattern = KINDS[kind]
    if path is None:
        title = window.chat.store.get_conversation(conversation_id)["title"]
        stem = re.sub(r"[^\w\- ]+", "", title).strip().replace(" ", "-")[:40] or f"conversation-{conversation_id}"
        path, _ = QFileDialog.getSaveFileName(window, "Export conversation",
                                              save_folder.suggested(window, f"{stem}.{suffix}"), pattern)
        if not path:
            return None
        save_folder.remember(window, path)
    try:
        cx.write_text(path, conversation_text(window, conversation_id, kind))
    except OSError as exc:
        window.show_error(f"The export failed: {exc}")
        return None
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return str(path)


IMPORT_LABEL = "Import conversation\u2026"


def import_conversation(window, path: str | None = None) -> int | None:
    """Read a conversation exported as JSON (asks for the file unless ``path`` is given) into a new
    conversation and show it on the branch that was on screen. Returns the conversation shown, or None."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import conversation", str(save_folder.start_folder(window)),
                                              "Conversation as JSON (*.json)")
        if not path:
            return None
    if window.chat.generating:
        window.show_error("Wait for the answer to end (or stop it) before importing a conversation.")
        return None
    try:
        done = import_conversation_file(window.chat.store, path)
    except StoreError as exc:  # a bad or newer file: said, nothing imported
        window.show_error(str(exc))
        return None
    window.open_conversation(done.conversation_id)
    _show_branch(window, done.shown_branch)
    window.statusBar().showMessage(_imported_words(done), 6000)
    return done.conversation_id


def _show_branch(window, branch: list[int]) -> None:
    """The branch the exporter had on screen, rather than the newest one."""
    if branch and window.chat.conversation_id is not None:
        parents = {m["id"]: m["parent_id"] for m in window.chat.store.messages(window.chat.conversation_id)}
        window.chat.choice = {parents[mid]: mid for mid in branch if mid in parents}
        window.cards.opening = True  # still the conversation just imported: shown as one opened
        window.chat.reload()


def _imported_words(done) -> str:
    if done.already_here:
        return "This conversation is already here: opened it, nothing imported twice"
    counts = ", ".join(f"{n} {thing}{'' if n == 1 else 's'}" for n, thing in (
        (done.messages, "message"), (done.ratings, "rating"), (done.better_answers, "better answer")))
    return f"Imported the conversation: {counts} (its answers are scored by the model in use when shown)"


def add_export_button(window, toolbar) -> QToolButton:
    """A toolbar button: export the open conversation as Markdown or JSON, or import one exported as JSON."""
    button = window.export_button = QToolButton()
    button.setIcon(icon("export"))
    button.setToolTip("Export this conversation (Markdown or JSON), or import one (Ctrl+S)")
    menu = QMenu(button)
    window.export_markdown_action = menu.addAction(
        "Conversation as Markdown\u2026", lambda: export_conversation(window, window.chat.conversation_id, "markdown"))
    window.export_json_action = menu.addAction(
        "Conversation as JSON\u2026", lambda: export_conversation(window, window.chat.conversation_id, "json"))
    menu.addSeparator()
    window.import_conversation_action = menu.addAction(IMPORT_LABEL, lambda: import_conversation(window))
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    toolbar.insertWidget(toolbar.actions()[1], button)  # beside the conversations toggle
    return button


def rated_in(store, conversation_id: int) -> int:
    """How many answers of a conversation carry a rating or a better answer."""
    answers = [m["id"] for m in store.messages(conversation_id) if m["role"] == "assistant"]
    return sum(1 for mid in answers if store.ratings(mid) or store.correction(mid))


def delete_warning(window, conversation_id: int) -> str:
    """What deleting a conversation does to the fine-tune's ratings ("" when it holds none): to a run
    going now, or to the next one (usertest 18: the question did not say that the ratings counted in
    the Fine-tune tab go with it)."""
    rated = rated_in(window.chat.store, conversation_id)
    if not rated:
        return ""
    answers = f"{rated} rated answer{'s' if rated != 1 else ''}"
    if not window.finetune.running:
        one = rated == 1
        return f"Its {answers} go{'es' if one else ''} with it: fine-tuning will no longer learn from {'it' if one else 'them'}."
    return (f"A fine-tune is running and learning from this conversation's {answers}. Deleting does not stop "
            "that run, and what it has read it keeps; later runs will not have these ratings.")
