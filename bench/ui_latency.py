"""How responsive the window stays.

1. ``event_loop_gap_streaming``: the longest gap between ticks of a 5 ms QTimer on the GUI
   thread while a 200-token answer streams into the real main window (GPT-2-124M shape,
   GPT2Config() defaults, random weights, the tests' tiny byte-level tokenizer), on a worker
   thread. Target: under 50 ms.
2. ``event_loop_gap_training``: the same, while a fine-tune (LoRA on a separate copy of the
   same GPT-2-124M-shaped model, on the ratings of the answers above) runs on its worker thread:
   the answer is sent once the training loop is at its first step; the longest gap from then
   until the answer is complete. Target: under 50 ms.
3. ``heatmap_layout_2000``: the time to put a 2,000-token answer (coloured spans with
   tooltips, top-10 alternatives) into the window's TokenView and lay it out. Target: under 100 ms.

    QT_QPA_PLATFORM=offscreen python bench/ui_latency.py [--tokens 200] [--rounds 3] [--no-training]
        [--model bundled]   (a real model through the app's own loader instead of random GPT-2)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from _window import load_model, open_window, stop_finetune

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def gpt2_124m_random():
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from desktop_app.core.model_sources import ModelSource
    from desktop_app.core.models import LoadedModel
    from tiny_model import build_tiny_model

    tok_dir = build_tiny_model(Path(tempfile.mkdtemp()) / "tok")
    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    torch.manual_seed(0)
    config = GPT2Config()  # GPT-2 124M shape; eos far outside the tiny vocab's ids
    model = GPT2LMHeadModel(config).eval()
    # a real folder, so the fine-tune loads its own copy of this very model
    folder = Path(tempfile.mkdtemp(prefix="gpt2-124m-random-"))
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    source = ModelSource("folder", "bench:gpt2-124m-random", str(folder), "gpt2-124m-random")
    return LoadedModel(model, tokenizer, source, folder, torch.device("cpu"), torch.float32, 1024)


def measure_streaming(app, window, tokens: int) -> tuple[float, int, float]:
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    result = {}

    def finished(r):
        result.update(r or {})
        loop.quit()

    window.chat.answer_finished.connect(finished)
    first = []
    window.chat.tokens.connect(lambda _batch: first or first.append(time.perf_counter()))
    window.popover.max_new.setValue(tokens)
    window.popover.greedy.setChecked(False)
    window.popover.top_k.setValue(0)
    window.popover.top_p.setValue(1.0)
    window.popover.temperature.setValue(1.0)
    window.prompt.setPlainText("Tell me a long story about the sea.")
    timer.start()
    ticks.append(time.perf_counter())
    window.send()
    loop.exec()
    timer.stop()
    window.chat.answer_finished.disconnect(finished)
    gaps = [(b - a, a) for a, b in zip(ticks, ticks[1:])]
    gap, at = max(gaps)
    start = first[0] if first else ticks[0]
    during = max((g for g, a in gaps if a >= start), default=0.0)
    print(f"    longest gap {gap * 1000:.1f} ms at {1000 * (at - ticks[0]):.0f} ms after send "
          f"(first token at {1000 * (start - ticks[0]):.0f} ms); longest once tokens flow: {during * 1000:.1f} ms")
    return gap * 1000, result.get("tokens", 0), result.get("tokens_per_s", 0.0)


def measure_training(app, window, tokens: int) -> float:
    """Stream an answer while a fine-tune's training loop runs; the longest gap meanwhile."""
    from PySide6.QtCore import QEventLoop, QTimer

    from desktop_app.core.train_settings import FineTuneSettings

    store = window.chat.store
    for conversation in store.list_conversations():
        for m in store.messages(conversation["id"]):
            if m["role"] == "assistant":
                store.rate_message(m["id"], 1 if m["id"] % 2 else -1)
    window.writer.recount()
    window.writer.wait()
    app.processEvents()
    panel = window.finetune_panel
    panel.set_settings(FineTuneSettings(max_steps=400, min_steps=400, heldout_fraction=0.0, reask_count=1,
                                        reask_tokens=4, batch_size=4))
    window.show_finetune()  # the panel is on screen (and painted once) when the button is clicked
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    state = {"sent": None, "done": None, "steps": 0}

    phases: list[tuple[float, str]] = []

    def progress(p):
        if not phases or phases[-1][1] != (p.message or p.phase):
            phases.append((time.perf_counter(), p.message or p.phase))
        if p.phase == "training" and p.step:
            state["steps"] = p.step
            if state["sent"] is None:
                state["sent"] = time.perf_counter()
                window.prompt.setPlainText("And now tell me about the mountains.")
                window.send()

    def finished(_r):
        state["done"] = time.perf_counter()
        loop.quit()

    window.finetune.progress.connect(progress)
    window.chat.answer_finished.connect(finished)
    window.popover.max_new.setValue(tokens)
    timer.start()
    start = time.perf_counter()
    ticks.append(start)
    if not panel.start():
        raise SystemExit("the fine-tune did not start")
    loop.exec()
    timer.stop()
    steps_during = state["steps"]
    window.chat.answer_finished.disconnect(finished)
    window.finetune.progress.disconnect(progress)
    stop_finetune(window)
    gaps = [(b - a, a) for a, b in zip(ticks, ticks[1:])]
    during = max((g for g, a in gaps if state["sent"] <= a <= state["done"]), default=0.0)
    before, before_at = max(((g, a) for g, a in gaps if a < state["sent"]), default=(0.0, start))
    where = next((name for t, name in reversed(phases) if t <= before_at), "starting")
    print(f"    training loop reached step 1 at {state['sent'] - start:.1f} s (longest gap while the fine-tune "
          f"prepared: {before * 1000:.1f} ms, during \u201c{where}\u201d); answer streamed in "
          f"{state['done'] - state['sent']:.1f} s while training reached step {steps_during}")
    return during * 1000


