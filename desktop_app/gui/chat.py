"""ChatController: the window's logic without widgets: the store, the model, the shown
thread of branches, and generation/scoring/loading on worker threads."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop_app.core.generation import Generation, SamplingSettings
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.records import joined_text
from desktop_app.gui.workers import Task, TaskRunner, Throttle

log = logging.getLogger(__name__)

TITLE_CHARS = 48
DEFAULT_TITLE = "New conversation"


def short_title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[:TITLE_CHARS - 1].rstrip() + "\u2026"


def unique_title(title: str, taken) -> str:
    """``title``, or "title (2)", "(3)"...: two conversations that start alike stay apart in the list."""
    taken = set(taken)
    n = 2
    candidate = title
    while candidate in taken:
        candidate = f"{title} ({n})"
        n += 1
    return candidate


class ChatController(QObject):
    model_progress = Signal(str, int, int)  # stage, done, total
    model_loaded = Signal(object)  # LoadedModel
    model_failed = Signal(str)
    notice = Signal(str)  # one line to show (info)
    model_notice = Signal(str)  # why this model was chosen (the offline fallback): the same every start
    error = Signal(str)  # one line to show (error)
    conversations_changed = Signal()
    thread_changed = Signal()
    stream_started = Signal(object)  # the user message being answered
    tokens = Signal(list)  # a batch of TokenRecords of the streaming answer
    answer_finished = Signal(object)  # result dict, or None when nothing was kept
    prompt_scored = Signal(int, str, list)  # message id, unscored prefix text, records
    busy_changed = Signal(bool)
    generating_changed = Signal(bool)
    adapter_changed = Signal(object)  # the adapter id now on the chat model (None: base)

    def __init__(self, store, paths, device: str = "auto", parent=None):
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.device = device
        self.loaded = None
        self.loading = False
        self.runner = TaskRunner(self)
        self.runner.busy_changed.connect(self.busy_changed)
        self.throttle = Throttle(40, self)
        self.throttle.flushed.connect(self.tokens)
        self.conversation_id: int | None = None
        self.messages: list[dict] = []
        self.choice: dict = {}  # parent id (None for roots) -> chosen child id
        self.generation_task: Task | None = None
        self.pending: tuple | None = None  # an answer asked for before the model was ready
        self.settings = SamplingSettings()
        self.system = ""
        self.score_cache: dict = {}
        self.switching = False  # an adapter is being put on (or taken off) the chat model
        self._switch_queued = False

    # ------------------------------------------------------------ model
    def load_model(self, spec: str | None) -> Task:
        from desktop_app.core.models import load_model, resolve_spec

        paths, device, store = self.paths, self.device, self.store

        def work(report, _cancel):
            from desktop_app.core.adapters import attach_active
            from desktop_app.core.memory import settle_heap

            source = resolve_spec(spec)
            if source.notice:
                report(("model-notice", source.notice))
            loaded = load_model(source, paths, device,
                                progress=lambda stage, done, total: report(("progress", stage, done, total)))
            loaded.training_tokenizer()  # now, not as a stall when the person clicks Fine-tune
            if store.active_adapter(loaded.model_id) is not None:
                report(("progress", "Putting on your fine-tuned adapter", 0, 0))
                attach_active(loaded, store)  # the adapter the person chose last time
            settle_heap()  # load_model set the model aside; this adds the spare tokenizer and adapter
            return loaded

        self.loading = True
        task = Task(work, "load model")
        task.signals.progress.connect(self._load_progress)
        task.signals.finished.connect(self._loaded)
        task.signals.failed.connect(self._load_failed)
        self.model_progress.emit("Finding the model", 0, 0)
        return self.runner.start(task)

    def _load_progress(self, item) -> None:
        if item[0] == "notice":
            self.notice.emit(item[1])
        elif item[0] == "model-notice":
            self.model_notice.emit(item[1])
        else:
            self.model_progress.emit(*item[1:])

    def _loaded(self, loaded) -> None:
        self.loading = False
        replaced, self.loaded = self.loaded, loaded
        self.score_cache.clear()
        self.model_loaded.emit(loaded)
        if replaced is not None and replaced is not loaded:
            del replaced
            self._free_replaced_model()
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._start_answer(*pending)

    def _free_replaced_model(self) -> None:
        """A replaced model sits in frozen reference cycles (core.memory.settle_heap): set
        its memory free on a worker, once nothing here points at it any more."""
        from desktop_app.core.memory import sweep_heap

        self.runner.start(Task(lambda _report, _cancel: sweep_heap(including_settled=True), "free the old model"))

    def _load_failed(self, message: str) -> None:
        self.loading = False
        self.pending = None
        self.model_failed.emit(message)

    @property
    def adapter_label(self) -> str:
        adapter = getattr(self.loaded, "adapter_id", None)
        return "base" if adapter is None else f"adapter {adapter}"

    # ------------------------------------------------------------ adapters
    def sync_adapter(self) -> None:
        """Put the store's active adapter on the chat model (or take it off), on a worker
        thread and between answers: while an answer streams, the switch waits for its end."""
        if self.loaded is None:
            return
        if self.generating or self.switching:
            self._switch_queued = True
            return
        from desktop_app.core.adapters import attach_active

        loaded, store = self.loaded, self.store
        self.switching = True

        def work(_report, _cancel):
            attach_active(loaded, store)
            return loaded.adapter_id

        task = Task(work, "switch adapter")
        task.signals.finished.connect(self._switched)
        task.signals.failed.connect(self._switch_failed)
        self.runner.start(task)

    def _switched(self, adapter_id) -> None:
        self.switching = False
        self.score_cache.clear()
        self.adapter_changed.emit(adapter_id)
        self._after_switch()

    def _switch_failed(self, message: str) -> None:
        self.switching = False
        self.error.emit(f"The adapter could not be switched. {message}")
        self.adapter_changed.emit(getattr(self.loaded, "adapter_id", None))
        self._after_switch()

    def _after_switch(self) -> None:
        if self._switch_queued:
            self._switch_queued = False
            self.sync_adapter()
        elif self.pending is not None:
            pending, self.pending = self.pending, None
            self._start_answer(*pending)

    # ------------------------------------------------------------ conversations
    def conversations(self, search: str = "") -> list[dict]:
        return self.store.list_conversations(search or None)

    def open_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.choice = {}
        self.reload()

    def reload(self) -> None:
        self.messages = self.store.messages(self.conversation_id) if self.conversation_id else []
        self.thread_changed.emit()

    def new_conversation(self) -> int:
        cid = self.store.create_conversation(DEFAULT_TITLE)
        self.open_conversation(cid)
        self.conversations_changed.emit()
        return cid

    def _unique_title(self, text: str) -> str:
        return unique_title(short_title(text), [c["title"] for c in self.store.list_conversations()])

    def rename(self, conversation_id: int, title: str) -> None:
        self.store.rename_conversation(conversation_id, title)
        self.conversations_changed.emit()

    def delete(self, conversation_id: int) -> None:
        self.store.delete_conversation(conversation_id)
        if conversation_id == self.conversation_id:
            self.open_conversation(None)
        self.conversations_changed.emit()

    # ------------------------------------------------------------ the shown thread
    def children(self, parent_id) -> list[dict]:
        return [m for m in self.messages if m["parent_id"] == parent_id]

    def thread(self) -> list[dict]:
        """The branch on screen: from the root, the chosen (default: newest) child each step."""
        path, parent, seen = [], None, set()
        while True:
            kids = self.children(parent)
            if not kids:
                return path
            chosen = next((k for k in kids if k["id"] == self.choice.get(parent)), kids[-1])
            if chosen["id"] in seen:  # pragma: no cover - defensive against bad data
                return path
            seen.add(chosen["id"])
            path.append(chosen)
            parent = chosen["id"]

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

    # ------------------------------------------------------------ asking
    @property
    def generating(self) -> bool:
        return self.generation_task is not None

    def send(self, text: str) -> bool:
        text = text.strip()
        if not text or self.generating:
            return False
        if self.conversation_id is None:
            self.conversation_id = self.store.create_conversation(self._unique_title(text))
        elif not self.messages and self.store.get_conversation(self.conversation_id)["title"] == DEFAULT_TITLE:
            self.store.rename_conversation(self.conversation_id, self._unique_title(text))
        thread = self.thread()
        parent = thread[-1]["id"] if thread else None
        user_id = self.store.add_message(self.conversation_id, "user", text, parent_id=parent)
        self.choice[parent] = user_id
        self.reload()
        self.conversations_changed.emit()
        self._start_answer(user_id, [], None)
        return True

    def resend_edited(self, message_id: int, text: str) -> bool:
        """An edited copy of one of the person's messages, as its sibling (a new branch), answered."""
        text = text.strip()
        old = self.store.get_message(message_id)
        if not text or self.generating or old["role"] != "user" or old["conversation_id"] != self.conversation_id:
            return False
        new_id = self.store.add_message(self.conversation_id, "user", text, parent_id=old["parent_id"])
        self.choice[old["parent_id"]] = new_id
        self.reload()
        self.conversations_changed.emit()
        self._start_answer(new_id, [], None)
        return True

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
        prefix = [r.id for r in self.records(message_id)[:index]] + [int(token_id)]
        self._start_answer(answer["parent_id"], prefix, index)
        return True

    def stop(self) -> None:
        if self.generation_task is not None:
            self.generation_task.cancel.set()
        self.pending = None

    def _start_answer(self, user_id: int, prefix_ids: list[int], branched_at) -> None:
        if self.switching and self.loaded is not None:
            self.pending = (user_id, prefix_ids, branched_at)  # answered once the switch is done
            return
        if self.loaded is None:
            self.pending = (user_id, prefix_ids, branched_at)
            self.notice.emit("The answer starts as soon as the model has loaded.")
            if not self.loading:
                self.error.emit("No model is loaded: choose one with the model button.")
            return
        # the thread up to this prompt: the chosen path, cut at the prompt
        self.choice[self.store.get_message(user_id)["parent_id"]] = user_id
        turns = []
        for m in self.thread():
            turns.append(Turn(m["role"], m["text"]))
            if m["id"] == user_id:
                break
        user = self.store.get_message(user_id)
        loaded, store, conversation_id = self.loaded, self.store, self.conversation_id
        settings, system = replace(self.settings), self.system or None

        def work(report, cancel):
            prompt = build_prompt(loaded.tokenizer, [t for t in turns if t.role in ("user", "assistant")],
                                  system=system, context_window=loaded.context_window,
                                  max_new_tokens=settings.max_new_tokens)
            if prompt.notice:
                report(("notice", prompt.notice))
            run = replace(settings, max_new_tokens=prompt.max_new_tokens)
            generation = Generation(loaded, prompt.ids, run, cancel=cancel, prefix_ids=prefix_ids,
                                    stop_sequences=prompt.stop_sequences)
            for record in generation:
                report(("token", record))
            if not generation.records:
                return {"message_id": None, "finish_reason": generation.finish_reason}
            saved = dict(run.to_dict(), seed=generation.seed, finish_reason=generation.finish_reason,
                         tokens_per_s=round(generation.tokens_per_s, 2), branched_at=branched_at,
                         system=system or "")
            message_id = store.add_message(conversation_id, "assistant", generation.text, parent_id=user_id,
                                           model_id=loaded.model_id, adapter_id=loaded.adapter_id,
                                           settings=saved, records=generation.records)
            return {"message_id": message_id, "finish_reason": generation.finish_reason,
                    "tokens_per_s": generation.tokens_per_s, "tokens": len(generation.records)}

        task = Task(work, "generate")
        self.generation_task = task
        task.signals.progress.connect(self._gen_progress)
        task.signals.finished.connect(lambda result, t=task: self._gen_finished(t, result))
        task.signals.failed.connect(lambda message, t=task: self._gen_failed(t, message))
        self.stream_started.emit(user)
        self.generating_changed.emit(True)
        self.runner.start(task)

    def _gen_progress(self, item) -> None:
        if item[0] == "token":
            self.throttle.push(item[1])
        else:
            self.notice.emit(item[1])

    def _gen_finished(self, task: Task, result: dict) -> None:
        self.throttle.flush()
        self.generation_task = None
        if result.get("message_id") is not None:
            message = self.store.get_message(result["message_id"])
            self.choice[message["parent_id"]] = message["id"]
            self.messages = self.store.messages(self.conversation_id)
        self.generating_changed.emit(False)
        self.answer_finished.emit(result)
        self.thread_changed.emit()
        self.conversations_changed.emit()
        if self._switch_queued:
            self._switch_queued = False
            self.sync_adapter()

    def _gen_failed(self, task: Task, message: str) -> None:
        self.throttle.flush()
        self.generation_task = None
        self.generating_changed.emit(False)
        self.error.emit(message)
        self.answer_finished.emit(None)
        self.thread_changed.emit()
        if self._switch_queued:
            self._switch_queued = False
            self.sync_adapter()

    # ------------------------------------------------------------ prompt scoring
    def score_prompt(self, message: dict) -> None:
        if self.loaded is None:
            return
        key = (message["id"], self.loaded.model_id, self.loaded.adapter_id)
        if key in self.score_cache:
            prefix, records = self.score_cache[key]
            self.prompt_scored.emit(message["id"], prefix, records)
            return
        loaded, text = self.loaded, message["text"]

        def work(_report, _cancel):
            from desktop_app.core.scoring import score_text

            ids, records = score_text(loaded, text)
            joined = joined_text(records)
            prefix = text[: len(text) - len(joined)] if joined and text.endswith(joined) else \
                loaded.tokenizer.decode(ids[:1])
            return prefix, records

        task = Task(work, "score prompt")

        def done(result, key=key, mid=message["id"]):
            self.score_cache[key] = result
            self.prompt_scored.emit(mid, result[0], list(result[1]))

        task.signals.finished.connect(done)
        task.signals.failed.connect(self.error)
        self.runner.start(task)

    def shutdown(self) -> None:
        self.stop()
        self.runner.shutdown()
