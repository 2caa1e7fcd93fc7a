"""The Text tab's continuations: Continue, Regenerate and "Continue with…" asked of the controller,
the heatmap following the tokens as they stream in, the summary's figures dimmed as the text's before
the continuation until its analysis comes, and what the tab says once one ends (stopped, or cut at Max
new tokens: that in the window's status bar)."""

from __future__ import annotations

from desktop_app.core.documents import summarize_authored
from desktop_app.core.generation import same_again_reason
from desktop_app.core.text_notes import (COLOURING, FIGURES_BEFORE_CONTINUATION, WRITING_CONTINUATION,
                                         WRITING_FROM_CURSOR, end_words, writing_tip, writing_words,
                                         written_again)
from desktop_app.gui import answer_keys
from desktop_app.gui.off_words import NOTHING_TO_CONTINUE, WRITING
from desktop_app.gui.text_documents import PLAIN_PREVIEW_CHARS
HEATMAP_CHANGED = ("The heatmap does not show the text as it is now (it changed since it was analysed, or the "
                   "analysis was stopped): wait for the new colours, then pick the alternative again.")


class Continuation:
    """A TextView's continuations (``view``: its editor, heatmap, status words and controller).

    Attributes:
        follow_stream: a continuation streams in and the heatmap keeps its end in view.
        stop_note: (words, the branch shown) after a continuation was stopped.
        bar_note: the window status bar's note of a continuation cut at the limit."""

    def __init__(self, view):
        self.view, self.controller = view, view.controller
        self.follow_stream = False
        self.stop_note: tuple[str, int | None] | None = None
        self.bar_note: str | None = None
        self.writing_tip = WRITING_CONTINUATION  # the status words' tooltip while a continuation is written
        bar = view.heatmap_scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._heatmap_grew)
        bar.valueChanged.connect(self._heatmap_scrolled)
        self.controller.stream_started.connect(self._stream_started)
        self.controller.busy_changed.connect(self._hold_from_the_ask)
        self.controller.tokens.connect(self._tokens_came)
        self.controller.continued.connect(self._continued)

    # ------------------------------------------------------------ asked for
    def continue_text(self) -> None:
        """Continue from the editor's cursor while editing, else from the end: a new branch. A cursor
        with nothing but blanks before it (at the very start, where a click or Ctrl+Home leaves it) has
        nothing to continue: the text goes on from its end (the model had written from nothing, and the
        whole text had left the heatmap for the outline's main text)."""
        view = self.view
        view.flush_edit()
        text = view.editor.toPlainText()
        if not text.strip():  # Ctrl+Enter reaches here with the button off: say why in the status line
            view.status.setText(NOTHING_TO_CONTINUE)
            return
        at = view.editor.textCursor().position() if view.editing else len(text)
        self.controller.continue_text(text, at if text[:at].strip() else len(text))

    def regenerate(self) -> None:
        view = self.view
        view.flush_edit()
        if self.controller.regenerate() and hasattr(view.window(), "warn_if_same_again"):
            view.window().warn_if_same_again()

    def continue_with(self, index: int, alternative) -> bool:
        """A branch from token ``index`` of the heatmap, starting with another token."""
        offset = self.offset_of(index)
        if offset is None:
            self.controller.error.emit(HEATMAP_CHANGED)
            return False
        self.view.flush_edit()
        return self.controller.continue_text(self.view.editor.toPlainText(), offset, first=(alternative.id,))

    def offset_of(self, index: int) -> int | None:
        """Where token ``index`` of the heatmap starts in the editor's text (None: the
        heatmap shows another text)."""
        heatmap = self.view.heatmap
        if heatmap.prefix + "".join(r.text for r in heatmap.records) != self.view.editor.toPlainText():
            return None
        return len(heatmap.prefix) + sum(len(r.text) for r in heatmap.records[:index])

    # ------------------------------------------------------------ streaming
    def _heatmap_grew(self, _low: int, high: int) -> None:
        if self.follow_stream:  # also for the last tokens and the colours of the analysis after them
            self.view.heatmap_scroll.verticalScrollBar().setValue(high)

    def _heatmap_scrolled(self, value: int) -> None:
        """Scrolled up while a continuation streams: the person reads; scrolled back to the end:
        the heatmap follows it again. The text moved under a still pointer: the token under it is another."""
        if self.follow_stream or self.controller.continuing:
            self.follow_stream = value >= self.view.heatmap_scroll.verticalScrollBar().maximum() - 4
        self.view.heatmap.recheck_hover()

    def hold_layout(self, hold: bool) -> None:
        """From a continuation's first token until the person changes the text or opens another, the
        summary's figures keep their room, so the branches' Regenerate and thumbs row does not move as it
        ends: user test 15's click on Regenerate, aimed as the continuation ended, landed on empty space.
        The status words' row under a compact bar is not held: it is over the text, which alone gives it
        room and gets it back when the words go (TextView._build_text_pane); held empty, it had kept the
        tab's least height 14 px taller after every continuation (490 px)."""
        if hold:
            self.view.summary_panel.hold_room()
        else:
            self.view.summary_panel.release_room()

    def _hold_from_the_ask(self, asked: bool) -> None:
        """A continuation asked for holds the summary's room at once, not from its first token: asked before the
        text's first analysis came (Ctrl+Enter as one stops typing), the analysis went first and its figures,
        a line or three more than "Not analysed yet.", moved the Regenerate and thumbs row up 42 px as it ended
        (661 -> 619 px at 1280x800: textroom76)."""
        if asked:
            self.hold_layout(True)

    def forget_stream(self) -> None:
        """The person changed the text or opened another: the heatmap no longer follows a stream's end,
        and the summary no longer keeps a continuation's room."""
        self.follow_stream = False
        self.hold_layout(False)

    def text_edited(self) -> None:
        """The person edited the text: what was said of the last continuation goes."""
        self.forget_stream()
        self.stop_note = None
        self._status_bar_says(None)

    def _stream_started(self, plan) -> None:
        # the new tokens come coloured, at the end of the heatmap, which keeps them in view
        view = self.view
        self._show_the_text_before(plan.prefix)  # (first: the held room has the figures' lines)
        self.hold_layout(True)
        view.set_editing(False)
        self.follow_stream = True
        self.stop_note = None
        # the last one's "Stopped at 30 new tokens, the limit …" was said on over the new one's writing,
        # of a continuation no longer shown (usertest42, Regenerate after a continuation cut at the limit)
        self._status_bar_says(None)
        scroll_bar = view.heatmap_scroll.verticalScrollBar()
        scroll_bar.setValue(scroll_bar.maximum())
        # short, so they stay in the bar; the rest in their tooltip. Not in the window's status bar: a message
        # there, shown or cleared, changed its height and moved the Regenerate row 8 px at 800x480
        self.writing_tip = WRITING_FROM_CURSOR if plan.cut else WRITING_CONTINUATION
        self._say_how_far(0)
        view.branch_panel.mark_writing(plan.parent)
        self._lay_out_now()

    def _tokens_came(self, records) -> None:
        self.view.heatmap.append_records(records, by_model=True)
        if self.controller.plan is not None:  # (None: it ended, and the status words say what came after)
            self._say_how_far(len(self.controller.streamed))

    def _say_how_far(self, written: int) -> None:
        """The tab's status words say how much of the continuation is written ("writing… 40%"), their
        tooltip what and from where, and what the share counts."""
        limit = self.controller.sampling.get("max_new_tokens", 0)
        self.view.status.setText(writing_words(written, limit))
        self.view.status.setToolTip(writing_tip(self.writing_tip, written, limit))

    def _show_the_text_before(self, prefix: str) -> None:
        """The editor, heatmap and summary show ``prefix``, the text the new tokens follow: the summary's figures
        are of its tokens the heatmap keeps, dimmed until the analysis with the continuation comes. What followed
        the cursor stays in its branch; its figures (and a former continuation's line) had stayed on screen."""
        view = self.view
        had_colours = bool(view.heatmap.records)
        view.editor.load(prefix)
        if not had_colours:  # not analysed yet (its words shown plain): the text the tokens follow
            view.heatmap.set_records([], prefix=prefix[-PLAIN_PREVIEW_CHARS:])
        self._keep_colours_before(prefix)
        if had_colours:
            heatmap = view.heatmap
            written = set(heatmap.model_written)
            kept = summarize_authored(heatmap.records, [index in written for index in range(len(heatmap.records))])
            if kept != view.summary_panel.summary:  # (the same: the panel left alone, its style not set twice)
                view.summary_panel.set_summary(kept)
        view.summary_panel.set_before(FIGURES_BEFORE_CONTINUATION)

    def _keep_colours_before(self, prefix: str) -> None:
        """The heatmap keeps the colours of the tokens wholly in ``prefix``, the text the new tokens follow."""
        heatmap = self.view.heatmap
        at, keep = len(heatmap.prefix), 0
        for record in heatmap.records:
            if at + len(record.text) > len(prefix):
                break
            at += len(record.text)
            keep += 1
        # the words between them and the new tokens stay, plain (an analysis stopped short of the end)
        rest = prefix[at:] if heatmap.records else heatmap.suffix
        if keep < len(heatmap.records) or rest != heatmap.suffix:
            heatmap.set_records(heatmap.records[:keep], prefix=heatmap.prefix, suffix=rest,
                                model_written=[i for i in heatmap.model_written if i < keep])

    def _lay_out_now(self) -> None:
        """The tab's parts take the places the held room gives them now, before the first token, not a
        few passes of the event loop later: on a busy CPU the first tokens came in between, the summary's
        held room (a line more) arrived after them and moved the Regenerate row 25 px, and the summary,
        for a moment shorter than its figures, showed a scroll bar that narrowed and rewrapped them."""
        self.view.summary_scroll.updateGeometry()
        self.view.layout().activate()

    # ------------------------------------------------------------ ended
    def _continued(self, text: str, reason: str) -> None:
        # a stopped continuation is said until the text changes or another branch shows: the
        # analysis that follows it had put its "" over a bare "stopped"
        note = end_words(text, reason, self.controller.chat.settings.max_new_tokens)
        if hasattr(self.view.window(), "statusBar"):
            answer_keys.forget_busy_line(self.view.window(), WRITING)
        self.view.status.setToolTip("")
        self.view.branch_panel.drop_writing()
        tree = self.controller.tree
        # greedy or seeded settings said why at the click (generation.same_again_reason)
        sure = text and not same_again_reason(self.controller.chat.settings)
        again = written_again(tree.by_id, tree.shown) if sure else None
        if (reason == "length" and note) or again:
            # said in the window's status bar, which takes no room: in the tab's status row it stayed until
            # an edit and, at 800x480, held the text under four lines
            self._status_bar_says(" ".join(filter(None, (again, note))))
            note = None
        self.stop_note = None if note is None else (note, self.controller.tree.shown)
        # the analysis that follows it replaces the streamed colours: its words, until it is done (then
        # the stop's note); the status line had said nothing for the minutes a long text's took
        analysing = bool(self.controller.lane.find("analyse"))
        self.view.status.setText(COLOURING if analysing else self.stop_words() if note else "")
        if not text:
            self.view.show_path(self.controller.tree.shown_text())

    def _status_bar_says(self, note: str | None) -> None:
        """The note in the window's status bar until the text changes or the writing ends (None: gone, if
        still shown)."""
        bar = getattr(self.view.window(), "statusBar", None)
        if bar is None:
            return
        if note is not None:
            bar().showMessage(note)
        elif self.bar_note is not None and bar().currentMessage() == self.bar_note:
            bar().clearMessage()
        self.bar_note = note

    def tab_shown(self, shown: bool) -> None:
        """The Text tab left or come back to: its cut continuation's note leaves the status bar with it and
        comes back with it. usertest70: "Stopped at 128 new tokens, the limit set in Settings" stood on under
        the chat, where it read as said of the chat's answer."""
        bar = getattr(self.view.window(), "statusBar", None)
        if bar is None or self.bar_note is None:
            return
        if shown:
            bar().showMessage(self.bar_note)
        elif bar().currentMessage() == self.bar_note:
            bar().clearMessage()

    def stop_words(self) -> str:
        """What the status says once the shown text is analysed: that its continuation was stopped."""
        if self.stop_note is None or self.stop_note[1] != self.controller.tree.shown:
            return ""
        return self.stop_note[0]