def synthetic_records(n: int):
    from desktop_app.core.records import Alternative, TokenRecord

    words = [" the", " model", " was", " quite", " sure", " about", " this", ",", " but", " not", " that", ".",
             "\n", " token", " probability", " entropy", " and", " rank", " of", " a"]
    rng = random.Random(0)
    records = []
    for i in range(n):
        probs = sorted((rng.random() for _ in range(10)), reverse=True)
        total = sum(probs) * 1.3
        top = tuple(Alternative(rng.randrange(50000), rng.choice(words), p / total) for p in probs)
        chosen = rng.randrange(10)
        records.append(TokenRecord(top[chosen].id, top[chosen].text, __import__("math").log(top[chosen].prob),
                                   chosen + 1 + rng.choice([0, 0, 0, 20, 300, 3000]), rng.random() * 6, top))
    return records


def measure_layout(app, window, records) -> float:
    from desktop_app.gui.message_card import MessageCard

    card = window.transcript.add_card(MessageCard("assistant", None, title="bench"))
    app.processEvents()
    start = time.perf_counter()
    card.view.set_records(records)
    card.view.document().documentLayout().documentSize()  # forces the layout
    card.view.document().size()
    elapsed = (time.perf_counter() - start) * 1000
    window.transcript.remove_card(card)
    app.processEvents()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-training", action="store_true", help="skip event_loop_gap_training")
    parser.add_argument("--model", help="a model spec loaded by the app's loader (default: random GPT-2 124M)")
    args = parser.parse_args()

    app, _paths, window = open_window("ui-latency-")
    app.processEvents()
    if args.model:
        if not load_model(window, args.model):
            return 1
        print(f"  model: {window.chat.loaded.describe()}")
    else:
        from desktop_app.core.memory import settle_heap

        loaded = gpt2_124m_random()
        loaded.training_tokenizer()  # as the app's loader does
        settle_heap()  # as load_model does
        window.use_model(loaded)
    window.set_mode("chat")  # a model without chat template opens the Text tab; this measures the chat
    gaps = []
    for round_ in range(args.rounds):
        gap, n, tps = measure_streaming(app, window, args.tokens)
        gaps.append(gap)
        print(f"  streaming round {round_ + 1}: {n} tokens at {tps:.1f} tokens/s, longest gap {gap:.1f} ms")
    training_gap = None
    if not args.no_training:
        training_gap = measure_training(app, window, args.tokens)
    records = synthetic_records(2000)
    layouts = [measure_layout(app, window, records) for _ in range(args.rounds)]
    print(f"  layout rounds: {', '.join(f'{t:.1f}' for t in layouts)} ms")
    window.chat.shutdown()
    window.close()
    window.chat.store.close()
    print(f"event_loop_gap_streaming: {max(gaps):.0f} ms")
    if training_gap is not None:
        print(f"event_loop_gap_training: {training_gap:.0f} ms")
    print(f"heatmap_layout_2000: {statistics.median(layouts):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
