"""A writer rates continuations of their own prose in the Text tab, then fine-tunes: how long, and does it show?

A user test (a novelist): two paragraphs of their own prose in the Text tab, ~6 continuations and tokens
rated there and one chat answer, one click on Fine-tune: ~15 minutes on a shared core, then discarded by the
gate, so nothing changed on their text. This drives the same core path (a real SQLite store in a fresh data
folder, the bundled model, ``run_finetune`` with the window's default settings) on a document of two
paragraphs, with the Text tab's kinds of rating: continuations liked and disliked (siblings at the same
place), a better continuation written for a disliked one, token ratings, and one chat answer's thumb.

Printed: the examples' prompt tokens (is the whole document every example's prompt?), the run's wall and
CPU seconds split into training and the rest (measuring), updates, the gate's figures and verdict; then on
the writer's NEXT paragraph, never rated (``UNSEEN``), whether the preference shows there: the mean per-token
log-probability of the writer's own sentences minus that of the base model's sampled continuations at the
same places (``unseen_margin``, before -> after; higher: the model leans towards the writer's words), and
the per-token NLL of the writer's paragraph, and the words per sentence of continuations sampled there as the
Text tab samples, same seeds before and after (the simulated writer liked the continuations of shortest
sentences). A discarded run keeps no adapter: no after.

    python bench/writer_ratings.py [--tokens 48] [--seed 0] [--chats 1] [--context N] [--set name=json ...]

``--chats 2 --set seed=1`` is the user test's discard on the code before writer71: the split (3 groups: the
document, two questions) held the whole document out, trained on the two chat answers, and the writer's
ratings read worse.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402,F401  (the repository on the path)

PARAGRAPHS = (
    "The ferry left Harwich at dawn, and Mara stood at the rail until the town was only a grey smear "
    "against the cliffs. Gulls followed the wake for a while, then gave up. She had packed her father's "
    "letters in the blue tin, the one that still smelled of tobacco, and she kept one hand on it through "
    "her coat as if it might try to leave without her. The crossing would take six hours. She had not "
    "decided yet what she would say to the man who had written them.",
    "Below deck a child was crying in the tired, steady way of children who have been crying for a long "
    "time. Mara bought a tea she did not want and sat by the window. The sea was the colour of pewter. "
    "She thought of the kitchen in Ipswich, the clock above the stove that ran four minutes fast, her "
    "mother winding it every Sunday and never once setting it right. Some things you kept wrong on "
    "purpose, her mother used to say. It was how you knew they were yours.",
)
# the writer's next paragraph: never in the document, never rated; where the effect is judged
UNSEEN = (
    "At noon the wind turned and the ferry began to roll. Mara went up on deck again because she could not "
    "bear the smell of diesel and fried eggs. A man in a yellow coat was smoking in the lee of the funnel. "
    "He nodded at her as if they had met before. She nodded back. Somewhere to the east, hidden by the haze, "
    "was the coast her father had crossed in the other direction forty years ago, with nothing but a "
    "suitcase and a name that was not his own."
)
# what the writer wrote for a disliked continuation (the Text tab's "better continuation")
BETTER = (" The tea went cold in her hands. Outside, a gull hung in the wind beside the glass, not moving, as if it "
          "too were waiting to be told where to go.")
CHAT_QUESTIONS = ("Give me one tip for writing a scene on a ferry.", "How do I make a quiet scene feel tense?",
                  "What is a good name for a grey cat?")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=48, help="tokens per continuation (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chats", type=int, default=1, choices=(1, 2, 3),
                        help="chat answers liked, each its own question (default %(default)s)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=JSON",
                        help="a FineTuneSettings field for the run, e.g. --set heldout_fraction=0")
    parser.add_argument("--context", type=int, default=None,
                        help="tokens of text before a continuation its examples keep (default: the app's, "
                             "text_training.TEXT_CONTEXT_TOKENS; 100000: the whole document, as before writer71)")
    _common.add_cache_dir(parser)
    return parser.parse_args()


def continue_at(loaded, text: str, n: int, seed: int):
    from desktop_app.core.documents import continue_text
    from desktop_app.core.generation import recommended_sampling

    settings = recommended_sampling(max_new_tokens=n, seed=seed, temperature=0.8)
    gen = continue_text(loaded, text, settings)
    return gen.text, gen.records, settings.to_dict()


def teach(store, loaded, n_tokens: int, seed: int, chats: int = 1) -> dict:
    """The document and the ratings the writer gave (eight): four siblings at the end (two liked, two
    disliked, one of those with a better continuation), token ratings on a continuation after the first
    paragraph, and a chat answer's thumb."""
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import create_document

    text = "\n\n".join(PARAGRAPHS)
    doc = create_document(store, text, "Ferry")
    ends = []
    for k in range(4):
        words, records, sampling = continue_at(loaded, text, n_tokens, seed + k)
        ends.append(tb.add_branch(store, doc, None, len(text), words, records=records,
                                  model_id=loaded.model_id, sampling=sampling))
    by_len = sorted(ends, key=lambda b: _mean_sentence(tb.get_branch(store, b)["text"]))
    tb.rate_branch(store, by_len[0], 1)  # the writer likes short plain sentences, as theirs are
    tb.rate_branch(store, by_len[1], 1)
    tb.rate_branch(store, by_len[-1], -1)
    tb.rate_branch(store, by_len[-2], -1)
    tb.set_correction(store, by_len[-1], BETTER)
    middle = len(PARAGRAPHS[0])
    words, records, sampling = continue_at(loaded, PARAGRAPHS[0], n_tokens, seed + 10)
    mid = tb.add_branch(store, doc, None, middle, words, records=records, model_id=loaded.model_id,
                        sampling=sampling)
    rated = _rate_tokens(store, loaded, mid, records)
    for question in CHAT_QUESTIONS[:chats]:
        _chat_thumb(store, loaded, seed, question)
    return {"document_tokens": len(loaded.tokenizer(text)["input_ids"]), "token_ratings": rated}


