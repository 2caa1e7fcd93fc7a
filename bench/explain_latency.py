"""How long "Why this token?" takes from the click to the layer grid on screen, in the real
window with the bundled model, in the situations where it waited behind other work on the
model lane (user test 7: "Reading the layers..." for 15-60 s, while the grid itself costs a
fraction of a CPU-second).

Each situation is set up, then the script clicks a token of the first answer and "Explain this
token", and measures the wall time and the process's CPU time until the grid is shown
(``ExplainView.partial``). Every task on the model lane is logged with when it was queued,
started and ended (relative to the click), so the log says what the request waited behind.

Situations:
  idle       nothing else on the model lane
  streaming  a second answer is being written (up to --stream-tokens tokens)
  explained  the previous token's attribution (minutes on a CPU) is running; the person
             clicks another token and Explain
  analysing  the Text tab analyses a long text (--text-repeats sentences, ~40 tokens each)
  continuing the Text tab writes a continuation (up to --stream-tokens tokens)
  scoring    "Score my prompts" ticked on a conversation of --prompts long prompts: their
             scorings are queued on the lane

Each situation runs twice in one process, one after the other under the same load: "before"
(the request as one ordinary task at the back of the lane, as the window asked for it before
urgent tasks: ``old_explain``) and "after" (the window's own request: an urgent layers task,
then the attribution).

    QT_QPA_PLATFORM=offscreen python bench/explain_latency.py [--situations idle streaming ...]
        [--model SPEC] [--stream-tokens 160] [--ways before after] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GPT2_DESK_DATA_DIR", tempfile.mkdtemp(prefix="explain-latency-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LONG_PROMPT = ("Here are my notes on the history of lighthouses, the keepers who lived in them and the lamps they "
               "tended through the long winter nights along the northern coast. ") * 6
LONG_TEXT = ("The harbour town woke slowly. Fishing boats came in with the tide, gulls argued over the nets, and the "
             "baker on the corner opened his shutters while the first bus of the day turned at the square. ")
WAIT_S = 600


class LaneLog:
    """When each model-lane task was queued, started and ended, relative to ``t0``."""

    def __init__(self, lane):
        self.rows: list[dict] = []
        self.t0 = time.perf_counter()
        original_submit = lane.submit

        def submit(task):
            row = {"task": task.name, "queued": self.now()}
            self.rows.append(row)
            fn = task.fn

            def timed(report, cancel):
                row["restarted" if "started" in row else "started"] = self.now()  # a restartable task runs again
                try:
                    return fn(report, cancel)
                finally:
                    row["ended"] = self.now()

            task.fn = timed
            return original_submit(task)

        lane.submit = submit

    def now(self) -> float:
        return round(time.perf_counter() - self.t0, 3)

    def since(self, t0: float) -> list[dict]:
        """The rows of tasks still around at ``t0`` (relative), times relative to ``t0``."""
        out = []
        for row in self.rows:
            if row.get("ended", 1e9) < t0:
                continue
            out.append({k: (round(v - t0, 3) if isinstance(v, float) else v) for k, v in row.items()})
        return out


def old_explain(chat, make_context, on_success, on_failure, on_cancelled, on_progress):
    """The request as the window made it before urgent tasks: one task, queued last."""
    from desktop_app.gui.chat_reads import ExplainRun
    from desktop_app.gui.tasks import Task

    def work(report, cancel):
        from desktop_app.core.explain import explain

        loaded = chat.loaded
        return explain(loaded, make_context(loaded), cancel=cancel, report=report)

    run = ExplainRun(chat.lane)
    run.task = chat.lane.submit(Task(work, "explain token", "explain", on_success=on_success, on_progress=on_progress,
                                     on_failure=on_failure, on_cancelled=on_cancelled))
    return run


def wait_until(app, condition, timeout_s: float = WAIT_S) -> None:
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("timed out")
        app.processEvents()
        time.sleep(0.002)


def open_window(app, model: str | None, max_new: int):
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import MainWindow, open_settings

    paths = AppPaths.resolve().ensure()
    open_settings(paths).setValue("mode", "chat")
    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, model_spec=model, device="cpu")
    window.resize(1280, 800)
    window.popover.max_new.setValue(max_new)
    window.popover.seed.setValue(3)
    window.show()
    wait_until(app, lambda: window.chat.loaded is not None and not window.chat.lane.busy and not window.text.opening)
    if window.text.document_id is None:  # a continuation goes into the Text tab's open text
        window.text.open_document()
        wait_until(app, lambda: window.text.document_id is not None)
    return window, store


def ask(app, window, text: str, *, wait: bool = True) -> None:
    done = []
    window.chat.answer_finished.connect(lambda result: done.append(result))
    window.prompt.setPlainText(text)
    window.send()
    if wait:
        wait_until(app, lambda: bool(done))


def answers(window):
    return [c for c in window.transcript.cards if c.role == "assistant"]


def click_explain(app, window, card, index: int, timeout_s: float = WAIT_S) -> dict:
    """Select token ``index`` of ``card``, press Explain: seconds (wall, CPU) until the grid shows."""
    view = window.inspector.explain
    card.view.select_token(index)
    window.show_token(card, index)
    app.processEvents()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    view.button.click()
    try:
        wait_until(app, lambda: view.partial is not None, timeout_s)
    except TimeoutError:
        return {"wall_s": None, "cpu_s": None, "clicked_at": wall0, "status": view.status.text()}
    return {"wall_s": round(time.perf_counter() - wall0, 3), "cpu_s": round(time.process_time() - cpu0, 3),
            "clicked_at": wall0}


def settle(app, window) -> None:
    """Nothing left on the model lane (what runs is stopped)."""
    window.inspector.explain.stop()
    window.chat.stop()
    wait_until(app, lambda: not window.chat.lane.busy)


def situation(name: str, app, window, log: LaneLog, args) -> dict:
    first = answers(window)[0]
    index = min(3, len(first.records) - 1)
    if name == "streaming":
        streamed = []
        window.chat.throttle.flushed.connect(lambda batch: streamed.extend(batch))
        window.popover.max_new.setValue(args.stream_tokens)
        ask(app, window, "Describe a walk through a forest in autumn.", wait=False)
        wait_until(app, lambda: len(streamed) >= 4)  # the answer is streaming
    elif name == "explained":
        click_explain(app, window, first, index)  # its attribution runs on
        index = max(0, index - 1)
    elif name == "analysing":  # the Text tab's analysis of a long text (after an edit, a load, an adapter switch)
        window.text.previous = None  # no windows of an earlier run to reuse: the same work each time
        window.text.analyse(LONG_TEXT * args.text_repeats)
        wait_until(app, lambda: window.chat.lane.running is not None)
    elif name == "continuing":  # the Text tab writes a continuation; the chat's tokens can be explained meanwhile
        window.popover.max_new.setValue(args.stream_tokens)
        window.text.continue_text("The lighthouse keeper climbed the stairs and")
        wait_until(app, lambda: window.chat.lane.running is not None and window.chat.lane.running.kind == "continue")
    elif name == "scoring":  # "Score my prompts" on a conversation with long prompts
        while len(answers(window)) < 1 + args.prompts:  # asked once: each way scores the same prompts
            ask(app, window, LONG_PROMPT + "Summarise the notes above in one sentence.")
        window.chat.score_cache.clear()
        first = answers(window)[0]
        window.legend.score_prompts.setChecked(True)
        wait_until(app, lambda: window.chat.lane.running is not None)
    measured = click_explain(app, window, first, index, args.timeout)
    rows = log.since(measured.pop("clicked_at") - log.t0)
    finished_answer = None
    if name == "streaming":
        finished_answer = answers(window)[-1] if len(answers(window)) > 1 else None
    settle(app, window)
    if name in ("streaming", "continuing"):
        window.popover.max_new.setValue(args.max_new)
    if name == "scoring":
        window.legend.score_prompts.setChecked(False)
    out = {"situation": name, **measured, "lane": rows}
    if finished_answer is not None:
        out["streamed_tokens_at_end"] = len(finished_answer.records)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--situations", nargs="+", default=["idle", "streaming", "explained"])
    parser.add_argument("--model", default=None, help="model spec (default: the window's own choice)")
    parser.add_argument("--max-new", type=int, default=24)
    parser.add_argument("--stream-tokens", type=int, default=160)
    parser.add_argument("--text-repeats", type=int, default=60, help="the analysed text: this many sentences")
    parser.add_argument("--prompts", type=int, default=3, help="long prompts to score (scoring)")
    parser.add_argument("--ways", nargs="+", default=["before", "after"], choices=["before", "after"])
    parser.add_argument("--json", default=None)
    parser.add_argument("--timeout", type=float, default=WAIT_S, help="seconds to wait for the grid")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, dark=False)
    window, store = open_window(app, args.model, args.max_new)
    log = LaneLog(window.chat.lane)
    ask(app, window, "What is the capital of France?")
    results = []
    new_explain = type(window.chat)._explain
    for name in args.situations:
        for way in args.ways:
            window.chat._explain = (new_explain.__get__(window.chat) if way == "after" else
                                    lambda *a, **k: old_explain(window.chat, *a, **k))
            result = dict(situation(name, app, window, log, args), way=way)
            results.append(result)
            print(f"{name} {way}: click -> grid {result['wall_s']} s wall, {result['cpu_s']} CPU-s (process)"
                  f" {result.get('status', '')}", flush=True)
            for row in result["lane"]:
                print("    ", row, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    window.chat.shutdown()
    window.close()
    store.close()


if __name__ == "__main__":
    main()
