"""Rated answers in a real store for the conflict106 tests: each answer in a conversation of its own,
its tokens stored as generated records (the texts given), as the window stores a model's answer."""

from __future__ import annotations

from desktop_app.core.records import TokenRecord


def answer(store, question: str, pieces: list[str] | str, title: str = "Chat") -> int:
    """A new conversation holding ``question`` and an answer of ``pieces`` (its tokens' texts; a str:
    one token); the answer's message id."""
    pieces = [pieces] if isinstance(pieces, str) else pieces
    conversation = store.create_conversation(title)
    asked = store.add_message(conversation, "user", question)
    records = [TokenRecord(id=i + 10, text=p, logprob=-1.0, rank=1, entropy=1.0) for i, p in enumerate(pieces)]
    return store.add_message(conversation, "assistant", "".join(pieces), parent_id=asked, model_id="tiny",
                             records=records, settings={"finish_reason": "eos", "max_new_tokens": 16})


def conversation_of(store, message_id: int) -> int:
    return store.get_message(message_id)["conversation_id"]
