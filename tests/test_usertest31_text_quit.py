"""usertest31: closing the window while the Text tab writes a continuation keeps what it wrote as a
branch, as Esc does (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.documents import editor_text  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from gui_windows import STORY, WAIT_MS, opened_window  # noqa: E402

SHOWN = 4  # tokens on screen when the window closes


def test_closing_mid_continuation_keeps_the_tokens_written_as_a_branch(qtbot, qapp, tiny_model_dir):
    """A branch half written at Alt+F4 was gone at the next start: the continuation's own end comes
    after the window closed its lanes, and nothing else kept it."""
    streamed, closed = [], []

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=200, seed=3) as window:
        window.text_view.editor.setPlainText(STORY)
        window.text.tokens.connect(streamed.extend)

        def close_after_a_few(_batch) -> None:
            if len(streamed) >= SHOWN and not closed:
                closed.append(window.text.document_id)
                window.close()

        window.text.tokens.connect(close_after_a_few)
        window.text_view.continue_button.click()
        qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
        store_path = window.text.store.path
    again = Store.open(store_path)
    (branch,) = tb.branches(again, closed[0])
    assert branch["start"] == len(STORY) and branch["text"] == editor_text("".join(r.text for r in streamed))
    assert [t[0] for t in branch["tokens"]] == [r.id for r in streamed]
    again.close()
