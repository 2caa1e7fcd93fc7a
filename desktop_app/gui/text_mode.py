"""Text mode in the window: the Chat | Text tabs, which tab is in front, Ctrl+Enter by mode,
and the Text view's hooks into the window's shared inspector and status bar.

The window builds its pages and hands the chat page to ``TextMode``; everything that is
about text mode (and not about chat) is wired here, so main_window.py stays about the
window as a whole.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSizePolicy, QTabWidget

from desktop_app.core.adapters import figures_adapter
from desktop_app.core.text_notes import PASTE_ON_COLOURS_WORDS, token_place_words
from desktop_app.core.token_words import completed_character, token_status_words
from desktop_app.gui import conversation_actions, in_place, view_toolbar
from desktop_app.gui.off_words import text_branch_wait
from desktop_app.gui.shortcuts import open_settings
from desktop_app.gui.text_bar import COLOURS_READY
from desktop_app.gui.text_controller import TextController
from desktop_app.gui.text_explain import TextExplainer
from desktop_app.gui.text_summary import HISTOGRAMS_SHOWN
from desktop_app.gui.text_surprises import SURPRISES_OPEN, SURPRISES_ORDER
from desktop_app.gui.text_token_menu import TextTokenMenu
from desktop_app.gui.text_undo import TextUndo
from desktop_app.gui.text_view import TextView
from desktop_app.gui.tips import retip
from desktop_app.gui.transcript import CHAT_NAME

# whose token it is, first: the figures are the model's prediction either way
TEXT_TOKEN_HINTS = {True: "The model wrote this token (a continuation); the figures are its prediction from the "
                          "text before. Rate it, or pick an alternative and continue from there as a new branch.",
                    False: "You wrote this token; the figures say how the model predicted it from the text before. "
                           "Pick an alternative to continue from there as a new branch."}
# a token the model wrote in a continuation the person has edited since, at or after the edit: the tokens before it
# are rated as ever (core.text_branches.intact_tokens), this one is no longer what the model wrote after that text
EDITED_TOKEN_HINT = ("The model wrote this token, in a continuation you have edited since; the figures are its "
                     "prediction from the text before. Only its tokens before your edit can be rated: "
                     "pick an alternative to continue from there as a new branch.")
# a continuation's first token that the person picked among the alternatives ("Continue with this alternative")
PICKED_TOKEN_HINT = ("You picked this token among the alternatives; the model wrote the continuation after it. The "
                     "figures are its prediction from the text before. Rate it, or pick another alternative and "
                     "continue from there as a new branch.")


LEFT_DOCUMENT = "text_document"  # the settings' key: the Text tab's text when the window closed


class ModeTabs(QTabWidget):
    """The Chat | Text tabs, which take the middle column's height by their stretch, not by their content's: the
    first answer's card (wrapped words) gave the chat page a height for its width, 540 px at 800x600, which the
    column then took from the colour key's row, and the squeezed key moved into the View toolbar as the answer
    arrived (usertest32; gui/short_window.py moves a squeezed key). The transcript scrolls: the tabs ask no height
    for their width, and their hint's height is their least; a part that truly asks more (a tall notice) still
    squeezes the key. In Text, the text's own height for its width still counts: in a short window (800x580) it
    is what moves the key into the toolbar from the start, and the text keeps its six lines (left50)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())  # the column asks again

    def _chat_in_front(self) -> bool:
        return self.currentIndex() == 0

    def hasHeightForWidth(self) -> bool:
        return not self._chat_in_front() and super().hasHeightForWidth()

    def sizeHint(self):
        hint = super().sizeHint()
        if self._chat_in_front():
            hint.setHeight(self.minimumSizeHint().height())
        return hint


