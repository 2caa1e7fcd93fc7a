"""textwords107: a continuation cut off when the app stopped (killed mid-way) was kept as its branch, marked
interrupted, but only its outline row's tooltip said so. At the next start, the text opened says it once in the
notice line, with "Show it", which shows that branch. pytest-qt, the real window on the tiny fixture model and a
real store written before the window opens, as a start after a kill finds it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.text_notes import SHOW_INTERRUPTED, cut_by_a_stop, interrupted_notice  # noqa: E402
from gui_windows import STORY, WAIT_MS, opened_window, text_opened  # noqa: E402

CUT = " The lighthouse keeper climbed the stairs and"


def _cut_before_this_start() -> tuple[int, int]:
    """A text with a finished continuation and one the app stopped in, 6 tokens of it stored: (text, branch)."""
    store = Store.open(AppPaths.resolve().ensure().db_path)
    doc = documents.create_document(store, STORY, "Lighthouse")
    tb.add_branch(store, doc, None, len(STORY), " A finished one.", sampling={"temperature": 1.0})
    cut = tb.add_branch(store, doc, None, len(STORY), CUT, sampling={tb.INTERRUPTED: True})
    with store.transaction() as conn:  # its tokens as keep_written stores them
        conn.execute("UPDATE text_branches SET tokens = ?, created = ? WHERE id = ?",
                     ('[[1, " The"], [2, " light"], [3, "house"], [4, " keeper"], [5, " climbed"], [6, " the"]]',
                      "2026-01-02T09:15:00+00:00", cut))
    store.close()
    return doc, cut


def test_the_next_start_says_once_that_a_continuation_was_cut_and_shows_it(qtbot, qapp, tiny_model_dir):
    doc, cut = _cut_before_this_start()
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.set_mode("text")
        text_opened(qtbot, window)
        assert window.text.document_id == doc
        banner = window.notice_banner
        qtbot.waitUntil(lambda: banner.isVisible() and "cut off" in banner.label.text(), timeout=WAIT_MS)
        said = banner.label.text()
        assert said.startswith("The continuation of Jan 2 ") and "was cut off when the app stopped" in said
        assert "its 6 tokens are kept as branch \u2039The lighthouse keeper" in said, said
        assert banner.action_button.text() == SHOW_INTERRUPTED and banner.action_button.isVisible()
        assert window.text.tree.shown != cut
        qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
        assert window.text.tree.shown == cut
        current = window.text_view.branch_panel.outline.currentItem()
        assert current.data(0, Qt.ItemDataRole.UserRole) == cut
        # another text opened takes the notice back (its link would do nothing there); the text opened again
        # this start says nothing more of it: once
        window.text_view.texts.new_document()
        qtbot.waitUntil(lambda: not window.text.opening and window.text.document_id != doc, timeout=WAIT_MS)
        assert not (banner.isVisible() and "cut off" in banner.label.text())
        window.text_view.texts.open_document(doc)
        qtbot.waitUntil(lambda: not window.text.opening and window.text.document_id == doc, timeout=WAIT_MS)
        assert not (banner.isVisible() and "cut off" in banner.label.text())


def test_a_continuation_written_since_this_start_is_no_cut_one():
    stopped = {"id": 1, "created": "2026-01-02T09:15:00+00:00", "sampling": {tb.INTERRUPTED: True},
               "title": None, "text": " one", "tokens": [[1, " one"]]}
    writing = {**stopped, "id": 2, "created": "2026-01-02T10:00:00+00:00"}
    ended = {**stopped, "id": 3, "sampling": {"temperature": 1.0}}
    started = "2026-01-02T09:30:00+00:00"
    assert [b["id"] for b in cut_by_a_stop([stopped, writing, ended], started)] == [1]
    assert "its 1 token is kept as branch \u2039one\u203a." in interrupted_notice(stopped)
