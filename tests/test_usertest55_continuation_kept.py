"""usertest55: a continuation is stored while the model writes it, as a chat answer is, so an app killed mid-way
(kill -9, a power cut) keeps what was written: it had kept nothing, the next start showing the text as before the
continuation. Its row stays out of the tree until it ends, and the end is stored over the same row: one branch; a
row the end never came to is marked interrupted, which its outline row's tooltip says.
pytest-qt, the tiny model, a real SQLite file read again through a second connection."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.branch_words import INTERRUPTED_TIP, row_tip  # noqa: E402
from desktop_app.core.documents import editor_text  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.gui import text_controller  # noqa: E402
from gui_windows import STORY, WAIT_MS, opened_window  # noqa: E402
from test_text36_usertest12 import settle  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir, monkeypatch):
    monkeypatch.setattr(text_controller, "KEEP_EVERY_S", 0.0, raising=False)  # every token stored: no timing in the test
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=24, seed=5) as window:
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            window.text_view.editor.setPlainText(STORY)
        yield window


def _stored_branches(window) -> list[dict]:
    """The document's branches as another connection (the next start's) reads them from the file."""
    other = Store.open(AppPaths.resolve().db_path)
    try:
        return tb.branches(other, window.text.document_id)
    finally:
        other.close()


def test_a_continuation_whose_end_never_comes_is_stored_as_far_as_it_was_written(window, qtbot, monkeypatch):
    ends = []
    monkeypatch.setattr(window.text, "_continued", ends.append)  # the app killed: its end is never heard
    window.text_view.continue_button.click()
    qtbot.waitUntil(lambda: bool(ends), timeout=WAIT_MS)
    written = "".join(record.text for record in window.text.streamed)
    assert written
    window.chat.tasks.store.wait()
    (row,) = _stored_branches(window)
    assert (row["parent_id"], row["start"], row["kind"]) == (None, len(STORY), "continuation")
    assert row["text"] == editor_text(written) and len(row["tokens"]) == len(window.text.streamed)
    assert window.text.tree.by_id == {}  # not in the tree while it is written: the outline's "writing…" row is
    # the next start's outline says it was cut, in its row's tooltip
    assert tb.interrupted(row) and INTERRUPTED_TIP in row_tip(row, STORY)


def test_a_continuation_that_ends_is_one_branch_stored_over_its_row(window, qtbot):
    seen_while_writing = []
    window.text.tokens.connect(lambda _records: seen_while_writing.append(window.text.tree.writing))
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as ended:
        window.text_view.continue_button.click()
    settle(window)
    assert seen_while_writing and all(w is not None for w in seen_while_writing)
    (row,) = _stored_branches(window)
    assert row["text"] == editor_text(ended.args[0])
    assert not tb.interrupted(row) and row["sampling"] == window.text.sampling  # its settings, the mark gone
    assert INTERRUPTED_TIP not in row_tip(row, STORY)
    assert window.text.tree.writing is None and window.text.tree.shown == row["id"]
    assert list(window.text.tree.by_id) == [row["id"]]