def _mean_sentence(text: str) -> float:
    parts = [p for p in text.replace("!", ".").replace("?", ".").split(".") if p.strip()]
    return sum(len(p.split()) for p in parts) / max(1, len(parts))


def _rate_tokens(store, loaded, branch_id: int, records) -> int:
    """Down on the two least likely word starts (the odd word a writer strikes), up on the two likeliest."""
    from desktop_app.core import text_branches as tb

    starts = [i for i, r in enumerate(records) if r.text.startswith(" ") and r.text.strip().isalpha()]
    by_p = sorted(starts, key=lambda i: records[i].logprob)
    chosen = [(i, -1) for i in by_p[:2]] + [(i, 1) for i in by_p[-2:] if i not in by_p[:2]]
    for index, value in chosen:
        tb.rate_branch(store, branch_id, value, index, tokenizer=loaded.tokenizer)
    return len(chosen)


def _chat_thumb(store, loaded, seed: int, question: str) -> None:
    from desktop_app.core.generation import Generation, recommended_sampling
    from desktop_app.core.prompts import Turn, build_prompt

    prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window)
    settings = recommended_sampling(max_new_tokens=48, seed=seed)
    gen = Generation(loaded, prompt.ids, settings)
    for _record in gen:
        pass
    conv = store.create_conversation(question[:30])
    user = store.add_message(conv, "user", question)
    mid = store.add_message(conv, "assistant", gen.text, parent_id=user, model_id=loaded.model_id,
                            records=gen.records, settings={**settings.to_dict(), "finish_reason": gen.finish_reason})
    store.rate_message(mid, 1)


def unseen_places(loaded, seed: int, n_tokens: int) -> list[tuple[str, str, str]]:
    """(text before, the writer's next sentences, the base model's continuation there) at three places of
    the unseen paragraph, the continuations sampled before any training."""
    sentences = [s.strip() + "." for s in UNSEEN.split(".") if s.strip()]
    text = "\n\n".join(PARAGRAPHS) + "\n\n"
    places = []
    for cut in (1, 3, 5):
        before = text + " ".join(sentences[:cut])
        writer = " " + " ".join(sentences[cut:cut + 2])
        model_words, _r, _s = continue_at(loaded, before, n_tokens, seed + 100 + cut)
        places.append((before, writer, model_words))
    return places


def per_token_logp(loaded, before: str, after: str) -> float:
    from desktop_app.core.prompts import encode
    from desktop_app.core.scoring import score_ids
    from desktop_app.core.text_training import plain_ids

    records = score_ids(loaded, plain_ids(loaded.tokenizer, before), encode(loaded.tokenizer, after), alternatives=1)
    return sum(r.logprob for r in records) / max(1, len(records))


def unseen_effect(loaded, places, n_tokens: int) -> tuple[float, float, float]:
    """(margin: writer's words minus the model's own, per token, mean over places; the writer's unseen paragraph's
    NLL; the words per sentence of continuations sampled there, seeded: the liked continuations had the shortest)."""
    from desktop_app.core.documents import continue_text
    from desktop_app.core.generation import recommended_sampling

    margin = sum(per_token_logp(loaded, b, w) - per_token_logp(loaded, b, m) for b, w, m in places) / len(places)
    nll = -per_token_logp(loaded, "\n\n".join(PARAGRAPHS) + "\n\n", UNSEEN)
    written = [continue_text(loaded, before, recommended_sampling(max_new_tokens=n_tokens, seed=seed)).text
               for before, _w, _m in places for seed in (1, 2)]  # as the Text tab samples; greedy loops either way
    return margin, nll, sum(map(_mean_sentence, written)) / len(written)