class TextMode:
    """The Text tab of a MainWindow and its wiring.

    Attributes:
        window: the MainWindow (its inspector, status bar, banners, settings).
        controller: the TextController (the open document, the model work on it).
        view: the TextView (editor, heatmap, summary, branches).
        tabs: the Chat | Text QTabWidget.
        decided: whether the first model (or the person) has chosen the mode already.
    """

    def __init__(self, window, parent, build_chat_page):
        """``build_chat_page(parent)``: the Chat tab, made in ``parent`` (gui/in_place.py); the tabs in ``parent``."""
        self.window = window
        self.controller = TextController(window.chat.store, window.chat, window)
        self.tabs = ModeTabs(parent)  # Chat | Text: the same model, heatmap and inspector
        self.tabs.setObjectName("ModeTabs")
        self.tabs.setDocumentMode(True)
        chat_page = build_chat_page(in_place.tab_pages(self.tabs))
        self.view = TextView(self.controller, in_place.tab_pages(self.tabs))
        in_place.sized_as_made_alone(chat_page, self.view)
        # delete the open text (its picker's menu, Delete) and bring it back (Ctrl+Z) for this session
        self.undo = TextUndo(self.view, lambda words, ms: window.statusBar().showMessage(words, ms),
                             others=lambda: bool(window.adapter_undo.deleted))
        self.tabs.addTab(chat_page, CHAT_NAME)
        self.tabs.addTab(self.view, "Text")
        # a narrow Text bar's status words, in the tab bar's free room: they are the Text tab's alone
        self.tabs.setCornerWidget(self.view.status_corner, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(lambda _i: self.view.status_corner.setVisible(self.mode == "text"))
        self.policies = {page: page.sizePolicy() for page in (chat_page, self.view)}
        self._size_by_the_page_in_front()
        self.tabs.currentChanged.connect(lambda _i: self._size_by_the_page_in_front())
        self.decided = False
        self.tabs.tabBarClicked.connect(lambda _index: setattr(self, "decided", True))  # the person's choice
        self.adapter_id = None  # the adapter on the model the text was analysed with
        self.underlined: dict[int, int] = {}  # heatmap index -> the rating underlined on it
        self.inspected: tuple[str, str] | None = None  # the inspector's token: (the text before it, its text)
        self.said: dict[str, str] = {}  # banner name -> what Text mode last put in it

    def connect(self) -> None:
        w = self.window
        self.controller.error.connect(self._error)
        self.view.notice.connect(self._notice)
        self.view.notice_offered.connect(self._offer)
        self.view.notice_withdrawn.connect(self._withdraw_notice)
        w.notice_banner.dismissed.connect(self.view.texts.notice_closed)  # a cut continuation's notice, seen
        self.view.edit_button.toggled.connect(lambda on: on and self._drop_paste_notice())
        self.view.edit_button.toggled.connect(lambda on: on or self._drop_colours_ready())
        self.controller.analysed.connect(lambda _scored, _summary: self._say_colours_ready())
        self.view.token_clicked.connect(self.show_token)
        self.view.token_hovered.connect(self.token_hovered)
        self.view.settings_button.clicked.connect(lambda: open_settings(w))  # the settings Ctrl+, opens here
        self.tabs.currentChanged.connect(self._changed)
        # the status bar's tokens/s: the tab in front's last writing (a chat answer's had stood on the Text tab)
        self.tabs.currentChanged.connect(lambda _i: w.status.speed_tab(self.mode))
        w.status.speed_tab(self.mode)
        self.controller.stream_started.connect(lambda _plan: w.status.answer_speed(None, tab="text"))
        self.controller.speed.connect(lambda tokens_per_s, tokens: w.status.answer_speed(
            tokens_per_s, tokens, w.chat.adapter_id, tab="text"))
        self.tabs.currentChanged.connect(lambda _i: w._show_title())
        self.view.documents.currentIndexChanged.connect(lambda _i: w._show_title())
        w.inspector.text_branch_requested.connect(self._branch_from)
        w.inspector.text_token_rated.connect(self.rate_token)
        self.view.branch_panel.said.connect(lambda words: w.statusBar().showMessage(words, 8000))
        self.controller.tree.rated.connect(lambda _id: w.writer.recount())  # the Fine-tune tab counts them
        self.controller.tree.rated.connect(lambda _id: self.underline_rated())
        self.controller.analysed.connect(lambda _scored, _summary: self.underline_rated())
        self.view.analysis_tools.token_ratings = self.rated_values  # each token's rating in the JSON export
        # the inspector forgets a token no longer on screen (usertest 12: another branch's " who" stayed)
        self.controller.tree.shown_changed.connect(self.forget_token)
        self.controller.stream_started.connect(lambda plan: self.forget_token(plan.prefix))
        self.controller.opened.connect(self._text_opened)
        self.controller.analysed.connect(lambda _scored, _summary: self.forget_token())
        self.explainer = TextExplainer(self)  # "Why this token?" for the heatmap's tokens
        self.token_menu = TextTokenMenu(self)  # right-click rates a continuation's token, as in chat
        # after forget_token above: a token still shown says what it waits for as the text's work comes and goes
        for changed in (self.controller.lane.changed, self.controller.busy_changed, self.controller.analysed,
                        self.controller.analysis_stopped, self.view.editor.textChanged):
            changed.connect(lambda *_args: self.follow_state())

    # ------------------------------------------------------------ the mode
    @property
    def mode(self) -> str:
        """"chat" or "text": the tab in front."""
        return "text" if self.tabs.currentWidget() is self.view else "chat"

    def set_mode(self, mode: str) -> None:
        self.tabs.setCurrentWidget(self.view if mode == "text" else self.tabs.widget(0))

    def choose(self, mode: str) -> None:
        """The person's choice of tab (Ctrl+1 / Ctrl+2): the first model no longer picks one for them."""
        self.decided = True
        self.set_mode(mode)

    def _size_by_the_page_in_front(self) -> None:
        """The tab in front sets the tabs' least size, not the one behind it: a stacked widget
        counts every page, and the Text tab's (303 px high) kept a 640x480 window 491 px high in Chat."""
        ignored = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        for page, policy in self.policies.items():
            page.setSizePolicy(policy if page is self.tabs.currentWidget() else ignored)

    def _changed(self, _index: int) -> None:
        w = self.window
        # the other mode's token and its "Why this token?" do not belong beside this one; a text
        # has no prompts to score
        w.inspector.clear()
        self.view.continuation.tab_shown(self.mode == "text")  # its status bar note is the Text tab's alone
        w.legend.score_prompts.setVisible(self.mode != "text")
        # the conversations are the chat's: the Text tab has its own texts (the picker) and branches
        view_toolbar.set_not_here(w, "conversations", self.mode == "text")
        retip(w.export_button, conversation_actions.export_tip(in_text=self.mode == "text"))
        if self.mode != "text":
            self._take_back_banners()
            w.cards.show_selected_again()
            self._keyboard_to_the_prompt()
        if self.mode == "text":
            self._show_inspected_again()
            if self.controller.document_id is None and not self.controller.opening:
                self.view.open_document(left_id=self._left_document())  # the text left, or the newest, or a new one
            self.view.text_widget().setFocus()

    def _keyboard_to_the_prompt(self) -> None:
        """Back in Chat the keys go where one types, as Ctrl+1 sends them: the hidden Text tab's editor had
        passed the focus to "Colour by", and a question's first letters opened its list."""
        focused = QApplication.focusWidget()
        if focused is None or not self.tabs.widget(0).isAncestorOf(focused):
            self.window.prompt.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_inspected_again(self) -> None:
        """Back in Text: the token still ringed in the heatmap shows in the inspector again, as the chat's does."""
        heatmap, index = self.view.heatmap, self.view.heatmap.selected
        if self.inspected is None or not 0 <= index < len(heatmap.records) or self._token_in_text(index) != self.inspected:
            return
        self._inspect(index, heatmap.records[index])
        self.explainer.show(index)

    def _text_opened(self, document: dict) -> None:
        """Another text on screen: the inspector lets the old one's token go, the next start opens this one, and
        a refusal of a file before it no longer holds."""
        self.forget_token("")
        self._keep_document(document)
        self._drop_open_refusal()

    def _keep_document(self, document: dict) -> None:
        """The text on screen, written as it opens (a kill keeps it, as the window's other choices): the next
        start opens it again."""
        settings = self.window.settings
        settings.setValue(LEFT_DOCUMENT, document["id"])
        settings.sync()

    def _left_document(self) -> int | None:
        try:
            return int(self.window.settings.value(LEFT_DOCUMENT))
        except (TypeError, ValueError):
            return None

    def _error(self, message: str) -> None:
        self.said["error_banner"] = message
        self.window.show_error(message)

    def _drop_open_refusal(self) -> None:
        """A text opened: the red banner that refused the file before it no longer holds (inspect69: it stayed
        over the good file opened next)."""
        banner, refusal = self.window.error_banner, self.controller.open_refusal
        if refusal and banner.isVisible() and banner.label.text() == refusal:
            banner.hide()
        self.controller.open_refusal = ""

    def _notice(self, text: str) -> None:
        self.said["notice_banner"] = text
        self.window.notice_banner.show_message(text, "info")

    def _offer(self, text: str, words: str, act) -> None:
        """A notice with a link that acts (the continuation the app stopped in: "Show it")."""
        self.said["notice_banner"] = text
        self.window.notice_banner.show_message(text, "info", (words, act))

    def _withdraw_notice(self, text: str) -> None:
        banner = self.window.notice_banner
        if banner.isVisible() and banner.label.text() == text:
            banner.hide()

    def _drop_paste_notice(self) -> None:
        """Ctrl+V's notice on the coloured text said how to write; once the editor shows, it is done."""
        banner = self.window.notice_banner
        if banner.isVisible() and banner.label.text() == PASTE_ON_COLOURS_WORDS:
            banner.hide()

    def _take_back_banners(self) -> None:
        """What Text mode said about its text (a file too large to open, ...) is not about the
        conversation: leaving the tab hides it."""
        for name, text in self.said.items():
            banner = getattr(self.window, name)
            if banner.isVisible() and banner.label.text() == text:
                banner.hide()
        self.said.clear()

    def restore(self, settings) -> None:
        if settings.value("mode") == "text":
            self.set_mode("text")
        # the Surprises list and the histograms as they were left (text67: left open at quit, the list came back
        # closed; textkeep67: the histograms and the list's order came back as at a first start)
        self.view.summary_panel.histograms_button.setChecked(settings.value(HISTOGRAMS_SHOWN, False, type=bool))
        order = self.view.surprises.panel.order
        order.setCurrentIndex(max(0, order.findData(settings.value(SURPRISES_ORDER, order.currentData()))))
        self.view.surprises.toggle.setChecked(settings.value(SURPRISES_OPEN, False, type=bool))

    def ctrl_enter(self) -> None:
        """Ctrl+Enter sends the prompt in Chat and continues the text in Text."""
        if self.mode == "text":
            self.view.continue_text()
        else:
            self.window.send()

    def stop(self) -> None:
        self.controller.stop()

    def close(self) -> None:
        self.view.flush_edit()
        self.controller.shutdown()

    # ------------------------------------------------------------ the model
    def model_loaded(self, loaded) -> None:
        self._mode_for(loaded)
        self.adapter_id = loaded.adapter_id
        if self.controller.document_id is not None:
            self.view.analyse_now(save=False)  # the text's colours come from this model

    def adapter_changed(self, adapter_id) -> None:
        """A kept fine-tune (or another adapter chosen) changes the model: the heatmap showed
        the old one's figures under a status bar naming the new adapter."""
        changed, self.adapter_id = adapter_id != self.adapter_id, adapter_id
        if changed and self.controller.document_id is not None and not self.controller.continuing:
            self.view.analyse_now(save=False)

    def _mode_for(self, loaded) -> None:
        """A model without a chat template (GPT-2) continues text rather than answering: the
        window opens in Text mode, unless the person chose a mode before; it says why once."""
        from desktop_app.core.prompts import has_chat_template

        decided, self.decided = self.decided, True
        if decided or has_chat_template(loaded.tokenizer) or self.window.settings.value("mode") is not None:
            return
        self.set_mode("text")
        # said as Text mode's own notice: a switch to Chat takes it back (usertest 16 saw it stay there)
        self._notice(f"{loaded.source.display_name} has no chat template: it continues text rather than answering "
                     "questions, so the window opened in Text mode. Chat is one tab away.")

    # ------------------------------------------------------------ the shared inspector and status bar
    def show_token(self, index: int, record) -> None:
        """The inspector shows token ``index`` of the analysed text (a click on it)."""
        w = self.window
        w.cards.deselect()  # a chat card's token is not the one shown any more
        w.finetune_side.show_inspector(clicked=self.view.heatmap.picked_by_click)  # as a chat token's: folded, it shows
        self._inspect(index, record)
        self.explainer.show(index)
        self.inspected = self._token_in_text(index)

    def _inspect(self, index: int, record, keep_explanation: bool = False) -> None:
        w = self.window
        target = self.rated_token(index)
        figures_of, figures_json = figures_adapter(self.controller.store, self._figures_adapter_id(index))
        w.inspector.show_token(None, index, record, can_branch=False, cut=self._sampler_cut(target, record),
                               keep_explanation=keep_explanation, figures_of=figures_of, figures_adapter=figures_json,
                               completes=completed_character(self.view.heatmap.records, index))
        edited = self._show_place(index, target)
        waiting = self._branch_wait(index)
        w.inspector.allow_text_actions(branch=True, rate=target is not None, waiting=waiting)
        if target is not None:
            w.inspector.set_token_rating(self.controller.tree.ratings(target[0])["tokens"].get(target[1]))
        w.inspector.hint.setText(waiting or (EDITED_TOKEN_HINT if edited else self._token_hint(target)))

    def _show_place(self, index: int, target: tuple[int, int] | None) -> bool:
        """The inspector's "Token 18 of 269" line, counted in the text as it is now (walk70: a continuation grew the
        text to 300 tokens and it still said 269); whether the token is in a continuation edited since."""
        edited = target is None and self.in_edited_continuation(index)
        self.window.inspector.show_source(
            token_place_words(index, len(self.view.heatmap.records), target is not None, edited))
        return edited

    def _figures_adapter_id(self, index: int) -> int | None:
        """Whose figures token ``index`` shows: the adapter its analysis was read under (the scoring's key names
        it: the model may have changed since), else (a continuation streaming) the one on the model."""
        scored = self.explainer.scored_shown(index)
        key = scored.model_key if scored is not None else None
        return self.adapter_id if not key else key[2] if isinstance(key[2], int) else None

    def picked_by_person(self, target: tuple[int, int] | None) -> bool:
        """Whether the continuation token ``target`` (branch id, token index) is the alternative the person
        picked to start it with ("Continue with this alternative"), not one the sampler drew."""
        from desktop_app.core.sampler_cut import picked_alternative

        branch = None if target is None else self.controller.tree.by_id.get(target[0])
        return branch is not None and picked_alternative(branch, target[1])

    def _token_hint(self, target: tuple[int, int] | None) -> str:
        return PICKED_TOKEN_HINT if self.picked_by_person(target) else TEXT_TOKEN_HINTS[target is not None]

    def _sampler_cut(self, target: tuple[int, int] | None, record):
        """The alternatives the continuation's sampler could not have picked (core.sampler_cut), from the
        settings stored with it (None: the person wrote the token, or the text's token is not the one the
        continuation wrote there: an edited branch, another tokenization)."""
        from desktop_app.core.sampler_cut import cut_for_continuation

        branch = None if target is None else self.controller.tree.by_id.get(target[0])
        tokens = [] if branch is None else branch["tokens"]
        if branch is None or not target[1] < len(tokens) or tokens[target[1]][0] != record.id:
            return None
        loaded = self.window.chat.loaded
        own = loaded is not None and branch.get("model_id") == loaded.model_id  # else another vocabulary's size
        return cut_for_continuation(branch, record, target[1], len(loaded.tokenizer) if own else 1 << 18)

    def _branch_wait(self, index: int) -> str | None:
        """Why token ``index``'s "Continue with …" cannot run now (None: it can)."""
        return text_branch_wait(continuing=self.controller.continuing, text_changed=self.view.offset_of(index) is None)

    def follow_state(self) -> None:
        """A continuation or an analysis began or ended, or the text changed: the inspector's Text token
        says what its branch and explanation wait for now, and each is on as soon as it can run."""
        w = self.window
        if self.inspected is None or w.inspector.message_id is not None or w.inspector.index < 0:
            return
        index = w.inspector.index
        if index < len(self.view.heatmap.records):  # the text grew or shrank around it: its count follows
            self._show_place(index, self.rated_token(index))
        waiting = self._branch_wait(index)
        w.inspector.text_waits(waiting)
        w.inspector.hint.setText(waiting or self._token_hint(self.rated_token(index)))
        self.explainer.follow(index)

    def _token_in_text(self, index: int) -> tuple[str, str] | None:
        heatmap = self.view.heatmap
        if not 0 <= index < len(heatmap.records):
            return None
        return heatmap.prefix + "".join(r.text for r in heatmap.records[:index]), heatmap.records[index].text

    def forget_token(self, shown_text: str | None = None) -> None:
        """The shown text changed to ``shown_text`` (another path, a continuation; None: an analysis
        the heatmap shows): a Text token in the inspector that is no longer where it was goes,
        with the heatmap's ring on it."""
        w = self.window
        if self.inspected is None or w.inspector.message_id is not None or w.inspector.index < 0:
            self.inspected = None
            return
        before, token = self.inspected
        if shown_text is None and self._token_in_text(w.inspector.index) == self.inspected:
            self._refigure(w.inspector.index)
            return
        if shown_text is not None and shown_text.startswith(before + token):
            return
        self.inspected = None
        w.inspector.clear()
        self.view.heatmap.clear_selection_mark()

    def _refigure(self, index: int) -> None:
        """The token stays where it was: the inspector takes the analysis's figures for it. It had kept
        the streamed continuation's (10.4%, 6.41 bits) beside the status bar's 10.7%, 6.50 bits (usertest31)."""
        record = self.view.heatmap.records[index]
        if record == self.window.inspector.record:
            return
        # "Explain again with Exact weights" waits for exactly this analysis (or already runs on it): the new
        # figures must not reset the explanation, which only they let go on
        waits = self.window.inspector.explain.works_on_text_token(index)
        self._inspect(index, record, keep_explanation=waits)
        if not waits:
            self.explainer.show(index)

    def rated_token(self, index: int) -> tuple[int, int] | None:
        """(branch id, token index in that branch) of heatmap token ``index`` when a
        continuation wrote it (as the model wrote it), else None: a split character's first
        token, where its rating is kept (core.text_pieces.CharacterLayout.stored, by the loaded
        model's bytes as the chat card's)."""
        offset = self.view.offset_of(index)
        if offset is None:
            return None
        tree = self.controller.tree
        owner, start = tree.owner_at(offset)
        layout = None if owner is None else tree.layout(owner)
        at = None if layout is None else layout.token_of_character(offset - start)
        return None if at is None else (owner, at)

    def in_edited_continuation(self, index: int) -> bool:
        """Whether a continuation wrote heatmap token ``index`` (in italics), the person has edited that
        continuation since, and the token is at or after the edit: it can no longer be rated
        (core.text_branches.branch_layout keeps the tokens before the edit), yet the model wrote it (usertest55:
        the inspector had said "You wrote this token" of them)."""
        from desktop_app.core import text_branches as tb

        offset = self.view.offset_of(index)
        if offset is None or index not in self.view.heatmap.model_written:
            return False  # (None: the heatmap shows another text, or a continuation streams in)
        owner, _start = self.controller.tree.owner_at(offset)
        return (owner is not None and not tb.still_written(self.controller.tree.by_id[owner])
                and self.rated_token(index) is None)

    def continuation_start(self, index: int) -> int | None:
        """The heatmap index where the continuation that wrote token ``index`` begins (None: the person
        wrote it): "Why this token?" gives the sampler that continuation's tokens before it, as its
        repetition penalty saw them."""
        offset = self.view.offset_of(index)
        owner, start = (None, 0) if offset is None else self.controller.tree.owner_at(offset)
        if owner is None:
            return None
        heatmap = self.view.heatmap
        at = len(heatmap.prefix)
        for j, record in enumerate(heatmap.records[:index + 1]):
            if at >= start:
                return j
            at += len(record.text)
        return index

    def rated_values(self) -> dict[int, int]:
        """Heatmap index -> +1/-1 for the tokens rated in the continuations on the shown path."""
        from desktop_app.core import text_branches as tb

        tree, heatmap = self.controller.tree, self.view.heatmap
        rated = {bid: tree.ratings(bid)["tokens"] for bid in tree.path_ids()}
        rated = {bid: tokens for bid, tokens in rated.items() if tokens}
        if not rated or self.view.offset_of(0) is None:
            return {}
        pieces = [p for p in tb.segments(tree.main_text, tree.by_id, tree.shown) if p[0] in rated]
        layouts = {owner: tree.layout(owner) for owner in rated}
        values, at = {}, len(heatmap.prefix)
        for index, record in enumerate(heatmap.records):
            for owner, start, end in pieces:
                layout = layouts[owner]
                if start <= at < end and layout is not None:  # a dot: marked with its character
                    token = layout.token_of_character(at - start)  # where the character's rating is kept
                    if token in rated[owner]:
                        values[index] = rated[owner][token]
            at += len(record.text)
        return values

    def underline_rated(self) -> None:
        """Rated continuation tokens are underlined in the heatmap, as on a chat answer."""
        from desktop_app.gui.ratings import underline_hook

        values = self.rated_values()
        if values != self.underlined:
            self.underlined = values
            self.view.heatmap.set_format_hook(underline_hook(values) if values else None)

    def rate_token(self, index: int, value) -> None:
        target = self.rated_token(index)
        if target is not None:
            self.controller.tree.rate(target[0], value, token_index=target[1])

    def _branch_from(self, index: int, alternative) -> None:
        self.window.error_banner.hide()
        # the chosen token is replaced by the branch: its details no longer describe the text, and
        # focus (on the button that now hides) would fall to the toolbar; its ring goes with them (it had
        # stayed on the branch's first token beside an empty inspector: usertest34)
        self.window.inspector.clear()
        self.view.heatmap.clear_selection_mark()
        self.view.heatmap.setFocus()
        self.view.continue_with(index, alternative)

    def _say_colours_ready(self) -> None:
        if self.view.editing and self.mode == "text":
            self.window.statusBar().showMessage(COLOURS_READY, 15000)

    def _drop_colours_ready(self) -> None:
        if self.window.statusBar().currentMessage() == COLOURS_READY:
            self.window.statusBar().clearMessage()  # the colours show: the words would point at nothing

    def token_hovered(self, index: int, record) -> None:
        bar = self.window.statusBar()
        if record is None:
            bar.clearMessage()
            return
        bar.showMessage(token_status_words(index, record))
