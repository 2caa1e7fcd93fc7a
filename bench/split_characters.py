"""How many characters of ordinary non-English text a byte-level tokenizer shows on a token other
than the one where the model chose them (the token holding their first byte), where a token rating
used to train; and how many of those the pieces alone ("" before the token that shows the character)
would miss, so that core.text_pieces.CharacterLayout reads the tokens' bytes. Counts, not times.

    python bench/split_characters.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _common

TEXTS = ["I love it 😀! Great job 🎉🚀 see you 👋", "Le café est très bon, naïve idée à Paris.",
         "日本語のテキストも少し。中文也有一点。한국어도 조금.", "Ærøskøbing, Zürich, São Paulo, Kraków, İstanbul",
         "Prices: 5€, 3£, ±2°C — “quoted” text…"]


def by_pieces(pieces: list[str], shown: int) -> int:
    while shown > 0 and pieces[shown - 1] == "":
        shown -= 1
    return shown


def count(name: str, tokenizer) -> None:
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of

    chars = moved = missed = 0
    for text in TEXTS:
        layout = layout_of(tokenizer, answer_ids(tokenizer, text))
        shown_of = [i for i, piece in enumerate(layout.pieces) for _ in piece]  # each character's showing token
        for char, shown in zip(text, shown_of):
            if ord(char) < 128:
                continue
            chars += 1
            began = layout.trained(shown)
            moved += began != shown
            missed += began != by_pieces(layout.pieces, shown)
    _common.figure(f"{name} non-ASCII characters", chars, 0)
    _common.figure(f"{name} shown on another token than their first byte's", moved, 0)
    _common.figure(f"{name} of those the pieces' rule misses", missed, 0)


def main() -> None:
    from transformers import AutoTokenizer

    from tiny_model import build_tiny_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _common.add_cache_dir(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        count("tiny fixture BPE", AutoTokenizer.from_pretrained(build_tiny_model(Path(folder) / "tiny")))
    count("bundled SmolLM2", AutoTokenizer.from_pretrained(_common.bundled_folder(args.cache_dir)))


if __name__ == "__main__":
    main()
