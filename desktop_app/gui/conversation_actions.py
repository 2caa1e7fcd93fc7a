"""Copy an answer (text or Markdown), export a whole conversation (Markdown or JSON) and import one
exported as JSON; the exports and the import run on the store lane (``ConversationFiles``). The export menu's
ratings entry is gui/ratings_export.py's."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QToolButton

from desktop_app.core import conversation_import
from desktop_app.core.count_words import counted
from desktop_app.core.errors import UserFacingError
from desktop_app.core.text_export import file_stem
from desktop_app.core import conversation_export as cx
from desktop_app.gui import save_folder
from desktop_app.gui.tasks import Task
from desktop_app.gui.theme import icon

log = logging.getLogger(__name__)

KINDS = {"markdown": ("md", "Markdown (*.md)"), "json": ("json", "JSON (*.json)"), "html": ("html", "Web page (*.html)")}


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


def conversation_stem(title: str, conversation_id: int) -> str:
    """The file name an export suggests: the title's words joined by "-", cut at a word's end as the Text tab's
    exports are (cut at 40 characters, "Write a long story about a dragon who loves tea." had suggested
    "Write-a-long-story-about-a-dragon-who-lo.md": usertest33); "conversation-3" for a title of no words."""
    if not any(ch.isalnum() for ch in title or ""):
        return f"conversation-{conversation_id}"
    return file_stem(title).replace(" ", "-")


def answer_stem(store, message: dict, message_id: int | None) -> str:
    """The file name an answer's export suggests: its prompt's words and "-answer" ("What-colour-is-the-sky-answer");
    "answer-11" (a database id a person never sees) had named every answer's file alike (usertest54)."""
    parent_id = message.get("parent_id")
    prompt = store.get_message(parent_id) if parent_id else None
    words = (prompt or {}).get("text") or ""
    if not any(ch.isalnum() for ch in words):
        return f"answer-{message_id or 'new'}"
    return f"{file_stem(words).replace(' ', '-')}-answer"


def export_conversation(window, conversation_id: int | None, kind: str, path: str | None = None) -> str | None:
    """Save one conversation (on the store lane: ``ConversationFiles.export``); asks where unless ``path`` is
    given. Returns the path the file goes to (``saved`` says when it is there), or None."""
    if conversation_id is None:
        window.show_error("Open a conversation to export it.")
        return None
    suffix, pattern = KINDS[kind]
    if path is None:
        title = window.chat.store.get_conversation(conversation_id)["title"]
        stem = conversation_stem(title, conversation_id)
        path = save_folder.ask_save_path(window, "Export conversation", f"{stem}.{suffix}", pattern)
        if not path:
            return None
    window.conversation_files.export(conversation_id, kind, str(path))
    return str(path)


IMPORT_LABEL = "Import conversation\u2026"


