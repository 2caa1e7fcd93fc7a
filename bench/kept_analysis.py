"""A long text in the Text tab: its colours at the next start, and a chat question during its analysis.

In the real window (offscreen), a GPT-2-124M-shaped model (random weights, the test suite's
byte-level tokenizer) saved to a folder and loaded by the app's own loader, a text of --tokens tokens:

1. Time to colours on a later start: a start opens the window on the same data folder, loads the
   model and waits until the text it reopens is coloured (``TextController.analysed``). "cold": the
   kept analyses' file (core/analysis_cache.py) moved away first, so the text is scored, as every start
   did before; "cached": the file is there. Starts alternate cold, cached for --rounds rounds.
2. Time for a chat answer to begin while the long text is analysed: an edit at the text's start (the
   whole text scored again) starts a new analysis; once
   its first pass is done a question is sent in Chat, and the time from Send to the answer's first token
   is taken. "before": the answer queued as an ordinary task behind the analysis (as the window asked for
   it before); "after": the window's own request (``passes_restartable``: it stops the analysis, which goes
   on after it from the part it had done). Also the analysis's whole time in each way.

   --question-at-tokens N: the question is sent once the analysis has passed N tokens (1100: inside the first
   window after the model's first 1024, a pass that hears a stop between its layers) instead of after its first
   pass. --stopped-pass adds the way "after_thrown": as "after", but the stopped pass's layers thrown away as
   before textdocs62 (``scoring._resumable`` a no-op), so the pass runs whole again after the answer;
   ``analysis_stopped_pass_kept_ratio``: the analysis's time after / after_thrown.

Both ways of each measure run in this one process, one after the other, under the same load.

    python bench/kept_analysis.py [--tokens 3000] [--rounds 2] [--answer-rounds 1] [--new-tokens 8] [--json out.json]
        [--question-at-tokens 1100] [--stopped-pass] [--thrown-first]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402  (the repository and tests/ on the path)

WAIT_S = 900
SENTENCE = "The harbour town woke slowly; boats came in with the tide and gulls argued over the nets. "


def model_folder() -> Path:
    """GPT-2 124M's shape with random weights and the tiny tokenizer, saved where the app's loader reads it."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from tiny_model import build_tiny_model

    folder = build_tiny_model(Path(tempfile.mkdtemp(prefix="kept-analysis-model-")))
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config()).eval().save_pretrained(folder, safe_serialization=True)
    return folder


def text_of(folder: Path, tokens: int) -> str:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    text = SENTENCE
    while len(tokenizer.encode(text)) < tokens:
        text += SENTENCE
    return text


def wait_for(app, done, timeout_s: float = WAIT_S) -> bool:
    end = time.perf_counter() + timeout_s
    while not done() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)
    return done()


