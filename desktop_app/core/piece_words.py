"""A token that holds only part of a character, in words: its bytes, read with the tokenizer of
the model whose records show it.

A record stores token ids and each alternative's text as decoded then ("\ufffd" for part of a
character: its bytes are not kept). The bytes are the tokenizer's for that id, so they are read
again from the model in use's tokenizer only when that model wrote (or scored) the record: after
a switch, id 4321 of another vocabulary is another token, and its bytes would be a wrong answer
given with confidence. Then the words say whose tokenizer holds them instead.
"""

from __future__ import annotations

from desktop_app.core.decoding import piece_bytes_words


def model_short_name(model_id: str) -> str:
    """A stored model id as a person knows the model: "SmolLM2-135M-Instruct" for
    "bundled:SmolLM2-135M-Instruct", a folder's or file's name, a hub id's last part."""
    tail = model_id.split(":", 1)[1] if model_id.startswith(("bundled:", "folder:", "gguf:")) else model_id
    return tail.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or model_id


def other_model(record_model: str | None, loaded_model: str | None) -> bool:
    """The records were written by a model other than the one in use (its tokenizer reads other ids)."""
    return bool(record_model and loaded_model and record_model != loaded_model)


def split_piece_words(tokenizer, token_id: int, record_model: str | None, loaded_model: str | None) -> str:
    """"bytes e2 80" for a token that holds part of a character; "" for a whole one, or where
    no tokenizer is at hand; where the record's model is not the one in use, which tokenizer
    has the bytes (read there, they would be another vocabulary's)."""
    if other_model(record_model, loaded_model):
        return (f"part of a character: its bytes are in {model_short_name(record_model)}'s tokenizer, "
                "which wrote this, not the model in use")
    return piece_bytes_words(tokenizer, token_id) if tokenizer is not None else ""


def piece_hex(tokenizer, token_id: int) -> str:
    """Just the hex ("e2 80") of a token that holds part of a character, else ""."""
    said = piece_bytes_words(tokenizer, token_id) if tokenizer is not None else ""
    return said.removeprefix("bytes ")
