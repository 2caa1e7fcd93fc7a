"""The Text tab's texts: the picker of stored texts, New, Open… (a .txt / .md file), and a text shown
once the store lane has read or made it. The reading and writing is ``TextController``'s, off the GUI
thread; this is what the tab does around it."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop_app.core import documents
from desktop_app.core.store import now
from desktop_app.core.text_notes import SHOW_INTERRUPTED, broken_lines_notice, cut_by_a_stop, interrupted_notice
from desktop_app.gui import save_folder

PLAIN_PREVIEW_CHARS = 50_000  # an opened text shows this much plain until its colours come (a 5 MB one: its start)
OPEN_FILTER = "Texts (*.txt *.md);;All files (*)"
# the settings' key: the cut continuations whose notice the person saw ("Show it" or ✕), not said again at a start
# (words108: it came back at every start until the branch was finished or deleted); the newest SEEN_KEPT kept
SEEN_CUTS = "text_cut_continuations_seen"
SEEN_KEPT = 200


def cut_key(branch: dict) -> str:
    """A cut continuation as the settings remember it: its id and when it was made (another database's branch of
    the same id is another continuation)."""
    return f"{branch['id']}@{branch.get('created') or ''}"


class TextDocuments:
    """Opening and making texts for a TextView (``view``: its picker, editor, heatmap and controller)."""

    def __init__(self, view):
        self.view, self.controller = view, view.controller
        view.documents.activated.connect(self._chosen)
        view.new_button.clicked.connect(lambda: self.new_document())
        view.open_button.clicked.connect(lambda: self.open_file())
        # the person opened a text from the picker (chose one, Delete or Ctrl+Z on it): it keeps the focus. It is
        # turned off while the text opens, and Qt had handed its focus to Edit, where the next Space toggled the
        # editor (texts63). Set by those actions only: a focus Qt moved to it (Chat's prompt hidden by Ctrl+2)
        # is not the person's, and Ctrl+2 puts the keys in the text
        self.picker_had_focus = False
        # the continuations the app stopped in before this start, said once (_tell_interrupted)
        self.started, self.told = now(), set()
        self.cut_said: tuple[int, str] | None = None  # (its text's id, the notice) while it may show
        self.cut_keys: list[str] = []  # the cut continuations that notice tells of (``cut_key``)
        self.controller.opening_changed.connect(self._opening)
        self.controller.opened.connect(self._show_document)
        self.controller.saved.connect(lambda _id: self.refresh())

    def _busy(self) -> bool:
        """A continuation is written or a text opened: nothing else opens meanwhile."""
        return self.controller.continuing or self.controller.opening

    def refresh(self) -> None:
        """The picker lists the stored texts, the open one chosen."""
        picker = self.view.documents
        picker.clear()
        for row in documents.list_documents(self.controller.store):
            picker.addItem(row["title"], row["id"])
        picker.setCurrentIndex(max(picker.findData(self.controller.document_id), 0))

    def open_document(self, document_id: int | None = None, left_id: int | None = None) -> bool:
        """Open a stored text (None: ``left_id`` while it is stored, else the newest, or a new empty one); read
        off the GUI thread."""
        if self._busy():
            self.refresh()  # the picker shows the text on screen again
            return False
        self.view.flush_edit()
        return self.controller.open_document(document_id, left_id=left_id)

    def new_document(self, text: str = "", title: str | None = None) -> bool:
        """A new text; an empty untitled one on screen is used instead of making another."""
        if self._busy():
            return False
        if self.empty_untitled():
            if not text:
                return True  # it is on screen already
            self.view.timer.stop()
            return self.controller.open_document(text=text, title=title, reuse_id=self.controller.document_id)
        self.view.flush_edit()
        return self.controller.new_document(text, title)

    def open_file(self, path: str | None = None) -> bool:
        """Open a .txt / .md file as a new text: read (and refused in words: binary, not
        UTF-8, too large) off the GUI thread; False when nothing was asked."""
        if self._busy():
            return False
        path = path or self._ask_path()
        if not path:
            return False
        reuse = self.empty_untitled()
        self.view.flush_edit()
        return self.controller.open_document(path=path, reuse_id=self.controller.document_id if reuse else None)

    def _ask_path(self) -> str:
        """The file to open ("": none): the dialog starts where exports go, as the Export menu's: Open had
        started in the process's working folder, Export in Documents (usertest25); a text opened from a
        folder makes it the next one's."""
        view = self.view
        path, _ = QFileDialog.getOpenFileName(view, "Open a text", str(save_folder.start_folder(view)), OPEN_FILTER)
        if path:
            save_folder.remember(view, path)
        return path

    def empty_untitled(self) -> bool:
        """The text on screen is empty and untitled: a new or opened one takes its place."""
        return not self.view.editor.toPlainText() and self.controller.untitled_and_empty()

    def _show_document(self, document: dict) -> None:
        view = self.view
        view.timer.stop()
        view.continuation.forget_stream()
        view.editor.load(document["shown_text"])
        view.set_editing(not document["shown_text"])  # an empty text has nothing to colour: write it
        self.refresh()
        # its words at once, plain, the colours after the analysis (at a start, after the model's load
        # too: user test 15 looked at an empty box for ~25 s); a long text's first part only
        view.heatmap.set_records([], prefix=document["shown_text"][:PLAIN_PREVIEW_CHARS],
                                 prefix_model_spans=self.controller.model_spans(document["shown_text"]))
        view.summary_panel.set_summary(None)
        view.analyse_now(save=False)
        if document.get("broken_lines"):
            view.notice.emit(broken_lines_notice(document["broken_lines"]))
        self._tell_interrupted()
        self._place_focus(not document["shown_text"])

    def _tell_interrupted(self) -> None:
        """A continuation the app stopped in before this start, in the text opened, is said once in the notice
        line with "Show it" (textwords107: only its row's tooltip said so). The latest, where there are several."""
        if self.cut_said is not None and self.cut_said[0] != self.controller.tree.document_id:
            self.view.notice_withdrawn.emit(self.cut_said[1])  # another text opened: its "Show it" would do nothing
            self.cut_said = None
        seen = set(self._seen_cuts())
        cut = [b for b in cut_by_a_stop(self.controller.tree.by_id.values(), self.started)
               if b["id"] not in self.told and cut_key(b) not in seen]
        if not cut:
            return
        branch = cut[-1]
        self.told.update(b["id"] for b in cut)
        self.cut_said, self.cut_keys = (branch["document_id"], interrupted_notice(branch)), [cut_key(b) for b in cut]
        self.view.notice_offered.emit(self.cut_said[1], SHOW_INTERRUPTED,
                                      lambda: self._show_cut(branch["document_id"], branch["id"]))

    def _show_cut(self, document_id: int, branch_id: int) -> None:
        """The notice's "Show it": the cut continuation's branch, while its text is the one open; seen, it is not
        said again at the next start."""
        self.cut_notice_seen()
        if self.controller.tree.document_id == document_id:
            self.controller.tree.show(branch_id)

    def notice_closed(self, text: str) -> None:
        """A notice closed with ✕: the cut continuations' one, seen, is not said again at the next start."""
        if self.cut_said is not None and text == self.cut_said[1]:
            self.cut_notice_seen()

    def cut_notice_seen(self) -> None:
        """The person saw the notice of the cut continuations it tells of: remembered in the window's settings,
        as a notice closed for good is (banner.show_unless_dismissed)."""
        settings = getattr(self.view.window(), "settings", None)
        if settings is None or not self.cut_keys:
            return
        seen = [k for k in self._seen_cuts() if k not in self.cut_keys] + self.cut_keys
        settings.setValue(SEEN_CUTS, json.dumps(seen[-SEEN_KEPT:]))

    def _seen_cuts(self) -> list[str]:
        settings = getattr(self.view.window(), "settings", None)
        try:
            seen = json.loads(settings.value(SEEN_CUTS, "[]")) if settings is not None else []
        except (TypeError, ValueError):  # written by hand, or by another version: nothing remembered
            return []
        return [str(k) for k in seen] if isinstance(seen, list) else []

    def _place_focus(self, empty: bool) -> None:
        """The picker gets its focus back; else a new empty text in front takes the keys in its editor: after
        New the focus stayed on the button and the first words typed went nowhere (texts63)."""
        view = self.view
        if self.picker_had_focus:
            self.picker_had_focus = False
            view.documents.setFocus(Qt.FocusReason.OtherFocusReason)
        elif empty and view.isVisible() and view.editing:
            view.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _opening(self, opening: bool) -> None:
        """While a text is read or made: its words say so, and nothing can edit the old one."""
        self.view.status.setText("opening\u2026" if opening else "")
        self.view.set_busy(opening or self.controller.continuing)
        if not opening and self.picker_had_focus:
            self.view.documents.setFocus(Qt.FocusReason.OtherFocusReason)  # (a deletion: the next text opens after)

    def hold_picker_focus(self) -> None:
        """The picker keeps the focus through the opening the person asks for on it now (if it has it)."""
        picker = self.view.documents
        # (the window's focus widget: the window may be inactive a moment, as in a test)
        self.picker_had_focus = picker.window().focusWidget() is picker

    def _chosen(self, index: int) -> None:
        """A text chosen in the picker opens; the picker keeps the focus (its arrows choose the next one)."""
        self.hold_picker_focus()
        if not self.open_document(self.view.documents.itemData(index)):
            self.picker_had_focus = False
