"""Asking and answering, a part of ChatController (gui/chat.py): a prompt stored on the store lane, then its answer
on the model lane (a new one, a sibling, a branch from a token, an interrupted one continued), the answer's row
written as it streams (its draft, about once a second, so a kill loses little), stored once it ends, and the
last draft written at quit."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from desktop_app.core import session
from desktop_app.core.drafts import AnswerDraft, mark_stopped
from desktop_app.core.errors import ModelError
from desktop_app.core.records import TokenRecord
from desktop_app.gui.chat_reads import NO_MODEL_WORDS, UNWRITTEN_KIND
from desktop_app.gui.tasks import Notice, PromptReading, Task

log = logging.getLogger(__name__)


class Answering:
    """ChatController's part that asks for answers and keeps them (its store, lanes, signals and shown thread are
    ChatController's)."""

    def send(self, text: str) -> bool:
        text = text.strip()
        if not text or self.generating:
            return False
        thread = self.thread()
        self._save_prompt(text, thread[-1]["id"] if thread else None, unique_title=True)
        return True

    def resend_edited(self, message_id: int, text: str) -> bool:
        """An edited copy of one of the person's messages, as its sibling (a new branch), answered."""
        text = text.strip()
        old = self.store.get_message(message_id)
        if not text or self.generating or old["role"] != "user" or old["conversation_id"] != self.conversation_id:
            return False
        self._save_prompt(text, old["parent_id"])
        return True

    def _save_prompt(self, text: str, parent: int | None, *, unique_title: bool = False) -> Task:
        """Store the person's prompt on the store lane (in the conversation on screen; a new
        one is created with it), then answer it. Meanwhile the chat is ANSWERING, so nothing
        else is sent and the conversation on screen stays; a refused prompt comes back."""
        store, conversation_id = self.store, self.conversation_id
        self._explain_makes_way()  # at once: the answer asked for goes first (as in _start_answer)

        def save(_report, _cancel):
            return session.add_prompt(store, conversation_id, text, parent, unique_title=unique_title)

        def saved(ids) -> None:
            self.conversation_id, user_id = ids
            self.choice[parent] = user_id
            self.reload()
            self.conversations_changed.emit()
            self._start_answer(user_id, [], None)

        def failed(error) -> None:
            self.error.emit(f"Your message was not saved. {error}")
            self.prompt_not_saved.emit(text)

        return self.tasks.store.submit(Task(save, "save prompt", on_success=saved, on_failure=failed))

    def regenerate(self) -> bool:
        """A new sibling answer to the newest prompt of the shown thread."""
        if self.generating:
            return False
        user = next((m for m in reversed(self.thread()) if m["role"] == "user"), None)
        if user is None:
            return False
        self._start_answer(user["id"], [], None)
        return True

    def branch(self, message_id: int, index: int, token_id: int) -> bool:
        """A sibling of an answer: its first ``index`` tokens, then ``token_id``, then sampled."""
        if self.generating:
            return False
        answer = self.store.get_message(message_id)
        if answer["role"] != "assistant" or answer["parent_id"] is None:
            return False
        records = self.shown_records(answer)
        prefix = [r.id for r in records[:index]] + [int(token_id)]
        shared = session.SharedPrefix.of(answer, records, index)
        self._start_answer(answer["parent_id"], prefix, index, shared=shared, start=shared.records)
        return True

    def stop(self) -> None:
        """Stop the answer: dropped if it still waits (e.g. for the model), else cut short
        (what streamed so far is kept)."""
        if self.answering is not None and not self._streamed:
            self.stopped_before_start.add(self.answering)
        self.lane.cancel_all("answer")

    def regenerate_answer(self, message: dict) -> bool:
        """A new sibling of this answer (e.g. one that was interrupted)."""
        if self.generating or message["parent_id"] is None:
            return False
        self._start_answer(message["parent_id"], [], None)
        return True

    def answer(self, message: dict) -> bool:
        """An answer to a stored prompt that has none (the app closed before its answer had a row):
        made as Send makes one, stored under it."""
        if self.generating or message["role"] != "user" or message["conversation_id"] != self.conversation_id:
            return False
        self._start_answer(message["id"], [], None)
        return True

    def continue_answer(self, message: dict) -> bool:
        """An interrupted answer goes on from its last token, in its own row."""
        if self.generating or message["parent_id"] is None:
            return False
        records = self.records(message["id"])
        self._start_answer(message["parent_id"], [r.id for r in records], None, continues=message["id"],
                           start=tuple(records))
        return True

    def _start_answer(self, user_id: int, prefix_ids: list[int], branched_at, continues: int | None = None,
                      shared: session.SharedPrefix | None = None, start: tuple = ()) -> None:
        if self.loaded is None and not self.loading:
            self.error.emit(NO_MODEL_WORDS)
            return
        if self.loaded is None:
            self.notice.emit("The answer starts as soon as the model has loaded.")
        self.notice_outside_adapter_change()  # its switch goes on the lane before this answer
        user = self.store.get_message(user_id)
        self.choice[user["parent_id"]] = user_id
        self.answering, self._streamed, self.answer_start = user_id, [], start  # (no token of this answer yet)
        self.stopped_before_start.discard(user_id)
        store = self.store
        work = self._answer_work(user, replace(self.settings), self.system or None, prefix_ids, branched_at,
                                 continues, shared)
        cancelled = {"message_id": None, "finish_reason": "cancelled"}

        def dropped(_task) -> None:  # stopped while it waited: an unstarted answer it would go on with says so
            if continues is not None:
                self.tasks.store.submit(Task(lambda _r, _c: mark_stopped(store, continues), "answer stopped"))
            self._answer_ended(cancelled)

        self._explain_makes_way()  # minutes on a CPU: the answer the person asked for goes first
        self.lane.submit(Task(work, "generate", "answer", on_start=lambda _t: self.stream_started.emit(user),
                              on_progress=self._answer_progress, on_success=lambda a: self._answered(user, a),
                              on_failure=self._answer_failed, on_cancelled=dropped,
                              can_wait=True, passes_restartable=True))  # a Text analysis goes on after it
        self.answer_waiting.emit(user_id)
        # an imported answer's scoring (a long one: a minute) goes after it; stopped once the answer is in
        # the lane, as a scoring dropped earlier was asked again at once (the chat looked idle) and went first
        self.lane.cancel_all(UNWRITTEN_KIND)

    def _answer_work(self, user: dict, settings, system: str | None, prefix_ids: list[int], branched_at,
                     continues: int | None, shared: session.SharedPrefix | None):
        """The answer to ``user``'s message, as the model lane runs it: its draft row first, then its tokens
        (``settings`` and ``system`` as they were when it was asked for)."""
        store, user_id = self.store, user["id"]

        def work(report, cancel):
            loaded = self.loaded  # the model in use when the answer starts (a load may come first)
            if loaded is None:
                raise ModelError(NO_MODEL_WORDS)
            report(AnswerDraft(store, user["conversation_id"], user_id, model_id=loaded.model_id,
                               adapter_id=loaded.adapter_id, message_id=continues,
                               sampling=dict(settings.to_dict(), system=system)))
            return session.answer_prompt(store, loaded, user_id, settings, system=system, prefix_ids=prefix_ids,
                                         branched_at=branched_at, cancel=cancel, on_token=report,
                                         on_notice=lambda text: report(Notice(text)),
                                         on_reading=lambda read, total: report(PromptReading(read, total)),
                                         between=self.lane.run_urgent, shared=shared)

        return work

    def _explain_makes_way(self) -> None:
        """A "Why this token?" under way stops for the answer asked for; ``explain_paused`` first,
        so its view starts it again once the answer ends, instead of saying only "stopped" (usertest9)."""
        if self.lane.find("explain"):
            self.explain_paused.emit()
        self.lane.cancel_all("explain")

    def _answer_progress(self, item) -> None:
        if isinstance(item, TokenRecord):
            self.throttle.push(item)
            self._streamed.append(item)
            self._write_draft()
        elif isinstance(item, AnswerDraft):  # the answer starts: its row, written as it grows
            self.draft, self._streamed, self._draft_at = item, [], time.monotonic()
            if item.message_id is not None:  # an unstarted answer goes on: a stop noted in it no longer holds
                self.tasks.store.submit(Task(lambda _r, _c: item.reopen(), "answer goes on"))
        elif isinstance(item, PromptReading):
            if item.read:  # a long prompt, read chunk by chunk: its answer gets its row now
                self._begin_draft()
            self.prompt_reading.emit(item.read, item.total)
        else:
            self.notice.emit(item.text)

    def _begin_draft(self) -> None:
        """The answer's empty row (core/drafts.py AnswerDraft.begin), once, before its first token."""
        draft = self.draft
        if draft is None or draft.message_id is not None or self._draft_writing or self._streamed:
            return
        self._draft_writing = True

        def written(message_id) -> None:
            self._draft_writing = False
            if message_id is not None:
                self.draft_saved.emit(message_id, 0)

        def failed(error) -> None:  # the answer goes on; its first tokens make the row
            self._draft_writing = False
            log.warning("the waiting answer's row was not written: %s", error)

        self.tasks.store.submit(Task(lambda _report, _cancel: draft.begin(), "begin draft",
                                     on_success=written, on_failure=failed))

    def _write_draft(self) -> None:
        """Every ``draft_interval_s``, what has streamed goes to the store lane (one write at
        a time; the model lane decodes on meanwhile), so a kill loses about that much."""
        draft = self.draft
        if draft is None or self._draft_writing or time.monotonic() - self._draft_at < self.draft_interval_s:
            return
        self._draft_writing, records = True, list(self._streamed)

        def written(message_id) -> None:
            self._draft_writing, self._draft_at = False, time.monotonic()
            if message_id is not None:
                self.draft_saved.emit(message_id, len(records))

        def failed(error) -> None:  # the answer goes on; its end is stored as before
            self._draft_writing = False
            log.warning("the streaming answer's draft was not written: %s", error)

        self.tasks.store.submit(Task(lambda _report, _cancel: draft.write(records), "save draft",
                                     on_success=written, on_failure=failed))

    def _answered(self, user: dict, answer: session.Answer) -> None:
        """Streamed: store it (on the store lane); the answer is finished once it is stored."""
        self.throttle.flush()
        g = answer.generation
        draft = self.draft or AnswerDraft(self.store, user["conversation_id"], user["id"])
        self._finishing = draft  # its whole answer is on the way to the store: no draft of it at quit
        if not g.records and draft.message_id is None and not self._draft_writing:  # (a row begun is removed below)
            self.draft = None
            self._answer_ended({"message_id": None, "finish_reason": g.finish_reason})
            return

        def save(_report, _cancel):  # after any draft write still queued: the lane keeps the order
            return draft.finish(answer)

        self.tasks.store.submit(Task(save, "save answer", on_success=lambda mid: self._answer_saved(mid, answer),
                                     on_failure=self._answer_failed))

    def _answer_saved(self, message_id: int | None, answer: session.Answer) -> None:
        self.draft = None
        if message_id is None:
            self._answer_ended({"message_id": None, "finish_reason": answer.generation.finish_reason})
            return
        message = self.store.get_message(message_id)
        self.choice[message["parent_id"]] = message_id
        self.messages = self._stored_messages()
        g = answer.generation
        self._answer_ended({"message_id": message_id, "finish_reason": g.finish_reason,
                            "tokens_per_s": g.tokens_per_s, "tokens": len(g.records)})

    def _answer_ended(self, result: dict) -> None:
        self.answering = None
        self._refresh_state()
        self.answer_finished.emit(result)
        self.thread_changed.emit()
        self.conversations_changed.emit()

    def _answer_failed(self, error) -> None:
        self.answering = None
        self.throttle.flush()
        draft, self.draft = self.draft, None
        if draft is not None:  # a draft this answer began goes with it; an interrupted one it continued stays
            self.tasks.store.submit(Task(lambda _report, _cancel: draft.discard(), "discard draft"))
        self._refresh_state()
        self.error.emit(str(error))
        self.answer_finished.emit(None)
        self.thread_changed.emit()

    def shutdown(self) -> None:
        """Stop the answer and drop the model work that waits (the window joins the lanes). An
        answer streaming now keeps every token shown: its own save would come after the lanes
        are closed, and the last draft can be a second behind (user test 15: "…named Tess."
        on screen at Ctrl+Q, "…named T" at the next start)."""
        self._write_last_draft()
        self.stop()
        self.lane.cancel_all()

    def _write_last_draft(self) -> None:
        draft, records = self.draft, list(self._streamed)
        if draft is None or draft is self._finishing or not records:
            return
        # after any draft write still queued (the lane keeps the order); the window's shutdown
        # of the lanes writes all the store lane was given
        self.tasks.store.submit(Task(lambda _report, _cancel: draft.write(records), "save draft at quit"))
