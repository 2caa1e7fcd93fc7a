"""What the chat model reads for the window besides answers, on the model lane: a prompt's colours,
the compare view's scorings (a stored answer, a Text continuation, a better answer or continuation the
person wrote, a fine-tune's re-asked answer: each with the adapter and without) and "Why this token?"
(its layer grid first, then its attribution, which an answer pauses and which goes on after it) and
"How likely was …?" (a typed word's chance at a token).

``ModelReads`` is a part of ChatController (gui/chat.py), which owns the model and its lane: it uses
the controller's ``lane``, ``loaded``, ``store``, ``tasks``, ``score_cache`` and its ``prompt_scored``
and ``error`` signals. None of this writes to the model; a compare scoring of a stored answer is
stored on the store lane before it is shown.
"""

from __future__ import annotations

from desktop_app.core import session, unwritten
from desktop_app.core.errors import ModelError, UserFacingError
from desktop_app.gui.tasks import Task, TaskState, TurnAhead

NO_MODEL_WORDS = "No model is loaded: choose one with the model button."
UNWRITTEN_KIND = "score answer"  # the scoring of an answer no model wrote here (an answer asked for stops it)


class ModelReads:
    """ChatController's reads on the model lane (see the module docstring)."""

    # ------------------------------------------------------------ scoring
    def score_prompt(self, message: dict) -> None:
        """Colour a prompt: score it on the model lane (cached per model and adapter)."""
        if self.loaded is None:
            return
        mid = message["id"]
        key = (mid, self.loaded.model_id, self.loaded.adapter_id)
        if key in self.score_cache:
            scored = self.score_cache[key]
            self.prompt_adapters[mid] = key[2]
            self.prompt_scored.emit(mid, scored.unscored_prefix, list(scored.records))
            return
        text = message["text"]

        def work(_report, _cancel):
            loaded = self.loaded
            return (mid, loaded.model_id, loaded.adapter_id), session.score_whole_text(loaded, text)

        def done(result):
            key, scored = result
            self.score_cache[key] = scored
            self.prompt_adapters[mid] = key[2]  # whose figures its colours are (the inspector's "adapter" row)
            self.prompt_scored.emit(mid, scored.unscored_prefix, list(scored.records))

        self.lane.submit(Task(work, "score prompt", "score", on_success=done,
                              on_failure=lambda error: self.error.emit(str(error)), can_wait=True))

    def score_unwritten(self, message: dict) -> bool:
        """Colour an answer no model wrote here (core/unwritten.py): score it on the model lane with
        the model in use, keep the scoring (store lane), then tell ``answer_scored``. One asking per
        answer at a time; False when nothing was asked (no model yet, or already asked)."""
        mid, store = message["id"], self.store
        if self.loaded is None or mid in self.unwritten_asked:
            return False
        self.unwritten_asked[mid] = (message.get("conversation_id"), None)  # (its task below)

        def work(report, cancel):  # (stopped for an answer: goes on from where it was when asked again)
            return unwritten.score_unwritten(store, self.loaded, mid, cancel=cancel, progress=report,
                                             stopped=self.unwritten_stopped)

        def scored(result) -> None:
            if task.cancel.is_set():  # its conversation was deleted as its last part ended: nothing to keep
                self.unwritten_asked.pop(mid, None)
                return
            shown, kept = result
            self.tasks.store.submit(Task(
                lambda _r, _c: unwritten.keep_scoring(store, mid, shown.model_id, shown.adapter_id, kept),
                "store answer scoring", on_success=lambda _none: told(shown), on_failure=failed))

        def told(shown) -> None:
            self.unwritten_asked.pop(mid, None)
            self.answer_scored.emit(mid, shown)

        def failed(error) -> None:
            self.unwritten_asked.pop(mid, None)
            if not task.cancel.is_set():  # (stopped for an answer: asked again once it is shown again)
                self.answer_scoring_failed.emit(mid, str(error))
            self.release_unshown_later()  # stopped after its conversation was left: its cache goes in a while

        task = self.lane.submit(Task(work, "score an answer written elsewhere", UNWRITTEN_KIND, on_success=scored,
                                     on_failure=failed, on_cancelled=lambda _t: self.unwritten_asked.pop(mid, None),
                                     on_progress=lambda item: self.answer_scoring_progress.emit(mid, item),
                                     can_wait=True, restartable=True))
        if mid in self.unwritten_asked:
            self.unwritten_asked[mid] = (message.get("conversation_id"), task)
        return True

    def drop_scorings_of(self, conversation_id: int) -> None:
        """A deleted conversation's answers' scorings, waiting or running, stop and store nothing:
        their rows go on the store lane, and a scoring kept after that would find no answer to keep."""
        for asked_in, task in list(self.unwritten_asked.values()):
            if asked_in == conversation_id and task is not None:
                self.lane.cancel(task)

    def cancel_scoring(self) -> None:
        """Prompt scorings not needed any more (the colouring was switched off)."""
        self.lane.cancel_all("score")

    def _model_with(self, adapter_id: int):
        """The loaded model, on the model lane, if adapter ``adapter_id`` is still the active one."""
        loaded = self.loaded
        if loaded is None or loaded.adapter_id != adapter_id:
            raise UserFacingError("The adapter changed meanwhile.")
        return loaded

    def score_for_compare(self, message_id: int, adapter_id: int, on_success, on_failure, on_progress=None, *,
                          against: dict | None = None) -> Task:
        """Score a stored answer with the chat model, adapter ``adapter_id`` on and then off (``against``:
        an earlier adapter's row worn instead, core.session_compare.reading_as), on the model lane; the two
        scorings are stored (store lane) for next time, then handed over.
        ``on_success((before, after))`` / ``on_failure(TaskError)`` / ``on_progress(ComparePass)``
        run on the GUI thread (a ComparePass before each pass; none while it waits for the lane)."""
        store = self.store
        against_id = against["id"] if against else None

        def work(report, cancel):
            loaded = self._model_with(adapter_id)
            return loaded.model_id, session.score_with_and_without_adapter(store, loaded, message_id, cancel=cancel,
                                                                           progress=report, against=against)

        def scored(scoring):  # stored first (store lane), then shown: what is shown is kept
            model_id, result = scoring
            self.tasks.store.submit(Task(
                lambda _r, _c: session.store_rescored(store, message_id, adapter_id, *result, model_id=model_id,
                                                      against_id=against_id),
                "store compare scoring", on_success=lambda _none: on_success(result), on_failure=on_failure))

        return self.lane.submit(Task(work, "compare scoring", "compare", on_success=scored, on_failure=on_failure,
                                     on_progress=on_progress, can_wait=True))

    def score_branch_for_compare(self, branch_id: int, adapter_id: int, on_success, on_failure,
                                 on_progress=None, *, better: bool = False, against: dict | None = None) -> Task:
        """Score a Text mode continuation (``better``: the better one the person wrote for it)
        like ``score_for_compare`` (model lane), not stored: a continuation is short, and its
        text can still be edited."""
        store = self.store

        def work(report, cancel):
            return session.score_branch_with_and_without_adapter(store, self._model_with(adapter_id), branch_id,
                                                                 cancel=cancel, progress=report, better=better,
                                                                 against=against)

        return self.lane.submit(Task(work, "compare scoring", "compare", on_success=on_success,
                                     on_failure=on_failure, on_progress=on_progress, can_wait=True))

    def score_correction_for_compare(self, message_id: int, adapter_id: int, on_success, on_failure,
                                     on_progress=None, *, against: dict | None = None) -> Task:
        """Score the better answer the person wrote for stored answer ``message_id`` like
        ``score_for_compare`` (model lane), not stored: it is short, and it can be rewritten."""
        store = self.store

        def work(report, cancel):
            return session.score_correction_with_and_without_adapter(store, self._model_with(adapter_id), message_id,
                                                                     cancel=cancel, progress=report, against=against)

        return self.lane.submit(Task(work, "compare scoring", "compare", on_success=on_success,
                                     on_failure=on_failure, on_progress=on_progress, can_wait=True))

    def score_reask_for_compare(self, question: str, answer: str, max_new_tokens: int, adapter_id: int,
                                on_success, on_failure, on_progress=None, *, against: dict | None = None) -> Task:
        """Score a fine-tune's re-asked answer (stored with its run as text) like
        ``score_for_compare`` (model lane), not stored: it has no message to store it under."""

        def work(report, cancel):
            return session.score_reask_with_and_without_adapter(self._model_with(adapter_id), question, answer,
                                                                max_new_tokens, cancel=cancel, progress=report,
                                                                against=against)

        return self.lane.submit(Task(work, "compare scoring", "compare", on_success=on_success,
                                     on_failure=on_failure, on_progress=on_progress, can_wait=True))

    def probe_word(self, message_id: int, index: int, text: str, on_success, on_failure, on_cancelled) -> Task:
        """How likely was ``text`` at token ``index`` of a stored answer (core.word_probe), on the model lane."""
        store = self.store
        return self._probe(lambda loaded: session.probe_word(store, loaded, message_id, index, text), on_success,
                           on_failure, on_cancelled)

    def probe_text_word(self, make_context, index: int, text: str, on_success, on_failure, on_cancelled) -> Task:
        """``probe_word`` for token ``index`` of a Text mode text: ``make_context(loaded)`` gives the text before it
        as its analysis read it (core.token_context.context_for_text)."""
        return self._probe(lambda loaded: session.probe_text_word(loaded, make_context(loaded), index, text),
                           on_success, on_failure, on_cancelled)

    def more_alternatives(self, message_id: int, index: int, on_success, on_failure, on_cancelled) -> Task:
        """The next alternatives of token ``index`` of a stored answer, past those its record keeps
        (core.more_alternatives), on the model lane: the inspector's "Show 40 more"."""
        from desktop_app.core.more_alternatives import alternatives_of_answer

        store = self.store
        return self._probe(lambda loaded: alternatives_of_answer(store, loaded, message_id, index), on_success,
                           on_failure, on_cancelled, name="more alternatives")

    def more_text_alternatives(self, make_context, on_success, on_failure, on_cancelled) -> Task:
        """``more_alternatives`` for a Text mode token: ``make_context(loaded)`` gives its TokenContext."""
        from desktop_app.core.more_alternatives import alternatives_in_context

        return self._probe(lambda loaded: alternatives_in_context(loaded, make_context(loaded)), on_success,
                           on_failure, on_cancelled, name="more alternatives")

    def _probe(self, read, on_success, on_failure, on_cancelled, name: str = "how likely was") -> Task:
        """``urgent`` like the layer grid (one short read the person waits for, which writes nothing): it goes ahead
        of background scorings and runs between an answer's tokens rather than after the answer."""
        def work(_report, _cancel):
            loaded = self.loaded
            if loaded is None:
                raise ModelError(NO_MODEL_WORDS)
            return read(loaded)

        return self.lane.submit(Task(work, name, "probe", on_success=on_success, on_failure=on_failure,
                                     on_cancelled=on_cancelled, urgent=True))

    def explain_token(self, message_id: int, index: int, on_success, on_failure, on_cancelled,
                      on_progress=None) -> "ExplainRun":
        """Why token ``index`` of a stored answer (core.explain), on the model lane with the
        model as it is now; ``on_progress`` hears the lens and sampler first, then the
        attribution's progress. Asking for an answer cancels it; so does choosing another token."""
        from desktop_app.core.token_context import context_for_message

        store = self.store
        return self._explain(lambda loaded: context_for_message(store, loaded, message_id, index), on_success,
                             on_failure, on_cancelled, on_progress)

    def explain_text_token(self, make_context, on_success, on_failure, on_cancelled,
                           on_progress=None) -> "ExplainRun":
        """Why a token of a Text mode text: like ``explain_token``, with the TokenContext that
        ``make_context(loaded)`` gives (core.token_context.context_for_text)."""
        return self._explain(make_context, on_success, on_failure, on_cancelled, on_progress)

    def _explain(self, make_context, on_success, on_failure, on_cancelled, on_progress) -> "ExplainRun":
        """Two tasks: the layer grid and the sampler (``urgent``: a fraction of a second the person
        waits for, so it goes ahead of background work and runs between an answer's tokens), then
        the attribution (minutes: it waits its turn like other background work)."""
        run = ExplainRun(self.lane)
        tell = on_progress or (lambda _item: None)

        def layers(_report, cancel):
            from desktop_app.core.explain import explain_layers

            loaded = self.loaded
            if loaded is None:
                raise ModelError(NO_MODEL_WORDS)
            return loaded, explain_layers(loaded, make_context(loaded), cancel=cancel)

        def read(result) -> None:
            run.loaded, (run.first, run.other) = result
            tell(run.first)
            if run.task.cancel.is_set():  # stopped as it ended (an answer asked for, another token)
                on_cancelled(run.task)
                return
            self._submit_attribution(run, on_success, on_failure, on_cancelled, on_progress)

        run.task = self.lane.submit(Task(layers, "explain: layers", "explain", on_success=read, on_failure=on_failure,
                                         on_cancelled=on_cancelled, urgent=True))
        return run

    def resume_explain(self, run: "ExplainRun", on_success, on_failure, on_cancelled, on_progress=None) -> bool:
        """Go on with ``run``'s attribution where it stopped (paused for an answer: its finished
        path points are kept); False where it cannot: its layers were not read yet, or the
        model has changed since (another adapter, other weights), so it must start over."""
        if run.first is None or run.loaded is not self.loaded:
            return False
        self._submit_attribution(run, on_success, on_failure, on_cancelled, on_progress)
        return True

    def _submit_attribution(self, run: "ExplainRun", on_success, on_failure, on_cancelled, on_progress) -> None:
        tell = on_progress or (lambda _item: None)
        ahead = tuple(t.kind for t in self.lane.tasks if t.state in (TaskState.WAITING, TaskState.RUNNING))
        loaded, first, other, points = run.loaded, run.first, run.other, run.points
        run.task = self.lane.submit(Task(
            lambda report, cancel: self._attribute(loaded, first, other, cancel, report, points),
            "explain: attribution", "explain", on_start=lambda _t: tell(TurnAhead()), on_success=on_success,
            on_progress=on_progress, on_failure=on_failure, on_cancelled=on_cancelled, can_wait=True))
        if ahead:  # a continuation, an analysis: the line says so meanwhile
            tell(TurnAhead(ahead))

    def _attribute(self, loaded, first, other, cancel, report, points):
        from desktop_app.core.explain import explain_attribution
        from desktop_app.core.explain_errors import ExplainError

        if self.loaded is not loaded:
            raise ExplainError("The model changed since the layers were read; explain this token again.")
        return explain_attribution(loaded, first, other, cancel=cancel, report=report, points=points)


class ExplainRun:
    """One "Why this token?" on the model lane: its layers task, then its attribution task;
    ``cancel`` stops whichever is current (waiting: dropped; running: asked to stop). Once the
    layers are read it keeps what the attribution needs to go on after a pause: the model that
    read them, the first part, the alternative and the path's points done (filled as it runs)."""

    def __init__(self, lane):
        self.lane = lane
        self.task: Task | None = None
        self.loaded = self.first = self.other = None
        self.points: dict = {}

    def cancel(self) -> None:
        if self.task is not None:
            self.lane.cancel(self.task)
