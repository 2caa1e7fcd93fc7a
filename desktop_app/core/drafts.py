"""The answer that streams now, kept in the store as a draft row so a kill loses little.

The window writes the draft every ``DRAFT_INTERVAL_S`` through its store lane (the one
writer) while the model lane goes on decoding; the finished answer then rewrites the same
row without the mark. A row still marked at the next start was cut off by the app closing
(a crash, kill -9, a power cut): the window shows it as interrupted, with Continue (the
same row goes on from its last token) and Regenerate.

All of one draft's writes run on one thread (the store lane), in order, so
``message_id`` set by the first write is seen by the next and by ``finish``.
"""

from __future__ import annotations

from desktop_app.core.records import TokenRecord, joined_text

DRAFT_KEY = "draft"  # in a message's settings: written while it streamed, never finished
STOPPED = "cancelled"  # the finish reason of an answer the person stopped (core.generation)
DRAFT_INTERVAL_S = 1.0  # at most one draft write a second: a kill loses about a second of text
INTERRUPTED_WORDS = "interrupted (the app closed while it wrote this)"
UNSTARTED_WORDS = ("This answer was interrupted before its first token: the app closed while the model read "
                   "your prompt. Regenerate asks again.")


def is_interrupted(message: dict | None) -> bool:
    """Whether a stored answer is a draft whose writing never finished."""
    return bool(message and (message.get("settings") or {}).get(DRAFT_KEY))


def is_unstarted(message: dict | None) -> bool:
    """An interrupted answer that never got its first token (AnswerDraft.begin): only Regenerate fits."""
    return is_interrupted(message) and not message.get("text")


def stopped_unstarted(message: dict | None) -> bool:
    """An unstarted answer (``is_unstarted``) that went on and that the person stopped (Stop, Esc)
    again before its first token (``mark_stopped``): not the app closing, after a restart too."""
    return is_unstarted(message) and (message.get("settings") or {}).get("finish_reason") == STOPPED


def mark_stopped(store, message_id: int, stopped: bool = True) -> None:
    """Say in an unstarted answer's row that the person stopped it before its first token (the
    finish reason an answer they stop gets, beside the draft mark, which stays: it has no token to
    keep, only Regenerate fits); ``stopped`` False takes that off again as it goes on, so an app
    closed then is an interruption again. A row that is not unstarted is left as it is."""
    message = store.get_message(message_id)
    if not is_unstarted(message):
        return
    settings = {**message["settings"], "finish_reason": STOPPED}
    if not stopped:
        settings.pop("finish_reason")
    if settings != message["settings"]:
        store.update_answer(message_id, "", settings=settings, records=[], model_id=message.get("model_id"),
                            adapter_id=message.get("adapter_id"))


class AnswerDraft:
    """One streaming answer's row in the store.

    Attributes:
        store, conversation_id, user_id: where the answer goes (under the prompt ``user_id``).
        message_id: the row, once the first write made it (or the interrupted answer that
            ``Continue`` goes on with).
        model_id, adapter_id: who writes it (recorded on the draft row).
        sampling: the settings it is sampled with, as a finished answer stores them (recorded on the
            draft row too: an answer cut off by a kill is explained with its own temperature and
            top-k, not the defaults; usertest52 saw "temperature 0.8" for one written at 0.4).
    """

    def __init__(self, store, conversation_id: int, user_id: int, *, model_id=None, adapter_id=None,
                 message_id: int | None = None, sampling: dict | None = None):
        self.store, self.conversation_id, self.user_id = store, conversation_id, user_id
        self.model_id, self.adapter_id = model_id, adapter_id
        self.message_id = message_id
        self.draft_settings = {**(sampling or {}), DRAFT_KEY: True}

    def begin(self) -> int | None:
        """An empty draft row while the model still reads a long prompt (minutes on a CPU), so
        an app closed then comes back with an interrupted answer card, not a bare prompt."""
        if self.message_id is None:
            self._store("", self.draft_settings, [], self.model_id, self.adapter_id)
        return self.message_id

    def write(self, records: list[TokenRecord]) -> int | None:
        """Store what has streamed so far (marked as a draft); returns the row's id."""
        if not records:
            return self.message_id
        self._store(joined_text(records), self.draft_settings, records, self.model_id, self.adapter_id)
        return self.message_id

    def finish(self, answer) -> int | None:
        """The finished answer (a core.session.Answer) in the draft's row, unmarked; None
        (and no row) when it has no token to keep."""
        g = answer.generation
        if not g.records:
            if self.message_id is not None and not self._began_here and g.finish_reason == STOPPED:
                mark_stopped(self.store, self.message_id)  # an unstarted answer it went on with, stopped again
            self.discard()
            return None
        self._store(g.text, answer.stored_settings(), g.records, answer.model_id, answer.adapter_id)
        return self.message_id

    def reopen(self) -> None:
        """An unstarted answer this one goes on with: a stop noted in its row (``mark_stopped``) no
        longer holds, and an app closed from now on is an interruption again."""
        if self.message_id is not None and not self._began_here:
            mark_stopped(self.store, self.message_id, stopped=False)

    def discard(self) -> None:
        """Remove a draft this answer began (an interrupted answer it continued stays)."""
        if self.message_id is not None and self._began_here:
            self.store.delete_message(self.message_id)
            self.message_id = None

    _began_here = False

    def _store(self, text: str, settings: dict, records, model_id, adapter_id) -> None:
        if self.message_id is None:
            self.message_id = self.store.add_message(self.conversation_id, "assistant", text, parent_id=self.user_id,
                                                     model_id=model_id, adapter_id=adapter_id, settings=settings,
                                                     records=records)
            self._began_here = True
        else:
            self.store.update_answer(self.message_id, text, settings=settings, records=records, model_id=model_id,
                                     adapter_id=adapter_id)