def a_start(data: Path, folder: Path, text: str | None = None):
    """A start of the window on ``data`` with the model at ``folder``: (app, window, seconds to colours from
    the start, seconds to colours from the model loaded). ``text``: typed into the Text tab first (the first
    start, which makes the text)."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.app import make_app
    from desktop_app.gui.main_window import MainWindow

    app = make_app(dark=False)
    t0 = time.perf_counter()
    paths = AppPaths.resolve(data).ensure()
    window = MainWindow(Store.open(paths.db_path), paths, autoload=False)
    window.resize(1280, 800)
    window.show()
    window.set_mode("text")
    coloured, loaded = [], []
    window.text.analysed.connect(lambda *_a: coloured.append(time.perf_counter()))
    window.chat.model_loaded.connect(lambda _m: loaded.append(time.perf_counter()))
    window.load_model(str(folder))
    wait_for(app, lambda: window.chat.loaded is not None and not window.text.opening)
    if text is not None:
        window.text_view.editor.setPlainText(text)
        window.text_view.flush_edit()
    wait_for(app, lambda: bool(coloured) and not window.text.lane.find("analyse"))
    window.chat.tasks.store.wait(60)  # the kept analysis written
    return app, window, (coloured[-1] - t0, coloured[-1] - loaded[0])


def closed(window) -> None:
    window.ask_before_quit = False
    window.close()
    window.text.store.close()


def measure_starts(data: Path, folder: Path, rounds: int) -> dict:
    from desktop_app.core.analysis_cache import cache_file
    from desktop_app.core.paths import AppPaths

    cache = cache_file(AppPaths.resolve(data).db_path)
    times: dict[str, list[tuple[float, float]]] = {"cold": [], "cached": []}
    for _ in range(rounds):
        for way in ("cold", "cached"):
            if way == "cold":  # as every start did before: no kept analysis (moved away, then back)
                shutil.move(str(cache), str(cache) + ".away")
            _app, window, seconds = a_start(data, folder)
            closed(window)
            if way == "cold":
                Path(str(cache) + ".away").replace(cache)
            times[way].append(seconds)
            print(f"  start, {way}: {seconds[0]:.2f} s to colours ({seconds[1]:.2f} s after the model loaded)",
                  flush=True)
    return times


def measure_answer_start(app, window, text: str, way: str, new_tokens: int,
                         at_tokens: int = 0) -> tuple[float, float]:
    """(seconds from Send to the answer's first token, seconds of the analysis) while a long analysis runs;
    the question sent after the analysis's first pass, or once it passed ``at_tokens``."""
    import contextlib

    from desktop_app.core import scoring

    lane, resumable = window.chat.lane, scoring._resumable
    if way == "before":  # the answer as an ordinary task at the lane's end, as the window asked before
        submit = lane.submit
        lane.submit = lambda task: submit(_ordinary(task))
    if way == "after_thrown":  # a stopped pass's layers thrown away, as before textdocs62
        scoring._resumable = lambda *_a: contextlib.nullcontext()
    runs, hooks = count_layer_runs(window.chat.loaded.model)
    started, cpu, first_token, analysed = time.perf_counter(), time.process_time(), [], []
    window.text.analysed.connect(lambda *_a: analysed.append((time.perf_counter(), time.process_time())))
    window.set_mode("text")
    progress = []
    window.text.analyse_progress.connect(lambda p: progress.append(p))
    window.text_view.editor.setPlainText(text)  # a text not kept yet, changed from its start: scored whole
    window.text_view.flush_edit()
    wait_for(app, lambda: any(p.stage == "scoring" and p.done >= at_tokens for p in progress))
    window.set_mode("chat")
    window.chat.tokens.connect(lambda _batch: first_token.append(time.perf_counter()) if not first_token else None)
    window.popover.max_new.setValue(new_tokens)
    window.prompt.setPlainText("Tell me about the harbour.")
    sent = time.perf_counter()
    window.send()
    wait_for(app, lambda: bool(first_token) and bool(analysed) and not lane.busy)
    if way == "before":
        lane.submit = submit
    scoring._resumable = resumable
    for hook in hooks:
        hook.remove()
    print(f"  {way}: {len(runs)} transformer layers run, {analysed[-1][1] - cpu:.2f} CPU s to the analysis's end "
          "(the answer's too)", flush=True)
    return first_token[0] - sent, analysed[-1][0] - started


def count_layer_runs(model) -> tuple[list, list]:
    """(a list that grows by one for each layer the model runs from now on, the hooks to remove): counted by
    the layers' attention, which a layer a stopped pass kept does not run."""
    from desktop_app.core.cancel_hooks import blocks

    runs: list = []
    return runs, [layer.attn.register_forward_hook(lambda *_a: runs.append(1)) for layer in blocks(model)]


def warm_up_answer(app, window, new_tokens: int) -> None:
    window.set_mode("chat")
    window.popover.max_new.setValue(new_tokens)
    finished = []
    window.chat.answer_finished.connect(lambda _a: finished.append(True))
    window.prompt.setPlainText("Good morning.")
    window.send()
    wait_for(app, lambda: bool(finished) and not window.chat.lane.busy)


def _ordinary(task):
    task.passes_restartable = False
    return task


def print_figures(starts: dict, answers: dict) -> None:
    """The medians and their ratios, one ``name: value`` line each."""
    for part, name in ((0, ""), (1, "_after_load")):
        cold = _common.median([t[part] for t in starts["cold"]])
        cached = _common.median([t[part] for t in starts["cached"]])
        _common.figure(f"colours_second_start{name}_cold_s", cold)
        _common.figure(f"colours_second_start{name}_cached_s", cached)
        _common.figure(f"colours_second_start{name}_ratio", cached / cold, 3)
    begins = {way: _common.median([a for a, _ in runs]) for way, runs in answers.items()}
    for way, runs in answers.items():
        _common.figure(f"answer_begins_during_analysis_{way}_s", begins[way])
        _common.figure(f"analysis_with_question_{way}_s", _common.median([b for _, b in runs]))
    _common.figure("answer_begins_ratio", begins["after"] / begins["before"], 3)
    if "after_thrown" in answers:
        analysis = {way: _common.median([b for _, b in runs]) for way, runs in answers.items()}
        _common.figure("analysis_stopped_pass_kept_ratio", analysis["after"] / analysis["after_thrown"], 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--answer-rounds", type=int, default=1)
    parser.add_argument("--new-tokens", type=int, default=8)
    parser.add_argument("--json")
    parser.add_argument("--question-at-tokens", type=int, default=0)
    parser.add_argument("--stopped-pass", action="store_true")
    parser.add_argument("--thrown-first", action="store_true", help="after_thrown before after (an order's effect)")
    args = parser.parse_args()
    print(_common.load_average(), flush=True)
    folder = model_folder()
    text = text_of(folder, args.tokens)
    data = Path(tempfile.mkdtemp(prefix="kept-analysis-data-"))
    app, window, first = a_start(data, folder, text)
    print(f"  first start (types the text, {args.tokens:,} tokens): {first[0]:.2f} s to colours", flush=True)
    closed(window)
    starts = measure_starts(data, folder, args.rounds)
    app, window, _seconds = a_start(data, folder)
    warm_up_answer(app, window, args.new_tokens)  # the decode team is chosen once per model: not in a measure
    ways = ("before", "after_thrown", "after") if args.thrown_first else ("before", "after", "after_thrown")
    answers = {way: [] for way in ways if args.stopped_pass or way != "after_thrown"}
    for n in range(args.answer_rounds):
        for way in answers:
            changed = f"Round {n}, the {way} way. {text}"
            answers[way].append(measure_answer_start(app, window, changed, way, args.new_tokens,
                                                     args.question_at_tokens))
            print(f"  {way}: the answer began {answers[way][-1][0]:.2f} s after Send; the analysis took "
                  f"{answers[way][-1][1]:.2f} s", flush=True)
    closed(window)
    print_figures(starts, answers)
    print(_common.load_average(), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"starts": starts, "answers": answers, "tokens": args.tokens}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
