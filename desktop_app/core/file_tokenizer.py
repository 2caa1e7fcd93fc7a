"""A model folder's tokenizer.json read by the `tokenizers` library alone, for work that only reads
text as the model does (the CLI's `rate --token` and `export`): importing transformers for it took
~5 s of a 6 s command (cli102), and transformers' fast tokenizer is this same object underneath.

``FileTokenizer`` answers the few calls the app's tokenizer readers make (core/decoding.py,
core/text_pieces.py, core/prompts.encode) exactly as transformers' tokenizer of that folder does.
"""

from __future__ import annotations

from pathlib import Path

TOKENIZER_JSON = "tokenizer.json"


class FileTokenizer:
    """transformers' tokenizer calls the app makes, over ``tokenizers.Tokenizer``.

    Attributes:
        backend_tokenizer: the ``tokenizers.Tokenizer`` read from the file (its decoder tells a
            byte-level tokenizer, as transformers' ``backend_tokenizer`` does).
        all_special_ids: the ids of the file's special added tokens."""

    def __init__(self, backend) -> None:
        self.backend_tokenizer = backend
        added = backend.get_added_tokens_decoder()
        self.all_special_ids = sorted(i for i, token in added.items() if token.special)

    def __len__(self) -> int:
        return self.backend_tokenizer.get_vocab_size(with_added_tokens=True)

    def __call__(self, text: str, add_special_tokens: bool = True) -> dict:
        encoding = self.backend_tokenizer.encode(text, add_special_tokens=add_special_tokens)
        return {"input_ids": list(encoding.ids)}

    def convert_ids_to_tokens(self, token_id: int) -> str | None:
        return self.backend_tokenizer.id_to_token(int(token_id))

    def decode(self, ids, skip_special_tokens: bool = False, clean_up_tokenization_spaces: bool = False) -> str:
        # the app decodes with clean_up_tokenization_spaces=False everywhere: the text exactly as written
        return self.backend_tokenizer.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)


def read_file_tokenizer(folder: Path) -> FileTokenizer | None:
    """The folder's tokenizer.json as a ``FileTokenizer``; None where the folder has none (a
    vocab.json or sentencepiece tokenizer, which only transformers reads)."""
    path = Path(folder) / TOKENIZER_JSON
    if not path.is_file():
        return None
    from tokenizers import Tokenizer

    return FileTokenizer(Tokenizer.from_file(str(path)))
