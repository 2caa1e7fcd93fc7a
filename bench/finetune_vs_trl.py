"""Our fine-tune vs HF TRL's KTOTrainer at the same compute budget, on held-out ratings.

Per seed: a person rates ``--ratings`` sampled answers (``--labels``, below) to
one set of questions, and as many to other questions that no run trains on (the held-out
ratings). Our one-click run (default settings, ``--set`` to change one: the schedule rule,
the app's precision and thread team) trains on the first set; its training time (reference
log-probabilities and steps, the guard's checks included) is the budget TRL's
``KTOTrainer`` then gets on the same ratings, same LoRA, batch size and learning rate (its
steps are stopped when the budget is spent; its precision is ours). The gain is the gate's
margin on the held-out ratings, after - before, measured by the same function on a float32
model for both; our gain is the adapter the person gets (0 when the gate discards the run:
they keep their model).

The budget's clock (``--clock``) is the process's CPU seconds by default (``time.process_time``,
all threads), not wall seconds: the two sides run one after the other, and on a core other
jobs share, wall seconds stretch with whatever else runs at the time (measured: our 24 updates
took 57 s in one seed and 155 s in the next, and TRL, run when the core was quieter, fitted
47 steps into the 155 s). CPU seconds grow far less with load (cache sharing still adds some),
so the budget is the compute our run used. Run it pinned to one core with one thread
(``taskset -c 1 env OMP_NUM_THREADS=1 GPT2_DESK_THREADS=1``): then both sides use the same
single thread and CPU seconds are what they would take on an idle core. ``--clock wall``
gives the earlier measure.

    python bench/finetune_vs_trl.py [--model bundled] [--ratings 8] [--seeds 0,1,2] [--labels short]

``--labels``: ``alternate`` (default) up, down, up, ... whatever the answer says, so no
held-out gain can be more than noise; ``short``: the person likes answers the model ended
within 16 tokens (0-2 of 8 at the 24-token budget); ``shorter``: they like the shorter half
of the answers (4 of 8), so the held-out margin weighs liked and disliked alike (see rate()).

Per seed it prints ``seed N: ours X (steps, s) trl Y (steps, s)``, where our budget went
(reference, guard checks), our train/gate split, both sides' probe perplexity change and
degenerate greedy answers (to the held-out and the rated questions), and both sides' gain every 4
updates (TRL's also at the update we kept; ours as the steps left it, before the guard or the gate
stepped back; each side's measuring time left out of its budget); then ``margin_gain_ours`` / ``_trl`` (each seed), their
means, ``gain_ours_minus_trl_mean`` (target >= 0) and ``time_ratio`` (our seconds / TRL's
on the budget's clock: ~1 by construction; TRL overshoots by up to one step).

Those raw figures credit TRL with every adapter it ends with, where ours is what the app's gate
leaves the person (a degenerate re-ask discards it or steps back to an earlier checkpoint). So,
beside them, TRL's final adapter is also judged by the same gate (``gate_verdict``: the gate's
split, margins, probe and re-asks, after training and outside its budget): ``trl gated`` per seed
(its verdict and reason; a discarded adapter's gain is 0: the person keeps their model), then
``margin_gain_trl_gated`` (each seed), its mean and ``gain_ours_minus_gated_trl_mean``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUESTIONS = ["What colour is the sky?", "Name a fruit.", "What is two plus two?", "Say hello.",
             "What do cows drink?", "Name a planet.", "What is ice made of?", "Give me a colour.",
             "What is the capital of Italy?", "Name a musical instrument.", "How many days are in a week?",
             "What do bees make?", "Name a sport.", "What is the opposite of hot?", "What do cats eat?",
             "Name an ocean.", "What is snow made of?", "Name a vegetable.", "What do plants need?",
             "Name a bird.", "What is the capital of Spain?", "How many legs does a dog have?",
             "Name a tool.", "What is rain?"]


SHORT_TOKENS = 16  # --labels short: liked answers end by themselves within this many tokens (as learning_effect.py)


def rate(store, loaded, questions: list[str], seed: int, labels: str = "alternate") -> None:
    """One sampled answer per question, rated. ``alternate``: up, down, up, ... whatever the
    answer says (no preference a held-out rating could show); ``short``: a person who likes
    short answers: up when the model ended the answer itself within SHORT_TOKENS tokens, down
    otherwise (longer, or cut at the 24-token budget): a label that follows the content, but
    the sampled answers are mostly long, so 0-2 of 8 are liked; ``shorter``: the same person
    judging the answers against each other: the shorter half liked (fewest tokens, an answer
    the model ended before one it cut at the same length), the longer half disliked, so the
    training and the held-out ratings are half liked, half disliked."""
    from test_training_data import add_answer

    answers = []
    for i, question in enumerate(questions):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=1000 * seed + i, max_new_tokens=24)
        message = store.get_message(mid)
        ended = (message.get("settings") or {}).get("finish_reason") in ("eos", "stop")
        answers.append((mid, ended, len(store.token_records(mid))))
    if labels == "shorter":
        by_length = sorted(range(len(answers)), key=lambda i: (answers[i][2], not answers[i][1], i))
        liked = set(by_length[:len(answers) // 2])
    elif labels == "short":
        liked = {i for i, (_m, ended, n) in enumerate(answers) if ended and n <= SHORT_TOKENS}
    else:
        liked = set(range(0, len(answers), 2))
    for i, (mid, _ended, _n) in enumerate(answers):
        store.rate_message(mid, 1 if i in liked else -1)


def trl_rows(store) -> dict:
    rows = {"prompt": [], "completion": [], "label": []}
    for rating in store.ratings():
        thread = store.thread(rating["message_id"])
        rows["prompt"].append([{"role": m["role"], "content": m["text"]} for m in thread[:-1]])
        rows["completion"].append([{"role": "assistant", "content": thread[-1]["text"]}])
        rows["label"].append(rating["value"] > 0)
    return rows


def clock(kind: str):
    """The budget's clock: ``cpu`` (default) the process's CPU seconds, all threads
    (``time.process_time``), ``wall`` the wall clock. Both sides run one after the other on a
    core other jobs may share; their wall seconds stretch with what else runs then, their CPU
    seconds much less, so a CPU budget gives TRL the compute ours used, whatever the load."""
    return time.process_time if kind == "cpu" else time.perf_counter


def probe_rise(model, exact, base_ppl: float) -> float:
    """General-text perplexity (the gate's probe) of ``model``, relative to the base model's."""
    from desktop_app.core import gate

    return gate.probe_perplexity(model, exact.tokenizer, "cpu", exact.context_window) / base_ppl - 1


CURVE_EVERY = 4  # TRL's held-out gain is also read every this many updates (its measuring time left out of the budget)
REASK_TOKENS = 40  # as the gate's re-asks (FineTuneSettings.reask_tokens)


def degenerate_answers(model, exact, questions: list[str]) -> int:
    """Greedy answers of ``model`` to ``questions`` that echo, loop or are empty (the gate's
    check): the same check for both sides, on questions neither trained on."""
    import threading
    from types import SimpleNamespace

    from desktop_app.core import reasking

    prompts = [(reasking.fresh_prompt(exact.tokenizer, q, exact.context_window, REASK_TOKENS), q) for q in questions]
    asker = SimpleNamespace(model=model, tokenizer=exact.tokenizer, device=exact.device, lock=threading.Lock())
    return sum(a.problem is not None for a in reasking.reask(asker, prompts, REASK_TOKENS))


class OurCurve:
    """Inside: the held-out margin of our training copy every CURVE_EVERY updates, read where the
    guard looks after each update (so only with the guard on); its CPU and wall seconds are kept
    apart (``cpu``, ``wall``) and taken out of our budget, as TRL's curve is out of its."""

    def __init__(self, held, pad: int):
        self.held, self.pad = held, pad
        self.curve: dict[int, float] = {}
        self.cpu = self.wall = 0.0

    def __enter__(self):
        from desktop_app.core import gate

        self.original = original = gate.PerplexityGuard.after_update
        curve = self

        def after_update(guard, step):
            going_on = original(guard, step)
            if step % CURVE_EVERY == 0:
                cpu, wall = time.process_time(), time.perf_counter()
                curve.curve[step] = gate.margin(guard.model, curve.held, curve.pad, "cpu")
                curve.cpu += time.process_time() - cpu
                curve.wall += time.perf_counter() - wall
            return going_on

        gate.PerplexityGuard.after_update = after_update
        return self

    def __exit__(self, *exc):
        from desktop_app.core import gate

        gate.PerplexityGuard.after_update = self.original


def ours(store, paths, loaded, exact, held, pad: int, seed: int, base_ppl: float, args) -> dict:
    """One default run (``--set`` overrides); the held-out margin with the adapter it leaves active (if any)."""
    from desktop_app.core import adapters, gate
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    before = gate.margin(exact.model, held, pad, "cpu")
    settings = FineTuneSettings(**{"seed": seed, "rescore": False, **args.overrides})
    with OurCurve(held, pad) as watch:
        result = run_finetune(store, loaded, paths, settings)
    m = result.metrics
    after, ppl, bad, bad_rated = before, 0.0, args.base_degenerate, args.base_degenerate_rated
    if result.kept:  # by id: the store keys adapters by the chat model's id, not by this folder copy's
        row = store.get_adapter(result.adapter_id)
        adapters.attach(exact, row["path"], row["id"])
        after = gate.margin(exact.model, held, pad, "cpu")
        ppl = probe_rise(exact.model, exact, base_ppl)
        bad = degenerate_answers(exact.model, exact, args.unseen)
        bad_rated = degenerate_answers(exact.model, exact, args.rated)
        adapters.detach(exact)
    spent = m.get("phase_cpu_s" if args.clock == "cpu" else "phase_s") or {}
    guard = m.get("guard") or {}
    sched = m["schedule"]
    measuring = watch.cpu if args.clock == "cpu" else watch.wall
    return {"gain": after - before, "seconds": spent.get("train", 0.0) + spent.get("reference", 0.0) - measuring,
            "curve": {k: round(v - before, 3) for k, v in sorted(watch.curve.items())},
            "steps": m["steps"], "batch": sched["batch_size"], "lr": sched["lr"], "status": result.status,
            "bf16": "bfloat16" in m.get("train_precision", ""), "teams": m.get("teams"),
            "kept_step": guard.get("kept_step"), "guard_s": guard.get("cpu_seconds" if args.clock == "cpu" else "seconds", 0.0),
            "reference_s": spent.get("reference", 0.0), "before": before, "after": after, "reason": result.reason,
            "ppl": ppl, "degenerate": bad, "degenerate_rated": bad_rated, "wall_s": (m.get("phase_s") or {}).get("train", 0.0),
            "grad_norms": m.get("grad_norms") or [], "weights": (sched["desirable_weight"], sched["undesirable_weight"]),
            "guard": {k: guard.get(k) for k in ("ppl_before", "checks", "stepped_back") if guard.get(k)}}


def trl(store, folder, held, pad: int, seed: int, budget: dict, tmp: Path, exact, base_ppl: float, args) -> dict:
    """KTOTrainer on the same ratings until ``budget["seconds"]`` of training are spent (on
    ``--clock``); on the way, the held-out margin after as many updates as ours made (its
    measuring time is left out of the budget)."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import KTOConfig, KTOTrainer

    from desktop_app.core import gate
    from desktop_app.core.train_settings import FineTuneSettings

    s = FineTuneSettings()
    now = clock(args.clock)

    class Budget(TrainerCallback):
        curve: dict = {}  # update -> held-out margin, every CURVE_EVERY updates and at the update we kept

        def on_step_end(self, args, state, control, model=None, **kwargs):
            step = state.global_step
            if (step == budget["steps"] or step % CURVE_EVERY == 0) and model is not None:
                paused = now()
                model.eval()
                with torch.no_grad():
                    self.curve[step] = gate.margin(model, held, pad, "cpu")
                model.train()
                self.start += now() - paused
            if now() - self.start >= budget["seconds"]:
                control.should_training_stop = True

    watch = Budget()
    tok = AutoTokenizer.from_pretrained(folder)
    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    config = KTOConfig(output_dir=str(tmp / f"trl-{seed}"), per_device_train_batch_size=budget["batch"],
                       max_steps=10_000, learning_rate=budget["lr"], lr_scheduler_type="constant", beta=s.beta,
                       report_to=[], use_cpu=True, save_strategy="no", logging_steps=10_000, seed=seed,
                       gradient_checkpointing=False, disable_tqdm=True, bf16=budget["bf16"])
    trainer = KTOTrainer(model=base, args=config, train_dataset=Dataset.from_dict(trl_rows(store)),
                         processing_class=tok, callbacks=[watch],
                         peft_config=LoraConfig(task_type="CAUSAL_LM", r=s.lora_r, lora_alpha=s.lora_alpha,
                                                lora_dropout=0.0, target_modules=s.target_modules))
    trainer.model.eval()
    with torch.no_grad(), trainer.model.disable_adapter():
        before = gate.margin(trainer.model, held, pad, "cpu")
    watch.start = now()
    trainer.train()
    seconds = now() - watch.start
    trainer.model.eval()
    with torch.no_grad():
        after = gate.margin(trainer.model, held, pad, "cpu")
        ppl = probe_rise(trainer.model, exact, base_ppl)
        bad = degenerate_answers(trainer.model, exact, args.unseen)
        bad_rated = degenerate_answers(trainer.model, exact, args.rated)
    at = watch.curve.get(budget["steps"])
    verdict = gate_verdict(store, trainer.model, exact, FineTuneSettings(**{"seed": seed, **args.overrides}))
    return {"gain": after - before, "gate": verdict, "gated_gain": gated_gain(after - before, verdict), "seconds": seconds, "steps": trainer.state.global_step, "before": before,
            "after": after, "ppl": ppl, "degenerate": bad, "degenerate_rated": bad_rated, "gain_at_our_steps": None if at is None else at - before,
            "curve": {k: round(v - before, 3) for k, v in sorted(watch.curve.items())}}


def gate_verdict(store, model, exact, settings) -> dict:
    """The app's gate (gate.judge, on the figures core.training measures for it with
    finetune_effect.Meter) on ``model``'s active adapter, trained on ``store``'s ratings: the
    same split, margins, probe and re-asks as our run's verdict, "before" with the adapter
    switched off. Our run's step back has no counterpart: it puts back one of our guard's
    checkpoints, which TRL's run has none of; so the verdict keeps or discards the final adapter.
    Its CPU seconds (``cpu_s``) are spent after training, outside any budget."""
    import contextlib
    import threading
    from types import SimpleNamespace

    from desktop_app.core import gate
    from desktop_app.core.finetune_effect import Meter, plan_reasks
    from desktop_app.core.train_data import build_training_data

    cpu = time.process_time()
    s, tok, window = settings, exact.tokenizer, exact.context_window
    data = build_training_data(store, tok, window, end_with_eos=s.end_with_eos, paired_thumbs_kto=s.paired_thumbs_kto,
                               alone_views=s.alone_views, history=s.history_exchanges)  # as core.training reads them
    train, held = data.split(s.heldout_fraction, s.seed, max_items=s.heldout_max)
    reasks = plan_reasks(store, data, train, held, tok, window, count=s.reask_count, unseen=s.reask_unseen,
                         tokens=s.reask_tokens, open_requests=s.reask_open, canaries=s.reask_canaries)
    m = {"train_size": train.rated(), "heldout_size": held.rated(), "gate_margin_on": "heldout" if len(held) else "all"}
    work = SimpleNamespace(model=model, tokenizer=tok, device=exact.device, context_window=window,
                           lock=threading.Lock())
    meter = Meter(m, lambda _phase: contextlib.nullcontext(), lambda: None, threading.Event())
    pad = tok.pad_token_id if tok.pad_token_id is not None else (tok.eos_token_id or 0)
    model.eval()
    with model.disable_adapter():
        meter.measure("before", work, data, held, reasks, pad)
    meter.measure("after", work, data, held, reasks, pad)
    verdict = gate.judge(m, s.max_ppl_rise)
    return {"kept": verdict.kept, "reason": verdict.reason, "cpu_s": time.process_time() - cpu,
            "degenerate": (m["reask_degenerate_before"], m["reask_degenerate_after"], m["reask_count"])}


def gated_gain(gain: float, verdict: dict) -> float:
    """What the person gets from a run the gate judged: its gain if kept, else 0 (they keep their model)."""
    return gain if verdict["kept"] else 0.0


def one_seed(seed: int, args, loaded, exact, base_ppl: float, tmp: Path) -> tuple[dict, dict]:
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.train_settings import FineTuneSettings

    n = args.ratings
    order = QUESTIONS[seed % len(QUESTIONS):] + QUESTIONS[:seed % len(QUESTIONS)]
    paths = AppPaths.resolve(tmp / f"seed-{seed}").ensure()
    store, held_store = Store.open(paths.db_path), Store.open(tmp / f"held-{seed}.sqlite3")
    rate(store, loaded, order[:n], seed, args.labels)
    rate(held_store, loaded, order[n:2 * n], seed, args.labels)
    print(f"    seed {seed}: liked {sum(r['value'] > 0 for r in store.ratings())} of {n} "
          f"(held out: {sum(r['value'] > 0 for r in held_store.ratings())} of {n})", flush=True)
    held = build_training_data(held_store, exact.tokenizer, exact.context_window)
    args.unseen = order[n:2 * n]  # the held-out questions, re-asked greedily for degenerate answers
    args.rated = order[:n]  # ... and the rated ones (a run can wreck the answers it trained on)
    args.base_degenerate = degenerate_answers(exact.model, exact, args.unseen)
    args.base_degenerate_rated = degenerate_answers(exact.model, exact, args.rated)
    tok = exact.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    mine = build_training_data(store, exact.tokenizer, exact.context_window)
    s = FineTuneSettings(**args.overrides)
    train, gate_held = mine.split(s.heldout_fraction, seed, max_items=s.heldout_max)  # as run_finetune splits
    args.split = (f"trained on {len(train)} (liked {train.counts()['thumbs_up']}), gate held out {len(gate_held)} "
                  f"(liked {gate_held.counts()['thumbs_up']})")
    a = ours(store, paths, loaded, exact, held, pad, seed, base_ppl, args)
    budget = {**a, "steps": a["kept_step"] or a["steps"]}  # TRL's margin is also read at the update we kept
    b = trl(store, exact.folder, held, pad, seed, budget, tmp, exact, base_ppl, args)
    store.close()
    held_store.close()
    return a, b


def report(seed: int, a: dict, b: dict, args) -> None:
    at = b["gain_at_our_steps"]
    print(f"seed {seed}: ours {a['gain']:+.4f} ({a['status']}, {a['steps']} steps at batch {a['batch']}, "
          f"guard kept {a['kept_step']}, {a['seconds']:.1f} s, bf16 {a['bf16']}, teams {a['teams']}; "
          f"held-out margin {a['before']:.4f} -> {a['after']:.4f})  "
          f"trl {b['gain']:+.4f} ({b['steps']} steps, {b['seconds']:.1f} s; {b['before']:.4f} -> {b['after']:.4f})",
          flush=True)
    print(f"    ours: {args.split}; "
          f"budget: reference {a['reference_s']:.1f} s, guard {a['guard_s']:.1f} s, wall {a['wall_s']:.1f} s; "
          f"probe ppl {a['ppl']:+.1%}, degenerate {a['degenerate']}/{len(args.unseen)} new, {a['degenerate_rated']}/"
          f"{len(args.rated)} rated  |  trl: probe ppl {b['ppl']:+.1%}, degenerate {b['degenerate']}/{len(args.unseen)} "
          f"new, {b['degenerate_rated']}/{len(args.rated)} rated (base {args.base_degenerate}, "
          f"{args.base_degenerate_rated}), gain after {a['kept_step'] or a['steps']} "
          f"updates {'n/a' if at is None else f'{at:+.4f}'}", flush=True)
    print(f"    trl's gain by update: {b['curve']}  |  ours (before the guard or the gate stepped back): "
          f"{a['curve']}", flush=True)
    norms = a["grad_norms"]
    if norms:
        print(f"    ours: lr {a['lr']:g}, KTO weights {a['weights']}, gradient norm by update {norms} "
              f"(clipped at {args.max_grad_norm}: {sum(n > args.max_grad_norm for n in norms)} of {len(norms)}); guard {a['guard']}",
              flush=True)
    if a["status"] != "kept":
        print(f"    ours discarded: {a['reason']}", flush=True)
    v = b["gate"]
    bad0, bad1, asked = v["degenerate"]
    print(f"    trl gated: {'kept' if v['kept'] else 'discarded'} ({v['reason']}; re-asks degenerate {bad0} -> {bad1} "
          f"of {asked}), gain {b['gated_gain']:+.4f}, gate {v['cpu_s']:.1f} s (after training, not in the budget)",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--ratings", type=int, default=8, help="rated answers to train on (and as many held out)")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--labels", choices=("alternate", "short", "shorter"), default="alternate",
                        help="how the simulated person rates: alternately, liking short answers, or liking the "
                             "shorter half (see rate())")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="the budget's clock: the process's CPU seconds (default) or wall seconds (see clock())")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override one of our FineTuneSettings (repeatable; JSON values), e.g. --set guard_ppl_rise=0")
    args = parser.parse_args()
    if 2 * args.ratings > len(QUESTIONS):
        parser.error(f"--ratings at most {len(QUESTIONS) // 2}")
    args.overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        args.overrides[name] = json.loads(value)
    from desktop_app.core.train_settings import FineTuneSettings

    args.max_grad_norm = args.overrides.get("max_grad_norm", FineTuneSettings().max_grad_norm)

    from transformers.utils import logging as hf_logging

    from desktop_app.core import gate
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tmp = Path(tempfile.mkdtemp(prefix="ft-vs-trl-"))
    cache = AppPaths.resolve(os.environ.get("GPT2_DESK_TEST_CACHE") or (tmp / "cache")).ensure()
    loaded = open_model(args.model, cache, device="cpu")  # the chat model, as the app has it (default precision)
    exact = open_model(str(loaded.folder), cache, device="cpu", precision="exact")  # measures both sides
    base_ppl = gate.probe_perplexity(exact.model, exact.tokenizer, "cpu", exact.context_window)
    print(f"model {loaded.describe()}; {args.ratings} ratings + {args.ratings} held out; labels {args.labels}; "
          f"clock {args.clock}; ours {args.overrides or 'defaults'}; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    for seed in (int(s) for s in args.seeds.split(",") if s.strip()):
        a, b = one_seed(seed, args, loaded, exact, base_ppl, tmp)
        results.append((a, b))
        report(seed, a, b, args)
    gains_ours = [a["gain"] for a, _b in results]
    gains_trl = [b["gain"] for _a, b in results]
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"margin_gain_ours: {' '.join(f'{g:+.4f}' for g in gains_ours)}")
    print(f"margin_gain_trl: {' '.join(f'{g:+.4f}' for g in gains_trl)}")
    print(f"margin_gain_ours_mean: {statistics.mean(gains_ours):.4f}")
    print(f"margin_gain_trl_mean: {statistics.mean(gains_trl):.4f}")
    print(f"gain_ours_minus_trl_mean: {statistics.mean(gains_ours) - statistics.mean(gains_trl):+.4f}")
    gated = [b["gated_gain"] for _a, b in results]  # TRL's adapter as the app's gate would leave the person
    print(f"margin_gain_trl_gated: {' '.join(f'{g:+.4f}' for g in gated)}  "
          f"(kept {sum(b['gate']['kept'] for _a, b in results)} of {len(results)})")
    print(f"margin_gain_trl_gated_mean: {statistics.mean(gated):.4f}")
    print(f"gain_ours_minus_gated_trl_mean: {statistics.mean(gains_ours) - statistics.mean(gated):+.4f}")
    print(f"probe_ppl_ours_mean: {statistics.mean(a['ppl'] for a, _b in results):+.4f}")
    for key, what in (("degenerate", "held-out"), ("degenerate_rated", "rated")):
        print(f"{key}_ours: {sum(a[key] for a, _b in results)}  {key}_trl: {sum(b[key] for _a, b in results)}  "
              f"(greedy answers to the {what} questions, {len(results) * args.ratings} in all)")
    print(f"probe_ppl_trl_mean: {statistics.mean(b['ppl'] for _a, b in results):+.4f}")
    print(f"time_ratio ({args.clock}): "
          f"{sum(a['seconds'] for a, _b in results) / sum(b['seconds'] for _a, b in results):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
