"""While a continuation streams in, the Text tab's status words say how far it is ("writing… 40%", the share of
Max new tokens written), and their tooltip what the share counts (usertest43: a novelist at 1280x800 waited the
40 s of a 128-token continuation on a CPU under a bare "writing…"). pytest-qt on the real window, tiny GPT-2,
a real store."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.text_notes import WRITING, writing_tip, writing_words  # noqa: E402
from gui_windows import WAIT_MS, not_busy  # noqa: E402
from test_gui_loom import continue_with, window  # noqa: E402,F401

SHARE = re.compile("writing\u2026 (\\d+)%")


def test_the_words_give_the_share_of_the_limit_and_never_100():
    assert writing_words(0, 128) == WRITING, "before the first token: nothing to count"
    assert writing_words(32, 128) == "writing\u2026 25%"
    assert writing_words(128, 128) == "writing\u2026 99%", "it says it is done when it ends, not before"
    assert writing_words(5, 0) == WRITING
    assert writing_tip("Writing", 1, 128) == ("Writing\n1 token of at most 128 (Max new tokens in Settings, Ctrl+,): it may "
                                              "end sooner, or run on mid-sentence up to 32 tokens more to the "
                                              "sentence's end")  # (text71)
    assert writing_tip("Writing", 0, 128) == "Writing"


def test_the_status_words_count_up_while_the_continuation_streams(window, qtbot):
    view, seen = window.text_view, []
    limit = window.chat.settings.max_new_tokens
    # connected after the tab's own handler: what the words say once each batch of tokens is shown
    window.text.tokens.connect(lambda _records: seen.append((view.status.text(), view.status.toolTip())))
    continue_with(qtbot, window, view.continue_button.click)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    shares = [SHARE.fullmatch(words) for words, _tip in seen]
    assert seen and all(shares), f"every batch of tokens said how far it was: {seen}"
    assert 0 < int(shares[-1].group(1)) <= 99
    assert f"of at most {limit} (Max new tokens" in seen[-1][1]
    assert not SHARE.match(view.status.text()), "once it ended, the words no longer say it is writing"