def import_conversation(window, path: str | None = None) -> Task | None:
    """Read a conversation exported as JSON (asks for the file unless ``path`` is given) into a new
    conversation, on the store lane, then show it on the branch that was on screen
    (``ConversationFiles.import_file``). Returns the import's task, or None where none started."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import conversation", str(save_folder.start_folder(window)),
                                              "Conversation as JSON (*.json)")
        if not path:
            return None
    return window.conversation_files.import_file(str(path))


class ConversationFiles(QObject):
    """The window's conversation exports and imports. Both run on the store lane (gui/tasks.py: the one
    writer, which an import needs, and the one reader that sees every write before it), so a long
    conversation or a big file never freezes the window: the status bar says what runs ("Importing
    chat.json: 400 messages…"), the menu's Import waits until it ends, and the result or the error, in
    words, follows.

    Signals (all on the GUI thread): ``saved(path)`` once a file is written, ``imported(done)`` once an
    import's conversation is shown (core.conversation_import.ImportedConversation), ``failed(words)``.
    """

    saved = Signal(str)
    imported = Signal(object)
    failed = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.importing: Task | None = None

    def export(self, conversation_id: int, kind: str, path: str) -> Task:
        w = self.window
        store, tokenizer_for = w.chat.store, writers_tokenizer(w)
        shown = [m["id"] for m in w.chat.thread()] if conversation_id == w.chat.conversation_id else None

        def work(_report, _cancel) -> str:
            text = cx.conversation_text(store, conversation_id, kind, shown, tokenizer_for)
            try:
                cx.write_text(path, text)
            except OSError as exc:
                raise UserFacingError(f"The export failed: {exc.strerror or exc} ({path}).") from None
            return path

        w.statusBar().showMessage(f"Exporting the conversation to {Path(path).name}\u2026")
        return w.tasks.store.submit(Task(work, "export conversation", FILE_TASK, on_success=self._saved,
                                         on_failure=self._failed))

    def import_file(self, path: str) -> Task | None:
        w = self.window
        if self.importing is not None:
            w.show_error("A conversation is being imported: wait for it to end before importing another.")
            return None
        if w.chat.generating:
            w.show_error("Wait for the answer to end (or stop it) before importing a conversation.")
            return None
        store, loaded, name = w.chat.store, w.chat.loaded, Path(path).name

        def work(report, _cancel):
            parsed = conversation_import.parse_conversation(conversation_import.read_file_text(path), path)
            report(f"Importing {name}: {len(parsed['messages'])} messages\u2026")
            return conversation_import.import_conversation(store, parsed, source=name,
                                                           tokenizer=_placing_tokenizer(loaded, parsed))

        self.importing = w.tasks.store.submit(Task(
            work, "import conversation", FILE_TASK, on_progress=w.statusBar().showMessage,
            on_success=self._imported, on_failure=self._import_failed))
        w.import_conversation_action.setEnabled(False)
        w.statusBar().showMessage(f"Importing {name}\u2026")
        return self.importing

    def _saved(self, path: str) -> None:
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        self.saved.emit(path)

    def _failed(self, error) -> None:
        self.window.statusBar().clearMessage()
        self.window.show_error(str(error))
        self.failed.emit(str(error))

    def _import_ended(self) -> None:
        self.importing = None
        self.window.import_conversation_action.setEnabled(True)

    def _imported(self, done) -> None:
        self._import_ended()
        w = self.window
        w.open_conversation(done.conversation_id)
        _show_branch(w, done.shown_branch)
        w.statusBar().showMessage(_imported_words(done), 6000)
        self.imported.emit(done)

    def _import_failed(self, error) -> None:  # a bad or newer file: said, nothing imported
        self._import_ended()
        self._failed(error)


FILE_TASK = "conversation file"  # the store lane's kind of an export's or an import's task


def writers_tokenizer(window):
    """model id -> the model in use's tokenizer where it wrote the answer (where a split character's rating
    began, by the tokens' bytes: a read of its tables, which the model lane made), else None (by the
    pieces' rule: core/exchange.py)."""
    loaded = window.chat.loaded
    return lambda model_id: loaded.tokenizer if loaded is not None and model_id == loaded.model_id else None


def _placing_tokenizer(loaded, parsed: dict):
    """Where the file's token ratings name the characters they rated: a tokenizer of the model in use, of
    this import's own (the store lane must not use the one the model lane encodes with), to put each on its
    token; else None (each keeps the file's index)."""
    if loaded is None or not any(r.span for m in parsed["messages"] for r in m["token_ratings"]):
        return None
    return loaded.new_tokenizer()


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
    counts = ", ".join(counted(n, thing) for n, thing in (
        (done.messages, "message"), (done.ratings, "rating"), (done.better_answers, "better answer"),
        (done.token_ratings, "token rating")) if n or thing != "token rating")
    return f"Imported the conversation: {counts} (its answers are scored by the model in use when shown)"


CONVERSATION_EXPORT_TIP = ("Export this conversation (Markdown or JSON) or your ratings as training data, or import a "
                           "conversation (Ctrl+S)")
# in the Text tab Ctrl+S exports the text, and this button still the hidden chat's conversation: said so, where its
# "(Ctrl+S)" had promised the key's export, and a person wanting the text got conversations (usertest41)
CONVERSATION_EXPORT_TIP_IN_TEXT = ("Export the Chat tab's conversation (Markdown or JSON) or your ratings as training "
                                   "data, or import a conversation. "
                                   "The text: Ctrl+S, or Export under its summary")


def export_tip(in_text: bool) -> str:
    """The toolbar export button's tooltip for the tab in front."""
    return CONVERSATION_EXPORT_TIP_IN_TEXT if in_text else CONVERSATION_EXPORT_TIP


def add_export_button(window, toolbar) -> QToolButton:
    """A toolbar button: export the open conversation as Markdown or JSON, or the chat's ratings as training data
(gui/ratings_export.py), or import a conversation exported as JSON."""
    window.conversation_files = ConversationFiles(window)  # what the menu's entries run
    button = window.export_button = QToolButton()
    button.setIcon(icon("export"))
    button.setToolTip(export_tip(in_text=False))
    button.setAccessibleName("Export or import conversations and ratings")  # icon only; the tip changes by tab
    menu = QMenu(button)
    window.export_markdown_action = menu.addAction(
        "Conversation as Markdown\u2026", lambda: export_conversation(window, window.chat.conversation_id, "markdown"))
    window.export_json_action = menu.addAction(
        "Conversation as JSON\u2026", lambda: export_conversation(window, window.chat.conversation_id, "json"))
    window.export_html_action = menu.addAction(
        "Conversation as a web page\u2026", lambda: export_conversation(window, window.chat.conversation_id, "html"))
    from desktop_app.gui import ratings_export  # here: that module takes writers_tokenizer from this one

    window.export_ratings_action = menu.addAction(ratings_export.RATINGS_EXPORT_LABEL,
                                                  lambda: ratings_export.export_ratings(window))
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
    answers = counted(rated, "rated answer")
    if not window.finetune.running:
        one = rated == 1
        return f"Its {answers} go{'es' if one else ''} with it: fine-tuning will no longer learn from {'it' if one else 'them'}."
    return (f"A fine-tune is running and learning from this conversation's {answers}. Deleting does not stop "
            "that run, and what it has read it keeps; later runs will not have these ratings.")
