"""An imported answer's scoring in parts (core/unwritten.py) against one pass, and a stopped one resumed.

The bundled model (at the app's precision), an imported answer longer than its window after a short
prompt: scored as the chat scores it (``score_unwritten``: a part a pass of ``scoring.window_plan``'s, over
the model's key/value cache) against ``scoring.score_ids`` (the same passes, in one call), then stopped
at half way and asked again with the part kept.

Prints (CPU seconds of this process; run it pinned to one core):
    one_pass_cpu_s, parts_cpu_s, parts_ratio     the whole answer's scoring, parts / one pass
    resumed_cpu_s, resumed_ratio                 after a stop at half way: the second asking / a whole scoring
    kept_cache_mb                                the key/value cache held between the two
    max_logprob_diff                             parts against score_ids (0: the same passes)

    python bench/unwritten_parts.py [--precision auto|exact|fast] [--sentences 900]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

import _common
from _common import Clock, figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--sentences", type=int, default=900, help="the answer's length, in sentences of ~10 tokens")
    _common.add_cache_dir(parser)
    args = parser.parse_args()

    from desktop_app.core import exchange_import
    from desktop_app.core.models import open_model
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.scoring import score_ids
    from desktop_app.core.store import Store
    from desktop_app.core.train_data import scored_answer_ids
    from desktop_app.core.unwritten import ScoringStopped, StoppedScorings, score_unwritten

    work = Path(tempfile.mkdtemp())
    paths = AppPaths.resolve(work / "data").ensure()
    loaded = open_model(str(_common.bundled_folder(args.cache_dir)), paths, device="cpu", precision=args.precision)
    text = " ".join(f"The river number {i} runs past the old mill and into the sea." for i in range(args.sentences))
    row = {"prompt": "Tell me about the rivers.", "completion": text, "label": True}
    store = Store.open(paths.db_path)
    imported = exchange_import.import_examples(store, [exchange_import.parse_example(row, "bench")])
    (conversation,) = imported.conversation_ids
    mid = next(m["id"] for m in store.messages(conversation) if m["role"] == "assistant")
    prompt_ids, ids, _ended = scored_answer_ids(store, loaded.tokenizer, mid, loaded.context_window)
    print(f"{loaded.model_id} ({loaded.precision}), window {loaded.context_window}: {len(ids)} answer tokens scored "
          f"after {len(prompt_ids)} prompt tokens; {_common.load_average()}")

    with Clock() as one:
        single = score_ids(loaded, prompt_ids, ids)
    with Clock() as parts:
        _shown, kept = score_unwritten(store, loaded, mid)
    stopped, cancel = StoppedScorings(), threading.Event()
    try:
        score_unwritten(store, loaded, mid, cancel=cancel, stopped=stopped,
                        progress=lambda p: cancel.set() if p.done >= len(ids) // 2 else None)
    except ScoringStopped:
        pass
    held = stopped.kept.part.cache.nbytes
    with Clock() as resumed:
        score_unwritten(store, loaded, mid, stopped=stopped)
    figure("one_pass_cpu_s", one.cpu, 1)
    figure("parts_cpu_s", parts.cpu, 1)
    figure("parts_ratio", parts.cpu / one.cpu)
    figure("resumed_cpu_s", resumed.cpu, 1)
    figure("resumed_ratio", resumed.cpu / parts.cpu)
    figure("kept_cache_mb", held / 2**20, 0)
    figure("max_logprob_diff", max(abs(a.logprob - b.logprob) for a, b in zip(kept, single)), 4)
    store.close()


if __name__ == "__main__":
    main()
