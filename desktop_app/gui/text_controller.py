"""Text mode's logic without widgets: the open document and its tree of continuations
(``BranchTree``, gui/text_tree.py), and its scoring and continuations on the model lane
through the chat model's owner (``ChatController``), so they queue with chat work in one
order. An analysis re-runs only the windows from the first token that differs from the
last scoring; a newer edit drops the analysis still waiting and stops the one running
between windows (its part is kept for reuse; its result is not shown). Every continuation
becomes a branch of the tree.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop_app.core import analysis_cache, documents, session
from desktop_app.core.errors import ModelError
from desktop_app.core.records import TokenRecord
from desktop_app.gui.tasks import Task, Throttle
from desktop_app.gui.text_analysis import HEATMAP_MAX_TOKENS
from desktop_app.gui.text_tree import NOT_A_CONTINUATION, BranchTree, Plan

NO_MODEL = "No model is loaded: choose one with the model button."
KEEP_EVERY_S = 1.0  # a continuation's tokens so far are stored this often, as a chat answer's: a killed app keeps them


class TextController(QObject):
    """The open document and the model work on it (analyse, continue).

    Attributes:
        store, chat: the database and the ChatController (owner of the model and its lane).
        document_id: the open document (None until one is opened or made).
        opening: whether a document is being read or made on the store lane.
        tree: its BranchTree (main text, branches, the path shown).
        plan: where the continuation being written goes (a text_tree.Plan), else None.
        scored: the last ScoredText shown; summary: its TextSummary; shown_spans: the characters
            a model's continuation wrote in the last scoring shown (complete or stopped).
        previous: the last scoring made (shown, stale or cancelled): the next analysis
            re-runs only the windows from the first token that differs from it.
        generation: a counter: an analysis whose number is not the newest is stale.
        throttle: batches streamed continuation tokens."""

    analysed = Signal(object, object)  # ScoredText, TextSummary
    analyse_progress = Signal(object)  # core.scoring.ScoreProgress: reading a long text, then each window
    analysis_stopped = Signal(object, object)  # the part scored before Cancel: ScoredText, TextSummary
    stream_started = Signal(object)  # the Plan: the text before the continuation
    tokens = Signal(list)
    continued = Signal(str, str)  # the continuation's text, why it finished
    speed = Signal(float, int)  # a continuation's tokens a second and its tokens (the status bar's, in Text)
    error = Signal(str)
    saved = Signal(int)  # a document's text (and maybe its title) is stored
    busy_changed = Signal(bool)  # a continuation is (or is no longer) asked for
    opening_changed = Signal(bool)  # a document is (or is no longer) being read or made on the store lane
    opened = Signal(object)  # the document opened (documents.open_for_editing's dict, with "shown_text")
    deleted = Signal(object)  # the open document was deleted (a documents.DeletedDocument); another opens

    def __init__(self, store, chat, parent=None):
        super().__init__(parent)
        self.store, self.chat = store, chat
        self.document_id: int | None = None
        self.scored = None
        self.summary = None
        self.shown_spans: list[tuple[int, int]] = []  # the model's characters in the last scoring shown
        self.previous = None
        self.generation = 0
        self.throttle = Throttle(parent=self)
        self.throttle.flushed.connect(self.tokens.emit)
        self.tree = BranchTree(store, chat.tasks.store, self)
        self.tree.error.connect(self.error.emit)
        self.tree.tokenizer = lambda: getattr(self.chat.loaded, "tokenizer", None)
        self.plan: Plan | None = None
        self.streamed: list[TokenRecord] = []  # the continuation's tokens so far: kept if the window closes
        self.sampling: dict = {}  # the settings the continuation under way is written with
        self.kept_at = 0.0  # when its tokens so far were last stored (time.monotonic)
        self.opening = False  # a document is being read or made (the view waits, read-only)
        self.open_refusal = ""  # the words the last refused opening said ("": none)
        self.chat.tasks.store.submit(Task(lambda _r, _c: documents.forget_analyses_of_deleted_documents(store),
                                          "forget deleted texts' analyses", "keep analysis"))

    @property
    def lane(self):
        return self.chat.lane

    @property
    def continuing(self) -> bool:
        return bool(self.lane.find("continue"))

    # ------------------------------------------------------------ documents
    def open_document(self, document_id: int | None = None, **new) -> bool:
        """Open a stored document (None: the newest, or a new empty one), or make one
        (``new``: text, title, path of a file, reuse_id; see ``documents.open_for_editing``).
        The file and the store are read and written on the store lane, after the edits
        queued before; ``opened`` (or ``error``, the open text staying) says when it is done.
        False: another opening is still under way."""
        if self.opening:
            return False
        store = self.store
        self._set_opening(True)
        self.chat.tasks.store.submit(Task(
            lambda _r, _c: documents.open_for_editing(store, document_id, **new), "open document", "document",
            on_success=self._opened, on_failure=self._open_failed))
        return True

    def new_document(self, text: str = "", title: str | None = None) -> bool:
        return self.open_document(text=text, title=title)

    def _opened(self, document: dict) -> None:
        self.document_id = document["id"]
        document["shown_text"] = self.tree.load(document)
        self.tree.changed.emit()
        self._set_opening(False)
        self.opened.emit(document)

    def _open_failed(self, error) -> None:
        self._set_opening(False)
        self.open_refusal = str(error)  # the next text opened takes it back (TextMode._drop_open_refusal)
        self.error.emit(self.open_refusal)

    def _set_opening(self, opening: bool) -> None:
        self.opening = opening
        self.opening_changed.emit(opening)

    def delete_document(self) -> bool:
        """Delete the open document on the store lane (after the edits queued before), then open the newest
        other (or a new empty one); ``deleted`` says what went. False while a text is opened or continued."""
        if self.document_id is None or self.opening or self.continuing:
            return False
        document_id, store = self.document_id, self.store
        self.drop_analysis()  # of a text going away
        self._set_opening(True)  # nothing edits it meanwhile
        # undoable: its kept analyses wait for an undo, which then colours it without a new pass
        self.chat.tasks.store.submit(Task(
            lambda _r, _c: documents.delete_document(store, document_id, undoable=True), "delete document",
            "document", on_success=self._deleted, on_failure=self._open_failed))
        return True

    def _deleted(self, deleted) -> None:
        self.document_id = None
        self._set_opening(False)
        self.deleted.emit(deleted)
        self.open_document(None)

    def restore_document(self, deleted, drop_open: bool = False) -> bool:
        """Bring a deleted document back (documents.restore_document) and open it; ``drop_open``: the open
        document goes (an empty untitled one, made when the deletion left none). False while a text is
        opened or continued."""
        if self.opening or self.continuing:
            return False
        store, empty = self.store, self.document_id if drop_open else None

        def work(_r, _c):
            document_id = documents.restore_document(store, deleted)
            if empty is not None:
                documents.delete_document(store, empty)
            return documents.open_for_editing(store, document_id)

        self._set_opening(True)
        self.chat.tasks.store.submit(Task(work, "restore document", "document", on_success=self._opened,
                                          on_failure=self._open_failed))
        return True

    def untitled_and_empty(self) -> bool:
        if self.document_id is None:
            return False
        document = documents.get_document(self.store, self.document_id)
        # no continuation either: a text emptied is untitled again (documents.title_on_save), and one with
        # continuations, whose ratings train, is not a blank a New or Ctrl+Z may reuse or delete
        return (document["title"] == documents.DEFAULT_DOCUMENT_TITLE and not document["text"]
                and not self.tree.by_id)

    def save(self, text: str, title: str | None = None) -> None:
        """Keep the text (store lane, in order); an untitled document is titled after its
        first words (or ``title``), and one emptied is untitled again (``documents.title_on_save``)."""
        if self.document_id is None or self.tree.edited(text):  # a branch's text is the branch's
            return
        document_id, store = self.document_id, self.store
        # the title is decided on the lane, after the saves before this one: the text they stored is the one before
        self.chat.tasks.store.submit(Task(lambda _r, _c: documents.save_edit(store, document_id, text, title),
                                          "save document", "document",
                                          on_success=lambda _r: self.saved.emit(document_id),
                                          on_failure=lambda e: self.error.emit(str(e))))

    # ------------------------------------------------------------ analysing
    def analyse(self, text: str) -> None:
        """Score the text on the model lane from its first changed window; an older analysis
        is dropped while it waits and stopped between windows while it runs. An analysis kept from
        an earlier start (core/analysis_cache.py) is shown without scoring; a new complete one is kept."""
        self.generation += 1  # first: the older one, dropped, is no longer the one to report
        number = self.generation
        self.lane.cancel_all("analyse")
        if self.chat.loaded is None and not self.chat.loading:
            return
        spans, document_id = self.model_spans(text), self.document_id  # (kept as this text's, not the next one's)
        work = self._analysis_work(text, spans)
        # it only reads the model: an answer asked for or the inspector's layer grid may stop it, and it goes
        # on after them from the part it had done
        self.lane.submit(Task(work, "analyse text", "analyse",
                              on_success=lambda r: self._analysed(number, *r, spans, text=text,
                                                                  document_id=document_id),
                              on_progress=lambda p: self._analyse_progress(number, p),
                              on_failure=lambda e: self.error.emit(str(e)),
                              on_cancelled=lambda _t: self._dropped(number), can_wait=True, restartable=True))

    def _analysis_work(self, text: str, spans):
        """The model lane's work for ``analyse``: (ScoredText, TextSummary, the identity to keep it under,
        None when it came from the kept analyses)."""
        cache = analysis_cache.cache_file(self.store.path)
        stopped_part: list = []  # a run stopped for an answer or the layer grid: the next run goes on from it

        def work(report, cancel):
            loaded = self.chat.loaded
            if loaded is None:
                raise ModelError(NO_MODEL)
            kept, identity = session.kept_scoring(loaded, text, cache, detailed=HEATMAP_MAX_TOKENS)
            if kept is not None:
                return kept, session.summarize_scored(kept, spans), None
            previous = stopped_part[-1] if stopped_part and stopped_part[-1].records else self.previous
            # summarised here too: a million-token text's summary would hold the window a second
            scored, summary = session.analyse_text(loaded, text, previous=previous, cancel=cancel, progress=report,
                                                   detailed=HEATMAP_MAX_TOKENS, model_spans=spans)
            stopped_part[:] = [scored]
            return scored, summary, identity

        return work

    def _keep(self, text: str, scored, identity: str | None, document_id: int | None) -> None:
        """A complete new analysis is kept for the next start (store lane: written in order, off the
        model's lane), as the analysis of ``document_id``, the text open when it was asked: read when it
        came, a text opened meanwhile took the rows of the one before (deleted with it, counted in its four)."""
        if identity is None or not scored.complete:
            return
        cache = analysis_cache.cache_file(self.store.path)
        self.chat.tasks.store.submit(Task(
            lambda _r, _c: session.keep_scoring(cache, text, identity, scored, document_id),
            "keep text analysis", "keep analysis"))

    def model_spans(self, text: str) -> list[tuple[int, int]]:
        """The characters of ``text`` a model's continuation wrote (none when ``text`` is not
        the path the tree shows: the person's edit is not stored yet)."""
        from desktop_app.core import text_branches as tb

        tree = self.tree
        if text != tree.shown_text():
            return []
        return tb.model_spans(tree.main_text, tree.by_id, tree.shown)

    def chosen_tokens(self, text: str) -> list[tuple[int, int]]:
        """(offset, token id) of each token of ``text`` a person chose for a branch ("Continue with “…”"); none
        when ``text`` is not the path the tree shows."""
        from desktop_app.core.chosen_token import text_choices

        tree = self.tree
        return text_choices(tree.main_text, tree.by_id, tree.shown) if text == tree.shown_text() else []

    def _analyse_progress(self, number: int, progress) -> None:
        if number == self.generation:
            self.analyse_progress.emit(progress)

    def _analysed(self, number: int, scored, summary, identity=None, spans=(), text: str = "",
                  document_id: int | None = None) -> None:
        self.previous = scored  # even a stale or cancelled one: its windows are reused
        self._keep(text, scored, identity, document_id)  # a stale one too: its text may come back (an undo)
        if number != self.generation:
            return  # the text changed while this ran
        self.shown_spans = list(spans)
        if not scored.complete:
            self.analysis_stopped.emit(scored, summary)
            return
        self.scored, self.summary = scored, summary
        self.analysed.emit(scored, summary)

    def adopt(self, scored, summary, spans=()) -> None:
        """A whole scoring of the text shown, made by other work (the fine-tune's change read it anew
        under the adapter, in passes the analysis was not read in), becomes its analysis: the heatmap,
        the summary and the exports then say one scoring's figures, and the next analysis goes on
        from it. ``summary``: its TextSummary; ``spans``: the model's characters in it."""
        self.previous = scored
        self.shown_spans = list(spans)
        self.scored, self.summary = scored, summary
        self.analysed.emit(scored, summary)

    def _dropped(self, number: int) -> None:
        """Cancelled before it began (it waited behind other work, or for a slow thread to take
        it): said as a stop with nothing analysed, else the tab would say "analysing…" for ever."""
        if number == self.generation:
            self.analysis_stopped.emit(session.ScoredText([], "", [], stopped=True), documents.summarize([]))

    def drop_analysis(self) -> None:
        """Stop the analysis and show nothing of it (the text was emptied)."""
        self.generation += 1
        self.lane.cancel_all("analyse")

    def cancel_analysis(self) -> None:
        """Stop the analysis (between windows): what was scored is shown and reused later."""
        self.lane.cancel_all("analyse")

    # ------------------------------------------------------------ continuing
    def continue_text(self, text: str, offset: int | None = None, first=None) -> bool:
        """Stream a continuation of the shown ``text`` from ``offset`` (None: its end;
        what follows stays in its branch) into a new branch. ``first``: an alternative
        token (id, text) to start with."""
        return self._write_on(self.tree.plan_at(text, len(text) if offset is None else offset, first))

    def regenerate(self) -> bool:
        """Another continuation in place of the one shown (a sibling branch)."""
        plan = self.tree.plan_regenerate()
        if plan is None:
            self.error.emit(NOT_A_CONTINUATION)
            return False
        return self._write_on(plan)

    def _write_on(self, plan: Plan) -> bool:
        if self.continuing:
            return False
        if self.chat.loaded is None and not self.chat.loading:
            self.error.emit(NO_MODEL)
            return False
        settings = replace(self.chat.settings)
        then_ids = [plan.first[0]] if plan.first else []

        def work(report, cancel):
            loaded = self.chat.loaded
            if loaded is None:
                raise ModelError(NO_MODEL)
            return documents.continue_text(loaded, plan.prefix, settings, cancel=cancel, on_token=report,
                                           then_ids=then_ids, between=self.lane.run_urgent)

        self.plan, self.streamed = plan, []
        self.tree.writing, self.kept_at = {}, time.monotonic()  # its branch's row is made at its first keeping
        # kept with the branch, as an answer keeps its settings: the inspector's sampler cut reads them (text58)
        self.sampling = {**settings.to_dict(), **({"branched_at": 0} if plan.first else {})}
        self.lane.submit(Task(work, "continue text", "continue", on_start=lambda _t: self.stream_started.emit(plan),
                              on_progress=self._progress, on_success=self._continued,
                              on_failure=self._continue_failed,
                              on_cancelled=self._never_ran, can_wait=True))
        self.busy_changed.emit(True)
        return True

    def _never_ran(self, _task) -> None:
        self.tree.writing = None
        self._ended("", "cancelled")

    def _progress(self, item) -> None:
        if isinstance(item, TokenRecord):
            self.streamed.append(item)
            self.throttle.push(item)
            if time.monotonic() - self.kept_at >= KEEP_EVERY_S:
                self._keep_so_far()

    def _keep_so_far(self) -> None:
        """The tokens written so far go to the continuation's branch row (BranchTree.keep_writing)."""
        self.kept_at = time.monotonic()
        loaded, records = self.chat.loaded, list(self.streamed)
        self.tree.keep_writing(self.plan, "".join(r.text for r in records), records,
                               loaded.model_id if loaded is not None else None, self.sampling)

    def _continued(self, generation) -> None:
        """A continuation came: it becomes a branch (shown), then ``continued`` says so. Its streamed
        records (generation's, one token a pass) coloured it only while it came: the analysis of the
        shown text that follows replaces them, so the heatmap, summary and exports say the figures
        any path to that text gives (docs/features.md, "One text, one set of figures")."""
        self.throttle.flush()
        self.streamed = []  # on its way to the store as a whole: the quit must not add it again
        if generation.records and generation.tokens_per_s:
            self.speed.emit(generation.tokens_per_s, len(generation.records))
        # the branch's text and tokens are kept as the editor holds them by text_branches.add_branch itself
        text, reason = generation.text, generation.finish_reason or ""
        if not text:
            self.tree.drop_writing()
            self._ended(text, reason)
            return
        loaded = self.chat.loaded
        self.tree.add(self.plan, text, generation.records, loaded.model_id if loaded is not None else None,
                      then=lambda _id: self._ended(text, reason), sampling=self.sampling)

    def _continue_failed(self, error) -> None:
        self.throttle.flush()
        self.tree.drop_writing()
        self._ended("", "error")
        self.error.emit(str(error))

    def _ended(self, text: str, reason: str) -> None:
        self.plan, self.streamed = None, []
        self.continued.emit(text, reason)
        self.busy_changed.emit(False)

    def stop(self) -> None:
        """Stop the continuation: dropped if it waits, cut short (kept so far) if it runs."""
        self.lane.cancel_all("continue")

    def shutdown(self) -> None:
        self.generation += 1  # the view is closing: nothing more to report
        self.lane.cancel_all("analyse")
        self._keep_streamed()
        self.stop()

    def _keep_streamed(self) -> None:
        """A continuation cut by closing the window is kept as Esc keeps it: a branch of the tokens
        it showed. Its own end comes after the lanes close and goes unheard (usertest31: a branch
        half written at Alt+F4 was gone at the next start)."""
        plan, records = self.plan, list(self.streamed)
        if plan is None or not records:
            return
        self.throttle.flush()
        self.streamed = []
        loaded = self.chat.loaded
        self.tree.add(plan, "".join(r.text for r in records), records,
                      loaded.model_id if loaded is not None else None, sampling=self.sampling)
