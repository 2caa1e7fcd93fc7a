"""ChatController: the window's logic without widgets, and the one owner of the chat model.

It holds the store, the loaded model, the shown thread of branches and the sampling
settings. Every piece of work on the model (load, answer, score a prompt, score for the
compare view, explain a token, switch an adapter) goes through the task manager's model lane,
one at a time and in order (the reads besides answers are gui/chat_reads.py's, asking and answering
gui/chat_answers.py's); what it writes (the person's prompts, answers, renamed and deleted conversations)
is written by the store lane (gui/tasks.py has the whole picture). ``state`` says what the model is doing; the window's
buttons follow it.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core import adapters, session, unwritten
from desktop_app.core.adapters import BASE_LABEL
from desktop_app.core.drafts import DRAFT_INTERVAL_S, AnswerDraft
from desktop_app.core.errors import UserFacingError
from desktop_app.core.generation import SamplingSettings
from desktop_app.core.records import TokenRecord
from desktop_app.core.text_pieces import own_token_bytes
from desktop_app.gui.chat_answers import Answering
from desktop_app.gui.chat_reads import ModelReads
from desktop_app.core.conversation_export import newest_branch
from desktop_app.gui.tasks import LoadProgress, Notice, Task, TaskManager, TaskState, Throttle

# the load's stage after core's "Loaded X": the training tokenizer read and the memory settled; without the
# model's name, which the load's first stages said
# the model is made ready, not an answer: nothing may have been asked yet (a narrow bar keeps "Preparing…")
GETTING_READY = "Preparing the model"


UNSHOWN_RELEASE_MS = 120_000  # a stopped imported answer's scoring is kept this long after its conversation is left

class ChatState(Enum):
    """What the chat model is doing, as the window shows it."""

    NO_MODEL = "no model"
    LOADING = "loading"
    IDLE = "idle"
    ANSWERING = "answering"  # an answer is asked for, streaming, or being stored
    SWITCHING = "switching"  # an adapter is being put on (or taken off)


class ChatController(Answering, ModelReads, QObject):
    """The chat model's owner and the shown conversation.

    Attributes:
        store: the Store (reads here; writes of answers go through the store lane).
        paths, device: where models are cached, and where they run.
        tasks: the window's TaskManager; ``lane`` is its model lane, the only way to the model.
        loaded: the LoadedModel in use, or None before the first load.
        state: a ChatState, recomputed from the lanes whenever they change.
        conversation_id: the conversation on screen (None: a new one on the first prompt).
        messages: all messages of that conversation, oldest first.
        choice: parent id (None for roots) -> the chosen child id (which branch is shown).
        settings, system: the sampling settings and system text of the next answer.
        score_cache: (message id, model id, adapter id) -> ScoredText of a scored prompt.
        prompt_adapters: message id -> the adapter its prompt's colours were read under (the inspector says it).
        throttle: batches streamed tokens for the view.
    """

    model_progress = Signal(object)  # LoadProgress
    model_loaded = Signal(object)  # LoadedModel
    model_failed = Signal(str)
    notice = Signal(str)  # one line to show (info)
    model_notice = Signal(str)  # why this model was chosen (the offline fallback): the same every start
    error = Signal(str)  # one line to show (error)
    conversations_changed = Signal()
    thread_changed = Signal()
    answer_waiting = Signal(int)  # the user message whose answer is asked for and waits for the lane (its model)
    stream_started = Signal(object)  # the user message being answered
    tokens = Signal(list)  # a batch of TokenRecords of the streaming answer
    prompt_reading = Signal(int, int)  # before the first token: prompt tokens read, of how many
    answer_finished = Signal(object)  # result dict, or None when nothing was kept
    prompt_scored = Signal(int, str, list)  # message id, unscored prefix text, records
    answer_scored = Signal(int, object)  # an answer no model wrote here, scored and kept: id, unwritten.Scoring
    answer_scoring_failed = Signal(int, str)  # its id, why not
    answer_scoring_progress = Signal(int, object)  # its id, a core.scoring.ScoreProgress
    state_changed = Signal(object)  # ChatState
    adapter_changed = Signal(object)  # the adapter id now on the chat model (None: base)
    prompt_not_saved = Signal(str)  # the text of a prompt the store refused (to give it back)
    explain_paused = Signal()  # an explanation under way stops for an answer (it runs again after it)
    draft_saved = Signal(int, int)  # the streaming answer's row id, tokens kept in it so far

    draft_interval_s = DRAFT_INTERVAL_S  # how often the streaming answer is written (a kill loses less)

    def __init__(self, store, paths, tasks: TaskManager, device: str = "auto", parent=None):
        super().__init__(parent)
        self.store, self.paths, self.device = store, paths, device
        self.precision = "auto"  # core.precision: auto | exact | fast
        self.tasks = tasks
        self.lane = tasks.model
        self.loaded = None
        self.unwearable: tuple[str, int] | None = None  # (model, adapter): the store's choice it could not put on
        self.switch_error = ""  # why the last switch of the adapter failed ("" once one succeeds)
        self.state = ChatState.NO_MODEL
        self.throttle = Throttle(40, self)
        self.throttle.flushed.connect(self.tokens)
        self.conversation_id: int | None = None
        self.messages: list[dict] = []
        self.choice: dict = {}
        self.settings = SamplingSettings()
        self.system = ""
        self.score_cache, self.prompt_adapters = {}, {}
        # answers no model wrote here whose scoring is asked for: id -> (its conversation, the scoring's task)
        self.unwritten_asked: dict[int, tuple] = {}
        self.unwritten_stopped = unwritten.StoppedScorings()  # where a scoring an answer stopped was (model lane)
        # its cache (up to ~180 MB) goes once its conversation has been left this long: coming back
        # sooner goes on from it, as does asking again in the conversation shown
        self.unshown_release = QTimer(self)
        self.unshown_release.setSingleShot(True)
        self.unshown_release.setInterval(UNSHOWN_RELEASE_MS)
        self.unshown_release.timeout.connect(self._release_unshown)
        self.draft: AnswerDraft | None = None  # the streaming answer's row (core/drafts.py)
        self._streamed: list[TokenRecord] = []
        self._draft_writing = False
        self._draft_at = 0.0
        self.answer_start: tuple = ()  # records a branch (or Continue) keeps: its card's words before its first token
        self._finishing: AnswerDraft | None = None  # the draft whose finished answer is being stored
        self.answering: int | None = None  # the prompt whose answer is asked for now
        # prompts whose answer the person stopped (Stop, Esc) before its first token, this session:
        # their card says so, not "the app closed, or the answer was stopped" (usertest 12)
        self.stopped_before_start: set[int] = set()
        tasks.model.changed.connect(self._refresh_state)
        tasks.store.changed.connect(self._refresh_state)

    # ------------------------------------------------------------ state
    @property
    def generating(self) -> bool:
        return self.state is ChatState.ANSWERING

    @property
    def loading(self) -> bool:
        return bool(self.lane.find("load"))

    def _refresh_state(self) -> None:
        kinds = {t.kind for t in self.lane.tasks}
        if "answer" in kinds or self.tasks.store.find("save prompt") or self.tasks.store.find("save answer"):
            state = ChatState.ANSWERING
        elif "load" in kinds:
            state = ChatState.LOADING
        elif "switch" in kinds:
            state = ChatState.SWITCHING
        else:
            state = ChatState.NO_MODEL if self.loaded is None else ChatState.IDLE
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    def cancel_task(self, task: Task) -> None:
        """Cancel a task this controller queued (waiting: dropped; running: asked to stop)."""
        self.lane.cancel(task)

    # ------------------------------------------------------------ model
    def load_model(self, spec: str | None) -> Task:
        paths, device, store, precision = self.paths, self.device, self.store, self.precision
        self.unwritten_stopped.forget()  # the load wants the memory, and the cache is the replaced model's
        if self.loaded is not None:
            self.loaded.kept_blocks.clear()  # (the analyses' kept first-window caches too: core/kept_blocks.py)

        def work(report, _cancel):
            from desktop_app.core.memory import settle_heap

            from desktop_app.core.fast_decode import prepare_or_skip

            def progress(stage, done, total):
                report(LoadProgress(stage, done, total))

            loaded = session.open_model(spec, paths, device, store=store, progress=progress,
                                        notice=lambda text: report(Notice(text, "model")), precision=precision)
            # core's last stage, "Loaded X", stood with "…" beside a busy bar for seconds more while the chat
            # said it was waiting for the load (usertest32): what those seconds do is said instead
            progress(GETTING_READY, 0, 0)
            loaded.training_tokenizer()  # now, not as a stall when the person clicks Fine-tune
            prepare_or_skip(loaded, progress)  # on a GPU: capture the decode step once, as a load stage
            settle_heap()  # load_model set the model aside; this adds the spare tokenizer and adapter
            return loaded

        self.model_progress.emit(LoadProgress("Finding the model"))
        return self.lane.submit(Task(work, "load model", "load", on_progress=self._load_progress,
                                     on_success=self.use_model, on_failure=self._load_failed))

    def _load_progress(self, item) -> None:
        if isinstance(item, Notice):
            (self.model_notice if item.kind == "model" else self.notice).emit(item.text)
        else:
            self.model_progress.emit(item)

    def use_model(self, loaded) -> None:
        """Put a loaded model in use: what a finished load does (a benchmark may hand in a
        model it built itself). Answers asked for meanwhile start after this."""
        replaced, self.loaded = self.loaded, loaded
        self._note_unwearable()
        self.score_cache.clear()
        self.unwritten_stopped.forget()  # (its cache was the replaced model's)
        self._refresh_state()
        self.model_loaded.emit(loaded)
        if replaced is not None and replaced is not loaded:
            del replaced
            self._free_replaced_model()

    def _free_replaced_model(self) -> None:
        """A replaced model sits in frozen reference cycles (core.memory.settle_heap): set
        its memory free in the model lane's turn, once nothing here points at it any more (the
        lane hands the sweep to the GUI thread, where a cycle's widgets may be freed: gui/collector.py)."""
        from desktop_app.core.memory import sweep_heap

        self.lane.submit(Task(lambda _report, _cancel: sweep_heap(including_settled=True), "free the old model",
                              "free"))

    def _load_failed(self, error) -> None:
        self.lane.cancel_all("answer")  # they were waiting for this model
        self._refresh_state()
        self.model_failed.emit(str(error))

    @property
    def model_id(self) -> str | None:
        """The chat model's id (None: no model yet)."""
        return getattr(self.loaded, "model_id", None)

    @property
    def adapter_id(self) -> int | None:
        """The adapter the chat model wears (None: the base model, or no model yet)."""
        return getattr(self.loaded, "adapter_id", None)

    @property
    def adapter_label(self) -> str:
        """The status bar's label: "Adapter 3 “terse”" (a label's start), "base" for none (kept that short:
        a hovered token's figures need the bar's room at 800 px)."""
        return BASE_LABEL if self.adapter_id is None else self.adapter_words(start=True)

    def adapter_words(self, *, start: bool = False) -> str:
        """What the chat model wears, named as everywhere (core.adapters.adapter_name), with its name."""
        adapter = getattr(self.loaded, "adapter_id", None)
        try:
            name = self.store.get_adapter(adapter).get("name") if adapter is not None else None
        except UserFacingError:  # deleted meanwhile: its number is all there is
            name = None
        return adapters.adapter_name(adapter, name, start=start)

    # ------------------------------------------------------------ adapters
    def sync_adapter(self) -> None:
        """Put the store's active adapter on the chat model (or take it off), on the model
        lane: after the answer that streams now, if any. One waiting switch serves all."""
        if self.loaded is None or any(t.state is TaskState.WAITING for t in self.lane.find("switch")):
            return
        store = self.store

        def work(_report, _cancel):
            return session.sync_adapter(self.loaded, store)

        self.lane.submit(Task(work, "switch adapter", "switch", on_success=self._switched,
                              on_failure=self._switch_failed))

    def notice_outside_adapter_change(self) -> None:
        """The command line may have changed the adapter in use for this model (one database, two
        front ends): activated another, set it aside or deleted it. When the store's choice is not
        the one the model wears, the model follows the store before the next answer, and the notice
        says so. Not followed here: the window's own changes (under way on the store lane, then a
        switch), a fine-tune's (its kept adapter is active in the store before the run's result
        comes, which puts it on), a load under way, and an active adapter that could not be put on."""
        loaded = self.loaded
        if loaded is None or self.lane.closed or self._own_adapter_change_under_way():
            return  # closed: the window has shut down, its store with it (a later activation must not read it)
        row = self.store.active_adapter(loaded.model_id)
        active = row["id"] if row is not None else None
        if active == loaded.adapter_id or (loaded.model_id, active) == self.unwearable:
            return
        worn = adapters.adapter_name(loaded.adapter_id, start=True)
        now = "the base model" if row is None else adapters.label(row)
        self.notice.emit(f"{worn} is no longer the one in use for {loaded.source.display_name} (changed outside this "
                         f"window, e.g. by gpt2-desk adapters): answers now come from {now}.")
        self.sync_adapter()

    def _own_adapter_change_under_way(self) -> bool:
        return bool(self.lane.find("switch") or self.lane.find("load") or self.tasks.store.find("adapter")
                    or self.tasks.training.find("fine-tune"))

    def _note_unwearable(self) -> None:
        """The store's active adapter that the model could not put on (a broken folder: the base model
        answers, as the log says): not announced as an outside change at every focus."""
        loaded = self.loaded
        row = self.store.active_adapter(loaded.model_id) if loaded is not None else None
        unworn = row is not None and row["id"] != loaded.adapter_id
        self.unwearable = (loaded.model_id, row["id"]) if unworn else None

    def _switched(self, adapter_id) -> None:
        self.switch_error = ""
        self._note_unwearable()
        self.score_cache.clear()
        self.unwritten_stopped.forget()  # a stopped scoring under the adapter before starts over: free its cache
        self._refresh_state()
        self.adapter_changed.emit(adapter_id)

    def _switch_failed(self, error) -> None:
        self.switch_error = str(error)  # the status bar's confirmation says why (gui/finetune_side.py)
        self._note_unwearable()
        self._refresh_state()
        self.error.emit(f"The adapter could not be switched. {error}")
        self.adapter_changed.emit(getattr(self.loaded, "adapter_id", None))

    # ------------------------------------------------------------ conversations
    def conversations(self, search: str = "") -> list[dict]:
        return self.store.list_conversations(search or None)

    def open_conversation(self, conversation_id: int | None) -> None:
        left = conversation_id != self.conversation_id
        if left:
            self.cancel_scoring()  # the prompts of the conversation left are not shown any more
        self.conversation_id = conversation_id
        if left:
            self.release_unshown_later()
        self.choice = {}
        self.reload()

    def release_unshown_later(self) -> None:
        """A stopped scoring's cache of a conversation not shown goes after a while (``_release_unshown``):
        on leaving its conversation, or when a scoring stops after its conversation was left."""
        if self.unwritten_stopped.conversation_id not in (None, self.conversation_id):
            self.unshown_release.start()

    def _release_unshown(self) -> None:
        """A stopped scoring's cache goes when its conversation is still not the one shown."""
        kept = self.unwritten_stopped.conversation_id
        if kept is not None and kept != self.conversation_id:
            self.unwritten_stopped.forget_conversation(kept)

    def reload(self) -> None:
        self.messages = self._stored_messages()
        self.thread_changed.emit()

    def _stored_messages(self) -> list[dict]:
        """The conversation's messages, less the answer streaming now (its card shows it)."""
        if not self.conversation_id:
            return []
        writing = self.draft.message_id if self.draft is not None else None
        return [m for m in self.store.messages(self.conversation_id) if m["id"] != writing]

    def new_conversation(self) -> None:
        """An empty conversation on screen. Its row is written with its first prompt (on the
        store lane): a conversation never used leaves nothing behind."""
        self.open_conversation(None)
        self.conversations_changed.emit()

    def rename(self, conversation_id: int, title: str) -> Task:
        store = self.store
        return self._write(lambda: store.rename_conversation(conversation_id, title), "rename conversation",
                           "The conversation was not renamed.")

    def delete(self, conversation_id: int) -> Task:
        """Off the screen at once; the rows go on the store lane."""
        if conversation_id == self.conversation_id:
            self.open_conversation(None)
        self.unwritten_stopped.forget_conversation(conversation_id)  # its answer is never asked for again
        self.drop_scorings_of(conversation_id)  # nor stored: its rows go
        store = self.store
        return self._write(lambda: store.delete_conversation(conversation_id), "delete conversation",
                           "The conversation was not deleted.")

    def _write(self, fn, name: str, failed_words: str) -> Task:
        """Conversation bookkeeping on the store lane; the list follows once it is written."""
        def failed(error) -> None:
            self.error.emit(f"{failed_words} {error}")
            self.conversations_changed.emit()

        return self.tasks.store.submit(Task(lambda _report, _cancel: fn(), name, "conversation",
                                            on_success=lambda _none: self.conversations_changed.emit(),
                                            on_failure=failed))

    # ------------------------------------------------------------ the shown thread
    def children(self, parent_id) -> list[dict]:
        return [m for m in self.messages if m["parent_id"] == parent_id]

    def thread(self) -> list[dict]:
        """The branch on screen: from the root, the chosen (default: newest) child each step."""
        return newest_branch(self.messages, self.choice)

    def sibling_position(self, message: dict) -> tuple[int, int]:
        kids = self.children(message["parent_id"])
        ids = [k["id"] for k in kids]
        return ids.index(message["id"]) + 1, len(ids)

    def step_sibling(self, message: dict, delta: int) -> None:
        kids = self.children(message["parent_id"])
        ids = [k["id"] for k in kids]
        at = ids.index(message["id"]) + delta
        if 0 <= at < len(ids):
            self.choice[message["parent_id"]] = ids[at]
            self.thread_changed.emit()

    def records(self, message_id: int):
        return self.store.token_records(message_id)

    def token_bytes(self, records) -> list[bytes] | None:
        """The bytes of ``records``' tokens as the model in use reads them, where they are its tokens
        (they decode to their texts: core.text_pieces.CharacterLayout checks), else None: where a
        split character began, for its rating (a read of the tokenizer's tables, no model work)."""
        return own_token_bytes(getattr(self.loaded, "tokenizer", None), [r.id for r in records])

    def shown_records(self, message: dict):
        """A stored answer's records as its card shows them: those it was written with, else (no
        model wrote it here) its kept scoring's (core/unwritten.py)."""
        records = self.records(message["id"])
        if not unwritten.is_unwritten(message, records):
            return records
        scoring = unwritten.stored_scoring(self.store, message, self.model_id, self.adapter_id)
        return [] if scoring is None else scoring.records
