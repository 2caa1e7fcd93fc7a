"""The conversation import's duplicate check (core/conversation_import._already_here) on a store of many
conversations of the same length, against the check it replaced (every conversation with as many messages
read whole, a thumb and a better-answer query per answer), run in the same process on the same store.

Prints the seconds of each (median of --rounds) and their ratio. A temporary SQLite file; no model.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import Clock, figure, load_average, median

from desktop_app.core import conversation_import as ci
from desktop_app.core.store import Store


def _fill(store: Store, conversations: int) -> None:
    """``conversations`` of four messages each (a question, an answer, a question, an answer), rated."""
    with store.transaction():
        for n in range(conversations):
            cid = store.create_conversation(f"Conversation {n}")
            parent = None
            for turn in range(2):
                question = store.add_message(cid, "user", f"Question {turn} of conversation {n}?", parent_id=parent)
                parent = store.add_message(cid, "assistant", f"An answer {turn} to conversation {n}, " + "words " * (n % 7),
                                           parent_id=question)
                store.rate_message(parent, 1 if n % 2 else -1)


def _file_messages() -> list[dict]:
    """A conversation of four messages the store does not hold (as parse_conversation gives it)."""
    texts = [("user", "A new question?"), ("assistant", "A new answer."), ("user", "Another?"), ("assistant", "Yes.")]
    return [{"id": n, "parent_id": n - 1 if n else None, "role": role, "text": text, "rating": None,
             "better_answer": None} for n, (role, text) in enumerate(texts)]


def _before(store: Store, messages: list[dict]) -> int | None:
    """The check as it was: every conversation of the same length read whole."""
    wanted = ci._shape(messages)
    for conversation in store.list_conversations():
        if conversation.get("message_count") == len(messages) and ci._stored_shape(store, conversation["id"]) == wanted:
            return conversation["id"]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(load_average())
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.sqlite3")
        try:
            _fill(store, args.conversations)
            messages = _file_messages()
            before, after = [], []
            for _ in range(args.rounds):
                with Clock() as clock:
                    assert _before(store, messages) is None
                before.append(clock.wall)
                with Clock() as clock:
                    assert ci._already_here(store, messages) is None
                after.append(clock.wall)
        finally:
            store.close()
    print(f"{args.conversations} conversations of 4 messages; the file's conversation is not among them")
    figure("before_s", median(before), 4)
    figure("after_s", median(after), 4)
    figure("speedup", median(before) / median(after), 1)


if __name__ == "__main__":
    main()
