"""What the window says over the chat, and when it goes: the notice banner (the first start's
notice of the model in use, with its "Choose a model…"; an answer's notice, which goes with its
conversation; other notices, which stay until closed) and the error banner under it. The
banners themselves are gui/banner.py's; the window only places them (main_window.py)."""

from __future__ import annotations

import logging

from desktop_app.core.store_file import NOT_SAVED_WORDS
from desktop_app.gui.banner import Banner

log = logging.getLogger(__name__)

CHOOSE_MODEL = "Choose a model\u2026"  # the model notice's button: the model dialog, as the model button opens it
ANSWER_WAITS = "The answer starts as soon"  # the notice of a prompt sent while the model loads
# the model notice the last load gave and the model asked for then (QSettings): shown as the same load starts again
NOTICE_TEXT, NOTICE_FOR = "model_notice_text", "model_notice_for"


class WindowNotices:
    """The window's two banners and their rules.

    Attributes:
        notice, error: the notice banner and the error banner (the window's ``notice_banner``
            and ``error_banner``).
        conversation: the conversation the notice banner's answer notice is about, or None."""

    def __init__(self, window, parent):
        self.window = window
        self.notice = Banner(parent)
        self.notice.chat_beside_whole = self.chat_beside_whole_notice
        self.error = Banner(parent, max_lines=4)  # an error says what to do: more of it shows
        self.conversation: int | None = None
        # the model the notice banner's model notice is about: "" until the load that told it ends
        self.notice_model: str | None = None
        self.foretold = False  # the model notice shows, remembered, and this load has not told it yet

    def chat_beside_whole_notice(self) -> int | None:
        """The transcript's height with the notice shown whole, in either tab (None before the
        window is laid out). Worked out from the Chat | Text tabs' height plus the notice's, which
        the notice's form does not change (the tabs take what it leaves), less the tab bar and the
        prompt area, which it does not change either: so the form chosen from it cannot flicker."""
        w, banner = self.window, self.notice
        tabs = w.mode_tabs
        if not banner.isVisible() or not tabs.isVisible():
            return None
        column = tabs.height() + banner.height()  # (the tabs are the column's stretching part)
        return column - banner.whole_height() - tabs.tabBar().height() - w.prompt_area.height()

    def connect(self, chat) -> None:
        chat.notice.connect(self.show_notice)
        chat.model_notice.connect(self.show_model_notice)
        chat.error.connect(self.show_error)
        chat.tasks.store.succeeded.connect(self.saved)

    def saved(self) -> None:
        """A store task ended and the last write went through: a full disk's "not saved" no longer holds, so its banner goes (usertest52: it
        stayed once space was freed and the next rating was kept)."""
        if (self.error.isVisible() and NOT_SAVED_WORDS in self.error.label.text()
                and not self.window.chat.store.last_write_refused):
            self.error.hide()

    def show_model_notice(self, text: str) -> None:
        """Why this model (offline: the bundled one), with the way to another; once closed, not
        again at every start."""
        w = self.window
        self.foretold = False
        w.settings.setValue(NOTICE_TEXT, text)
        w.settings.setValue(NOTICE_FOR, w.model_spec or "")
        self._show_model_notice(text)

    def _show_model_notice(self, text: str) -> None:
        w = self.window
        self.notice_model = ""
        self.notice.show_unless_dismissed(text, w.settings, "dismissed_model_notice", (CHOOSE_MODEL, w.choose_model))

    def load_starting(self, spec: str | None) -> None:
        """The model notice the last load of this model gave, shown as its load starts: the load tells it only
        once it has chosen the model, seconds in, and the banner then pushed the Chat | Text tabs down under
        the person's pointer at every start. A load that does not tell it again takes it away (``model_loaded``)."""
        settings = self.window.settings
        text = settings.value(NOTICE_TEXT)
        if not text or settings.value(NOTICE_FOR) != (spec or "") or not self.notice.isHidden():
            return  # (isHidden: at the first start's load the window itself is not shown yet)
        self._show_model_notice(text)
        self.foretold = not self.notice.isHidden()

    def model_loaded(self, model_id: str) -> None:
        """The model notice is about the model its load put in use: once another model is in use
        (one the person chose), "Using the bundled model …, to use GPT-2 choose …" no longer applies
        and goes; it stayed, and took half the chat of an 800x560 window (usertest16)."""
        if self.foretold:  # remembered from the last start, and this load had no notice: it no longer applies
            self.foretold = False
            self.notice.forget_standing()  # (nor does it come back after a notice shown over it)
            if self.notice.label.text() == self.window.settings.value(NOTICE_TEXT):
                self.notice.hide()
            self.notice_model = None
        elif self.notice_model == "":
            self.notice_model = model_id
        elif self.notice_model is not None and self.notice_model != model_id:
            self.notice.forget_standing()
            if self._model_notice_shown():
                self.notice.hide()
            self.notice_model = None

    def show_notice(self, text: str) -> None:
        """An answer's notice ("the 4 oldest turns were left out ...") is about its conversation:
        it goes when another one is opened (``drop_other_conversations``); other notices stay until closed."""
        chat = self.window.chat
        # no model yet (a prompt typed while it loads counts as answering): why this model comes first
        model_first = not chat.generating or chat.loaded is None
        if model_first and self._model_notice_shown():
            self.window.statusBar().showMessage(text, 10_000)  # the model notice stays to be read to its end
            return
        self.conversation = chat.conversation_id if chat.generating else None
        self.notice.show_message(text, "info")

    def _model_notice_shown(self) -> bool:
        banner = self.notice
        return (banner.isVisible() and banner.remembered is not None
                and banner.label.text() == banner.remembered[2])

    def drop_other_conversations(self) -> None:
        """Another conversation is shown: an answer's notice about the last one goes."""
        if self.conversation is not None and self.conversation != self.window.chat.conversation_id:
            self.notice.hide()
            self.conversation = None

    def answer_started(self) -> None:
        """The answer a loading model kept waiting has started: the notice that said so goes."""
        if self.notice.label.text().startswith(ANSWER_WAITS):
            self.notice.hide()

    def show_error(self, message: str) -> None:
        log.warning("shown to the user: %s", message)
        self.error.show_message(message, "error")
        self.window.statusBar().showMessage(message.split(". ")[0], 8000)

    def thumb_not_kept(self, thumb: int, why: str) -> None:
        """A thumb given while the answer was written, which then ended with nothing stored:
        said, not dropped in silence (usertest 7, F8). After an error, under the error."""
        from desktop_app.gui.ratings import unkept_thumb_words

        words = unkept_thumb_words(thumb, why)
        log.info("%s", words)
        banner = self.error
        if why == "failed" and not banner.isHidden() and banner.kind == "error":
            banner.show_message(f"{banner.label.text()} {words}", "error")
        else:
            banner.show_message(words, "info")
