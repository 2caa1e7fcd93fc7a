"""Text mode: write, paste or open a text; see how predictable each token was (GLTR's heatmap
and summary); let the model continue it.

``TextController`` is the logic without widgets: it keeps the open document, and puts its
scoring and its continuations on the model lane through the chat model's owner
(``ChatController``), so they queue with chat work in one order. A newer edit cancels the
analysis still waiting; the result of one already running is dropped when it comes back.
``TextView`` is the widget: the editor, the heatmap (the chat's TokenView), the summary.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea,
                               QSplitter, QVBoxLayout, QWidget)

from desktop_app.core import documents, session
from desktop_app.core.errors import ModelError, UserFacingError
from desktop_app.core.records import TokenRecord
from desktop_app.gui.prompt_box import ICON_ONLY_WIDTH
from desktop_app.gui.responsive import Compactor
from desktop_app.gui.tasks import Task, Throttle
from desktop_app.gui.text_analysis import HEATMAP_MAX_TOKENS
from desktop_app.gui.text_summary import SummaryPanel
from desktop_app.gui.theme import icon
from desktop_app.gui.token_view import TokenView

RESCORE_PAUSE_MS = 600  # an edit is analysed once typing pauses this long
NO_MODEL = "No model is loaded: choose one with the model button."


class TextController(QObject):
    """The open document and the model work on it (analyse, continue).

    Attributes:
        store, chat: the database and the ChatController (owner of the model and its lane).
        document_id: the open document (None until one is opened or made).
        scored: the last ScoredText shown; summary: its TextSummary.
        previous: the last scoring made (shown, stale or cancelled): the next analysis
            re-runs only the windows from the first token that differs from it.
        generation: a counter: an analysis whose number is not the newest is stale.
        throttle: batches streamed continuation tokens."""

    analysed = Signal(object, object)  # ScoredText, TextSummary
    analyse_progress = Signal(object)  # core.scoring.ScoreProgress: reading a long text, then each window
    analysis_stopped = Signal(object, object)  # the part scored before Cancel: ScoredText, TextSummary
    stream_started = Signal()
    tokens = Signal(list)
    continued = Signal(str, str)  # the continuation's text, why it finished
    error = Signal(str)
    saved = Signal(int)  # a document's text (and maybe its title) is stored
    busy_changed = Signal(bool)  # a continuation is (or is no longer) asked for

    def __init__(self, store, chat, parent=None):
        super().__init__(parent)
        self.store, self.chat = store, chat
        self.document_id: int | None = None
        self.scored = None
        self.summary = None
        self.previous = None
        self.generation = 0
        self.throttle = Throttle(parent=self)
        self.throttle.flushed.connect(self.tokens.emit)

    @property
    def lane(self):
        return self.chat.lane

    @property
    def continuing(self) -> bool:
        return bool(self.lane.find("continue"))

    # ------------------------------------------------------------ documents
    def open_document(self, document_id: int | None = None) -> dict:
        """Open a stored document (None: the newest, or a new empty one)."""
        if document_id is None:
            rows = documents.list_documents(self.store)
            document_id = rows[0]["id"] if rows else documents.create_document(self.store, "")
        document = documents.get_document(self.store, document_id)
        self.document_id = document_id
        return document

    def new_document(self, text: str = "", title: str | None = None) -> dict:
        return self.open_document(documents.create_document(self.store, text, title))

    def untitled_and_empty(self) -> bool:
        if self.document_id is None:
            return False
        document = documents.get_document(self.store, self.document_id)
        return document["title"] == documents.DEFAULT_DOCUMENT_TITLE and not document["text"]

    def save(self, text: str, title: str | None = None) -> None:
        """Keep the text (store lane, in order); an untitled document is titled after its
        first words (or ``title``)."""
        if self.document_id is None:
            return
        document_id, store = self.document_id, self.store
        if title is None and documents.get_document(store, document_id)["title"] == documents.DEFAULT_DOCUMENT_TITLE \
                and text.strip():
            title = documents.title_for(text)
        self.chat.tasks.store.submit(Task(lambda _r, _c: documents.save_document(store, document_id, text, title),
                                          "save document", "document",
                                          on_success=lambda _r: self.saved.emit(document_id),
                                          on_failure=lambda e: self.error.emit(str(e))))

    # ------------------------------------------------------------ analysing
    def analyse(self, text: str) -> None:
        """Score the text on the model lane from its first changed window; an older analysis
        is dropped while it waits and stopped between windows while it runs."""
        self.lane.cancel_all("analyse")
        self.generation += 1
        number = self.generation
        if self.chat.loaded is None and not self.chat.loading:
            return

        def work(report, cancel):
            loaded = self.chat.loaded
            if loaded is None:
                raise ModelError(NO_MODEL)
            # summarised here too: a million-token text's summary would hold the window a second
            return session.analyse_text(loaded, text, previous=self.previous, cancel=cancel, progress=report,
                                        detailed=HEATMAP_MAX_TOKENS)

        self.lane.submit(Task(work, "analyse text", "analyse", on_success=lambda r: self._analysed(number, *r),
                              on_progress=lambda p: self._analyse_progress(number, p),
                              on_failure=lambda e: self.error.emit(str(e))))

    def _analyse_progress(self, number: int, progress) -> None:
        if number == self.generation:
            self.analyse_progress.emit(progress)

    def _analysed(self, number: int, scored, summary) -> None:
        self.previous = scored  # even a stale or cancelled one: its windows are reused
        if number != self.generation:
            return  # the text changed while this ran
        if not scored.complete:
            self.analysis_stopped.emit(scored, summary)
            return
        self.scored, self.summary = scored, summary
        self.analysed.emit(scored, summary)

    def cancel_analysis(self) -> None:
        """Stop the analysis (between windows): what was scored is shown and reused later."""
        self.lane.cancel_all("analyse")

    # ------------------------------------------------------------ continuing
    def continue_text(self, text: str) -> bool:
        """Stream a continuation of ``text`` (its end); ``continued`` brings the new text."""
        if self.continuing:
            return False
        if self.chat.loaded is None and not self.chat.loading:
            self.error.emit(NO_MODEL)
            return False
        settings = replace(self.chat.settings)

        def work(report, cancel):
            loaded = self.chat.loaded
            if loaded is None:
                raise ModelError(NO_MODEL)
            return documents.continue_text(loaded, text, settings, cancel=cancel, on_token=report)

        self.lane.submit(Task(work, "continue text", "continue", on_start=lambda _t: self.stream_started.emit(),
                              on_progress=self._progress, on_success=self._continued,
                              on_failure=self._continue_failed,
                              on_cancelled=lambda _t: self._ended("", "cancelled")))
        self.busy_changed.emit(True)
        return True

    def _progress(self, item) -> None:
        if isinstance(item, TokenRecord):
            self.throttle.push(item)

    def _continued(self, generation) -> None:
        self.throttle.flush()
        self._ended(generation.text, generation.finish_reason or "")

    def _continue_failed(self, error) -> None:
        self.throttle.flush()
        self._ended("", "error")
        self.error.emit(str(error))

    def _ended(self, text: str, reason: str) -> None:
        self.continued.emit(text, reason)
        self.busy_changed.emit(False)

    def stop(self) -> None:
        """Stop the continuation: dropped if it waits, cut short (kept so far) if it runs."""
        self.lane.cancel_all("continue")

    def shutdown(self) -> None:
        self.lane.cancel_all("analyse")
        self.stop()


class TextView(QWidget):
    """The Text tab: a document picker and buttons, the editor, the heatmap, the summary.

    Attributes:
        controller: the TextController.
        editor: where the person writes (read-only while the model continues).
        heatmap: a TokenView of the analysed text (and the continuation as it streams).
        summary_panel: the GLTR summary.
        timer: the pause after an edit before it is saved and analysed."""

    token_clicked = Signal(int, object)  # index, TokenRecord
    token_hovered = Signal(int, object)  # index (-1: none), TokenRecord or None

    def __init__(self, controller: TextController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RESCORE_PAUSE_MS)
        self.timer.timeout.connect(self.analyse_now)
        self._loading = False  # setting the editor's text from a document is no edit
        self._build()
        self._connect()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_bar())
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("TextEditor")
        self.editor.setPlaceholderText("Write or paste a text, or open a .txt / .md file. It is analysed as you "
                                       "write; Ctrl+Enter lets the model continue it, Esc stops.")
        self.heatmap = TokenView(lazy_tooltips=True)  # a long text's heatmap lays out faster
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()  # the heatmap keeps the editor's margins
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(12, 8, 12, 8)
        holder_layout.addWidget(self.heatmap)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.heatmap_scroll = scroll
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(scroll)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([200, 300])
        layout.addWidget(self.splitter, 1)
        self.summary_panel = SummaryPanel()
        layout.addWidget(self.summary_panel)

    def _build_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(6)
        self.documents = QComboBox()
        self.documents.setMinimumWidth(40)  # no wider than the chat page needs
        self.documents.setToolTip("Your texts (kept in the database)")
        row.addWidget(self.documents, 1)
        self.new_button = QPushButton(icon("new"), "New")
        self.new_button.setToolTip("A new, empty text")
        self.open_button = QPushButton("Open\u2026")
        self.open_button.setToolTip("Open a .txt or .md file as a new text")
        self.status = QLabel("")
        self.status.setObjectName("Muted")
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setToolTip("Stop the continuation (Esc)")
        self.continue_button = QPushButton(icon("send", "#ffffff"), "Continue")
        self.continue_button.setObjectName("PrimaryButton")
        self.continue_button.setToolTip("Let the model continue the text from its end (Ctrl+Enter)")
        self.status.setMinimumWidth(0)
        for widget in (self.new_button, self.open_button, self.status, self.stop_button, self.continue_button):
            if widget is not self.status:
                widget.setMinimumWidth(ICON_ONLY_WIDTH)  # may squeeze at 800 px rather than widen the window
            row.addWidget(widget)
        self.stop_button.setEnabled(False)
        # a narrow window drops the buttons' words (the tooltips and shortcuts say what they do)
        self.bar_labels = {b: b.text() for b in (self.new_button, self.stop_button, self.continue_button)}
        self.bar_compactor = Compactor(bar, self._compact_bar)
        return bar

    def _compact_bar(self, compact: bool) -> None:
        for button, text in self.bar_labels.items():
            button.setText("" if compact else text)

    def _connect(self) -> None:
        c = self.controller
        c.analysed.connect(self._analysed)
        c.stream_started.connect(self._stream_started)
        c.tokens.connect(self.heatmap.append_records)
        c.continued.connect(self._continued)
        c.busy_changed.connect(self._busy)
        c.saved.connect(lambda _id: self.refresh_documents())
        self.editor.textChanged.connect(self._edited)
        self.documents.activated.connect(lambda i: self.open_document(self.documents.itemData(i)))
        self.new_button.clicked.connect(lambda: self.new_document())
        self.open_button.clicked.connect(lambda: self.open_file())
        self.continue_button.clicked.connect(self.continue_text)
        self.stop_button.clicked.connect(c.stop)
        self.heatmap.token_clicked.connect(lambda i: self.token_clicked.emit(i, self.heatmap.records[i]))
        self.heatmap.token_hovered.connect(
            lambda i: self.token_hovered.emit(i, self.heatmap.records[i] if i >= 0 else None))
        from desktop_app.gui.text_analysis import install

        self.analysis_tools = install(self)  # progress and Cancel for long texts, exports

    # ------------------------------------------------------------ documents
    def refresh_documents(self) -> None:
        self.documents.clear()
        for row in documents.list_documents(self.controller.store):
            self.documents.addItem(row["title"], row["id"])
        at = self.documents.findData(self.controller.document_id)
        self.documents.setCurrentIndex(max(at, 0))

    def open_document(self, document_id: int | None = None) -> None:
        if self.controller.continuing:
            return
        self.flush_edit()
        self._show_document(self.controller.open_document(document_id))

    def new_document(self, text: str = "", title: str | None = None) -> None:
        """A new text; an empty untitled one on screen is used instead of making another."""
        if self.controller.continuing:
            return
        if not self.editor.toPlainText() and self.controller.untitled_and_empty():
            self.timer.stop()
            self._set_editor_text(text)
            self.controller.save(text, title)  # the list follows once it is stored
            self.analyse_now(save=False)
            return
        self.flush_edit()
        self._show_document(self.controller.new_document(text, title))

    def open_file(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open a text", "", "Texts (*.txt *.md);;All files (*)")
            if not path:
                return False
        try:
            text = documents.read_text_file(path)
        except UserFacingError as exc:
            self.controller.error.emit(str(exc))
            return False
        from pathlib import Path

        self.new_document(text, Path(path).name)
        return True

    def _set_editor_text(self, text: str) -> None:
        self._loading = True  # not an edit to save
        try:
            self.editor.setPlainText(text)
        finally:
            self._loading = False

    def _show_document(self, document: dict) -> None:
        self._set_editor_text(document["text"])
        self.refresh_documents()
        self.heatmap.set_records([], prefix="")
        self.summary_panel.set_summary(None)
        self.analyse_now(save=False)

    # ------------------------------------------------------------ analysing
    def _edited(self) -> None:
        if not self._loading:
            self.status.setText("edited\u2026")
            self.timer.start()

    def flush_edit(self) -> None:
        """An edit still waiting for the pause is saved and analysed now."""
        if self.timer.isActive():
            self.analyse_now()

    def analyse_now(self, save: bool = True) -> None:
        self.timer.stop()
        text = self.editor.toPlainText()
        if save:
            self.controller.save(text)
        if text.strip():
            self.status.setText("analysing\u2026")
            self.controller.analyse(text)
        else:
            self.status.setText("")
            self.heatmap.set_records([], prefix="")
            self.summary_panel.set_summary(None)

    def _analysed(self, scored, summary) -> None:
        from desktop_app.gui.text_analysis import heatmap_records

        self.heatmap.set_records(heatmap_records(scored.records), prefix=scored.unscored_prefix)
        self.summary_panel.set_summary(summary)
        self.status.setText("")

    def set_measure(self, measure: str) -> None:
        self.heatmap.set_measure(measure)

    # ------------------------------------------------------------ continuing
    def continue_text(self) -> None:
        self.flush_edit()
        self.controller.continue_text(self.editor.toPlainText())

    def _stream_started(self) -> None:
        self.status.setText("writing\u2026")

    def _continued(self, text: str, reason: str) -> None:
        self.status.setText({"cancelled": "stopped", "error": ""}.get(reason, ""))
        if text:
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
            self.editor.insertPlainText(text)  # an edit: saved and analysed after the pause
            self.flush_edit()

    def _busy(self, busy: bool) -> None:
        self.editor.setReadOnly(busy)
        self.continue_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for widget in (self.documents, self.new_button, self.open_button):
            widget.setEnabled(not busy)