def example_lengths(store, loaded) -> list[tuple[str, int, int]]:
    from desktop_app.core.train_data import build_training_data
    from desktop_app.core.train_settings import FineTuneSettings

    s = FineTuneSettings()
    data = build_training_data(store, loaded.training_tokenizer(), loaded.context_window, end_with_eos=s.end_with_eos,
                               alone_views=s.alone_views, history=s.history_exchanges)
    return ([("pair", len(e.prompt_ids), len(e.chosen_ids) + len(e.rejected_ids)) for e in data.pairs]
            + [("thumb", len(e.prompt_ids), len(e.completion_ids)) for e in data.unpaired]
            + [("tokens", len(e.prompt_ids), len(e.completion_ids)) for e in data.tokens])


def main() -> int:
    args = parse_args()
    from transformers.utils import logging as hf_logging

    import desktop_app.core.training  # noqa: F401
    from desktop_app.core import adapters
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    hf_logging.set_verbosity_error()
    if args.context is not None:
        from desktop_app.core import text_training
        text_training.TEXT_CONTEXT_TOKENS = args.context
    overrides = {k: json.loads(v) for k, v in (item.partition("=")[::2] for item in args.set)}
    home = Path(tempfile.mkdtemp(prefix="writer-ratings-"))
    loaded = open_model("bundled", AppPaths.resolve(Path(args.cache_dir) / "app").ensure())
    paths = AppPaths.resolve(home).ensure()
    store = Store.open(paths.db_path)
    given = teach(store, loaded, args.tokens, args.seed, args.chats)
    places = unseen_places(loaded, args.seed, args.tokens)
    before = unseen_effect(loaded, places, args.tokens)
    lengths = example_lengths(store, loaded)
    print(f"{_common.load_average()}; settings {overrides or 'defaults'}; document {given['document_tokens']} tokens")
    for kind, prompt, completion in lengths:
        print(f"  example {kind:6s} prompt {prompt:4d} tokens, completion {completion:3d}")
    start, cpu0 = time.perf_counter(), time.process_time()
    result = run_finetune(store, loaded, paths, FineTuneSettings(**{"seed": args.seed, **overrides}))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    m = result.metrics
    after = _measure_adapter(loaded, store, result, places, args.tokens)
    _report(m, result, wall, cpu, before, after, lengths)
    adapters.detach(loaded)
    store.close()
    return 0


def _measure_adapter(loaded, store, result, places, n_tokens: int):
    """The unseen effect with the run's adapter (a kept run's; a discarded run keeps none: no figure)."""
    from desktop_app.core import adapters

    if result.adapter_id is None:
        return None
    adapters.switch_to(loaded, store, result.adapter_id)
    return unseen_effect(loaded, places, n_tokens)


def _report(m, result, wall, cpu, before, after, lengths) -> None:
    train_s = float(m.get("train_s") or 0.0)
    phases = m.get("phase_cpu_s") or {}
    train_cpu = sum(v for k, v in phases.items() if k in ("train", "updates", "steps"))
    sched = m.get("schedule") or {}
    on = m.get("gate_margin_on", "?")
    print(f"| verdict | {result.status}: {result.reason}")
    print(f"| time | wall {wall:.1f} s (training {train_s:.1f} s, the rest {wall - train_s:.1f} s); "
          f"CPU {cpu:.1f} s (training {train_cpu:.1f}, the rest {cpu - train_cpu:.1f})")
    print("| cpu-s by phase | " + " ".join(f"{k}={v:.1f}" for k, v in sorted(phases.items(), key=lambda kv: -kv[1])))
    print(f"| updates | {m.get('steps')} of {sched.get('updates')} at batch {sched.get('batch_size')}, "
          f"lr {sched.get('lr', 0):.1e}; held out {m.get('heldout_size')} of {len(lengths)} examples")
    print(f"| gate margin ({on}) | {m.get(f'margin_{on}_before')} -> {m.get(f'margin_{on}_after')}; "
          f"all {m.get('margin_all_before')} -> {m.get('margin_all_after')}")
    print(f"| probe ppl | {m.get('probe_ppl_before')} -> {m.get('probe_ppl_after')}; degenerate re-asks "
          f"{m.get('reask_degenerate_before')} -> {m.get('reask_degenerate_after')} of {m.get('reask_count')}")
    prompts = [p for _k, p, _c in lengths]
    print(f"| prompt tokens | mean {sum(prompts) / len(prompts):.0f}, max {max(prompts)}")
    print(f"| unseen before | margin {before[0]:+.3f}, NLL {before[1]:.3f}, sampled words/sentence {before[2]:.1f}")
    if after is not None:
        print(f"| unseen paragraph | writer-vs-model margin {before[0]:+.3f} -> {after[0]:+.3f} nats/token; "
              f"writer's NLL {before[1]:.3f} -> {after[1]:.3f}; "
              f"sampled words/sentence {before[2]:.1f} -> {after[2]:.1f}")
        _common.figure("unseen_margin_rise", after[0] - before[0], 3)
    _common.figure("wall_s", wall, 1)
    _common.figure("cpu_s", cpu, 1)
    _common.figure("kept", float(bool(result.kept)), 0)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    raise SystemExit(main())
