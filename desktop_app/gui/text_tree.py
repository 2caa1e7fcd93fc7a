"""The open document's tree of continuations (Loom) in the window, without widgets.

``BranchTree`` keeps the document's main text, its branches and which path is shown (see
core/text_branches.py for what a path is), answers "where does a new continuation hang?",
and writes every change on the store lane, in order, updating its copy at once so that
the next action sees it. ``changed`` follows each stored change; ``shown_changed`` brings
the text of a path newly shown (the editor shows it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.store import StoreError
from desktop_app.gui.tasks import Task

NOT_A_CONTINUATION = "Regenerate makes another continuation in place of the one shown: continue the text first."


@dataclass(frozen=True)
class Plan:
    """Where a continuation goes: the text given to the model, and its place in the tree.

    Attributes:
        prefix: the text before the new branch (what the model continues).
        parent: the branch it hangs off (None: the main text); start: len(prefix).
        kind: "continuation" or "alternative"; first: the alternative token (id, text,
            logprob) the person chose to start with, else None.
        cut: the text that followed the cursor (kept in the branch it was in), for the status line.
    """
    prefix: str
    parent: int | None
    start: int
    kind: str = "continuation"
    first: tuple | None = None
    cut: str = ""


class BranchTree(QObject):
    """The open document's main text, branches and shown path (see the module docstring).

    Attributes:
        store, lane: the database and the store lane its writes go on.
        document_id, main_text, by_id (branch id -> row), shown (branch id, None: the main text).
        flush: called before the shown path or the tree changes (the view saves a pending edit)."""

    changed = Signal()
    shown_changed = Signal(str)
    error = Signal(str)
    rated = Signal(int)  # a branch whose ratings changed
    main_edited = Signal()  # the person typed in the main text (the outline's first row follows)
    forked = Signal(int, int)  # an edit before a continuation or of a rated one: (the continuation, the new branch)

    def __init__(self, store, lane, parent=None):
        super().__init__(parent)
        self.store, self.lane = store, lane
        self.document_id: int | None = None
        self.main_text = ""
        self.by_id: dict[int, dict] = {}
        self.shown: int | None = None
        self.flush = lambda: None  # the view's: an edit still waiting is kept before the tree changes
        self.tokenizer = lambda: None  # the loaded model's (the controller's): where a split character began
        self._forking: str | None = None  # the latest text while an edit's new branch is being stored
        # the continuation being written: {"id": its branch's row once stored}; the tree leaves that row out
        # until it ends (the outline's "writing…" row stands for it)
        self.writing: dict | None = None

    # ------------------------------------------------------------ reading
    def load(self, document: dict) -> str:
        """Take a document's tree from the store; returns the text of the path it shows."""
        self.document_id = document["id"]
        self.main_text = document["text"]
        rows = document["branches"] if "branches" in document else tb.branches(self.store, document["id"])
        writing = (self.writing or {}).get("id")
        self.by_id = {b["id"]: b for b in rows if b["id"] != writing}
        shown = document.get("shown_branch_id")
        self.shown = shown if shown in self.by_id else None
        return self.shown_text()

    def reload(self) -> None:
        if self.document_id is not None:
            self.load(documents.get_document(self.store, self.document_id))
            self.changed.emit()

    def shown_text(self) -> str:
        return tb.path_text(self.main_text, self.by_id, self.shown)

    def children(self, parent: int | None) -> list[dict]:
        return [b for b in self.by_id.values() if b["parent_id"] == parent]

    def path_ids(self) -> list[int]:
        return [b["id"] for b in tb.chain(self.by_id, self.shown)]

    def owner_at(self, offset: int) -> tuple[int | None, int]:
        """The branch that wrote character ``offset`` of the shown text (None: the main
        text) and where that branch's text starts in it."""
        for owner, start, end in tb.segments(self.main_text, self.by_id, self.shown):
            if start <= offset < end:
                return owner, start
        return None, 0

    # ------------------------------------------------------------ writing
    def _write(self, fn, name: str, then=None, *, always: bool = False) -> None:
        """``fn(store)`` on the store lane; then the tree is re-read and ``then(result)``
        runs (``always``: also after a failure, with None)."""
        store = self.store

        def done(result):
            self.reload()
            if then is not None:
                then(result)

        def failed(error):
            self.error.emit(str(error))
            done(None) if always else self.reload()

        self.lane.submit(Task(lambda _r, _c: fn(store), name, "branch", on_success=done, on_failure=failed))

    def edited(self, text: str) -> bool:
        """The person changed the shown text. The main text is the document's; a branch's
        own text changes with it. An edit before a continuation's start (the person's own
        words before what the model wrote), or of a rated continuation's own words, becomes a
        new "edited" branch (``fork``): the continuation stays as it was, with its ratings. An
        unrated continuation and an "edited" branch (the person's) are rewritten in place, the
        latter hung where the text now differs. Returns whether the shown path is a branch (the
        document row is then left as it is)."""
        if self._forking is not None:  # the new branch is on its way: its text follows
            self._forking = text
            return True
        if self.shown is None:
            if text != self.main_text:
                self.main_text = text
                self.main_edited.emit()
            return False
        branch = self.by_id[self.shown]
        prefix = tb.prefix_text(self.main_text, self.by_id, branch)
        if text == prefix + branch["text"]:
            return True
        if text.startswith(prefix) and self.is_rated(self.shown):
            self.fork(text, within=True)  # its rating judged the words the model wrote: they stay, the edit branches off
            return True
        if text.startswith(prefix):
            change = dict(text=text[len(prefix):])
        elif branch["kind"] != "edited":
            self.fork(text)
            return True
        else:
            parent, start = self._diverges(text)
            change = dict(text=text[start:], parent_id=parent, start=start)
        self.by_id[self.shown] = {**branch, **change}
        bid = self.shown
        self.lane.submit(Task(lambda _r, _c: tb.set_branch_text(self.store, bid, **change), "save branch", "branch",
                              on_failure=lambda e: self.error.emit(str(e))))
        return True

    def _diverges(self, text: str, least: int = 0) -> tuple[int | None, int]:
        """Where ``text`` leaves the shown path: (the branch it hangs off, the start of the
        word it first differs in, not before ``least``), so the outline's first words are where it changed."""
        old = self.shown_text()
        at = len(os.path.commonprefix([old, text]))
        at = max(max(text.rfind(c, 0, at) for c in " \n\t") + 1, min(least, at))
        return tb.attach_point(self.by_id, self.shown, at), at

    def is_rated(self, branch_id: int) -> bool:
        """A continuation with a rating of any kind: thumbs, a rated token, a better continuation."""
        if self.by_id[branch_id]["kind"] not in ("continuation", "alternative"):
            return False
        ratings = self.ratings(branch_id)
        return ratings["thumbs"] is not None or bool(ratings["tokens"]) or bool(ratings["correction"])

    def fork(self, text: str, within: bool = False) -> None:
        """The person's edit of the text before the shown continuation, or of a rated one's words: a
        new branch, shown; the continuation and its ratings stay as they were, and ``forked`` says so."""
        source = self.shown
        # ``within``: an edit of the continuation's own words, which hangs off it, not before it
        parent, start = self._diverges(text, self.by_id[source]["start"] if within else 0)
        self._forking = text

        def made(branch_id):
            if branch_id is not None:
                self.show(branch_id)  # (an edit typed meanwhile waits in _forking: show saves it there)
            latest, self._forking = self._forking, None
            if branch_id is None:
                return
            self.forked.emit(source, branch_id)
            if latest != text:
                self.edited(latest)

        self._write(lambda s: tb.fork_edit(s, source, parent, start, text[start:]), "edit before a continuation",
                    then=made, always=True)

    def show(self, branch_id: int | None) -> None:
        """Show a path (None: the main text)."""
        if branch_id is not None and branch_id not in self.by_id:
            return
        self.flush()
        self.shown = branch_id
        doc = self.document_id
        self.lane.submit(Task(lambda _r, _c: tb.show_branch(self.store, doc, branch_id), "show branch", "branch",
                              on_failure=lambda e: self.error.emit(str(e))))
        self.shown_changed.emit(self.shown_text())
        self.changed.emit()

    def add(self, plan: Plan, text: str, records, model_id: str | None, then=None, sampling: dict | None = None) -> None:
        """Keep a continuation as a new branch (over the row ``keep_writing`` made for it as it came) and show it;
        ``then(branch id)`` after. ``sampling``: the sampler settings it was written with (text_branches.add_branch)."""
        doc, writing = self.document_id, self.writing

        def shown(branch_id):
            if branch_id is not None:
                self.show(branch_id)
            if then is not None:
                then(branch_id)

        def keep(s):
            kept = (writing or {}).get("id")
            if kept is None or not tb.keep_written(s, kept, text, records=records, sampling=sampling or {}):
                kept = tb.add_branch(s, doc, plan.parent, plan.start, text, records=records, kind=plan.kind,
                                     model_id=model_id, sampling=sampling)
            self.writing = None  # (set on the lane, before the tree is read again: the row is in it)
            return kept

        self._write(keep, "add branch", then=shown, always=True)

    def keep_writing(self, plan: Plan, text: str, records, model_id: str | None, sampling: dict | None) -> None:
        """The continuation being written, as far as it came, stored in its branch's row (made at the first call)
        on the store lane, without reading the tree again (which leaves the row out until ``add``): a killed app
        keeps it as a chat answer's tokens are kept (usertest55: a kill -9 mid-continuation lost all of it)."""
        writing, doc, store = self.writing, self.document_id, self.store
        if writing is None or doc is None:
            return

        def work(_report, _cancel):
            if writing.get("id") is None:  # marked until it ends: a row the next start finds so was cut by a kill
                writing["id"] = tb.add_branch(store, doc, plan.parent, plan.start, text, records=records,
                                              kind=plan.kind, model_id=model_id,
                                              sampling={**(sampling or {}), tb.INTERRUPTED: True})
            else:
                tb.keep_written(store, writing["id"], text, records=records)

        self.lane.submit(Task(work, "keep the continuation so far", "branch"))

    def drop_writing(self) -> None:
        """A continuation that failed keeps nothing, as before it was stored as it came: its row goes."""
        writing, store = self.writing, self.store
        self.writing = None

        def work(_report, _cancel):
            kept = (writing or {}).get("id")
            try:
                if kept is not None:
                    tb.delete_branch(store, kept)
            except StoreError:
                pass  # gone already, with its text or a branch above it

        self.lane.submit(Task(work, "drop the continuation", "branch"))

    def delete(self, branch_id: int) -> None:
        if branch_id not in self.by_id:
            return
        self.flush()
        gone = {branch_id} | {b for b in self.by_id if branch_id in self._ancestors(b)}
        if self.shown in gone:
            self.show(self.by_id[branch_id]["parent_id"])
        self._write(lambda s: tb.delete_branch(s, branch_id), "delete branch")

    def _ancestors(self, branch_id: int) -> list[int]:
        return [b["id"] for b in tb.chain(self.by_id, branch_id)][:-1]

    def rename(self, branch_id: int, title: str) -> None:
        self._write(lambda s: tb.rename_branch(s, branch_id, title), "rename branch")

    def make_main(self, branch_id: int) -> None:
        self.flush()
        doc = self.document_id
        self._write(lambda s: tb.make_main(s, doc, branch_id), "make main text",
                    then=lambda _r: self.shown_changed.emit(documents.get_document(self.store, doc)["text"]))

    def rate(self, branch_id: int, value: int | None, token_index: int | None = None) -> None:
        tokenizer = self.tokenizer()  # read here: the write runs on the store lane
        self._write(lambda s: tb.rate_branch(s, branch_id, value, token_index, tokenizer=tokenizer),
                    "rate continuation", then=lambda _r: self.rated.emit(branch_id))

    def set_correction(self, branch_id: int, text: str | None) -> None:
        self._write(lambda s: tb.set_correction(s, branch_id, text), "better continuation",
                    then=lambda _r: self.rated.emit(branch_id))

    def ratings(self, branch_id: int) -> dict:
        return tb.branch_ratings(self.store, branch_id, self.tokenizer())

    def layout(self, branch_id: int):
        """Where a rating of each of the branch's tokens is kept (core text_branches.branch_layout,
        by the loaded model's bytes where they are its tokens); None once it was edited."""
        return tb.branch_layout(self.by_id[branch_id], self.tokenizer())

    # ------------------------------------------------------------ where continuations go
    def plan_at(self, text: str, offset: int, first: tuple | None = None) -> Plan:
        """A continuation of the shown ``text`` from character ``offset`` (the end, or the
        cursor: what follows stays where it is, in the branch it belongs to)."""
        offset = max(0, min(offset, len(text)))
        parent = tb.attach_point(self.by_id, self.shown, offset)
        return Plan(text[:offset], parent, offset, "alternative" if first else "continuation", first, text[offset:])

    def plan_regenerate(self) -> Plan | None:
        """Another continuation in place of the one shown: its sibling (None: not a continuation)."""
        branch = self.by_id.get(self.shown)
        if branch is None or branch["kind"] not in ("continuation", "alternative"):
            return None
        prefix = tb.prefix_text(self.main_text, self.by_id, branch)
        return Plan(prefix, branch["parent_id"], branch["start"])
