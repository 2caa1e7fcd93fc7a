"""Small set-up helpers many test files share (no Qt, no fixtures: those are in conftest.py and,
for the window, gui_windows.py)."""

from __future__ import annotations

import math
import threading
from typing import Callable, Iterable

from desktop_app.core.records import Alternative, TokenRecord


def on_which_thread(*_args, **_kwargs) -> threading.Thread:
    return threading.current_thread()


def thread_name(*_args, **_kwargs) -> str:
    return threading.current_thread().name


def watch_calls(monkeypatch, owner, name: str, note: Callable = on_which_thread) -> list:
    """Put a watched ``owner.name`` in place for the test: each call appends ``note(*args, **kwargs)``
    (by default the thread it runs on) to the list returned, then runs the real function."""
    real = getattr(owner, name)
    seen: list = []

    def watched(*args, **kwargs):
        seen.append(note(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, watched)
    return seen


def token_record(token_id: int, text: str, prob: float, top: Iterable[tuple[int, str, float]] | None = None,
                 rank: int = 1, entropy: float = 1.0) -> TokenRecord:
    """One token the model gave probability ``prob``; ``top``: its alternatives as (id, text, prob), by
    default the token alone, () for none."""
    alternatives = [(token_id, text, prob)] if top is None else top
    return TokenRecord(token_id, text, math.log(prob), rank, entropy,
                       tuple(Alternative(*alternative) for alternative in alternatives))


def piece_records(ids: Iterable[int], pieces: Iterable[str]) -> list[TokenRecord]:
    """The records of tokens ``ids`` that show ``pieces``, where only the text matters to the test: each
    token the model's first choice at log-probability -1, with no alternatives."""
    return [TokenRecord(token_id, piece, -1.0, 1, 1.0) for token_id, piece in zip(ids, pieces)]


def stored_answer(loaded, db: str, settings, question: str = "Hello, how are you?") -> tuple[str, int, object]:
    """An answer ``loaded`` samples with ``settings`` to ``question``, stored in a new store at ``db`` as the
    app stores it (model id, settings, records): (db, the answer's message id, the generation's run)."""
    from desktop_app.core.generation import generate
    from desktop_app.core.prompts import Turn, build_prompt
    from desktop_app.core.store import Store

    prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                          max_new_tokens=settings.max_new_tokens)
    run = generate(loaded, prompt.ids, settings)
    with Store.open(db) as store:
        conversation = store.create_conversation("hi")
        user = store.add_message(conversation, "user", question)
        mid = store.add_message(conversation, "assistant", run.text, parent_id=user, model_id=loaded.model_id,
                                settings=settings.to_dict(), records=run.records)
    return db, mid, run


def passes_of(monkeypatch, tokens: int) -> None:
    """Every block of a scoring's first window ``tokens`` long (``score_plan.block_width``), so a short
    text's scoring in parts (a part a pass) has several, and a stop can fall between them."""
    from desktop_app.core import score_plan

    monkeypatch.setattr(score_plan, "PASS_TOKENS", tokens)
    monkeypatch.setattr(score_plan, "PASS_TOKENS_MAX", tokens)
