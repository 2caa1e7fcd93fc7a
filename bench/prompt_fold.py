"""What folding a long prompt saves: a user card showing a 70 KB prompt (800 lines) whole, as the chat did
before, and folded (its first lines and "Show all 800 lines": MessageCard.show_prompt), laid out in a
chat-wide transcript, side by side in one process, offscreen. Prints ratios and heights, not times:
  whole_over_folded: CPU seconds to show the prompt whole / folded
  whole_px, folded_px: the card's text's height in pixels either way

    taskset -c 0 python -u bench/prompt_fold.py [--lines 800] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402  (the repository on the path)

LINE = "The lighthouse keeper counted the waves every night and wrote their number in a book."


def shown_in(transcript, text: str, folded: bool) -> tuple[float, int]:
    """CPU seconds to show ``text`` on a new user card and lay it out, and the card's text's height."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.message_card import MessageCard

    start = time.process_time()
    card = MessageCard("user", {"id": 1, "text": text, "role": "user"})
    if folded:
        card.show_prompt(prefix=text)
    else:  # what the chat did before: the whole text in the view
        card.view.set_records([], prefix=text)
    transcript.add_card(card)
    QApplication.processEvents()
    seconds = time.process_time() - start
    height = card.view.height()
    transcript.clear()
    return seconds, height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.transcript import TranscriptView

    app = QApplication.instance() or QApplication([])
    transcript = TranscriptView()
    transcript.resize(760, 700)
    transcript.show()
    text = "\n".join(f"{n}. {LINE}" for n in range(args.lines))
    whole, folded = [], []
    for _ in range(args.rounds):  # alternated, so a busy moment falls on both
        whole.append(shown_in(transcript, text, folded=False))
        folded.append(shown_in(transcript, text, folded=True))
    print(f"prompt: {len(text):,} characters, {args.lines} lines; {_common.load_average()}")
    _common.figure("whole_over_folded", _common.median(s for s, _ in whole) / _common.median(s for s, _ in folded), 1)
    _common.figure("whole_px", whole[0][1], 0)
    _common.figure("folded_px", folded[0][1], 0)
    app.processEvents()


if __name__ == "__main__":
    main()
