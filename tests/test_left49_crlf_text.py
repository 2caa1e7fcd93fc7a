"""Line endings in the Text tab: Qt's plain-text editor holds "\\n" where a file or a model has "\\r\\n" or "\\r"
(documents.editor_text). A text file with Windows line endings was stored as read, so the document's text was
not the editor's: the tree's path never matched the editor's text, and a continuation of it had no model
marks (no "your text" figures). A branch written outside the window's controller kept a model's "\\r" the same
way. Now the file is read, stored and continued as the editor holds it, by the window and the command line
alike. Real SQLite, the tiny fixture model, the real CLI and a real window (pytest-qt)."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core import documents
from desktop_app.core import text_branches as tb
from desktop_app.core.store import Store
from helpers import piece_records

LINES = ["First line of a note written on Windows.", "Second line, and a third below.", "Third line."]
CRLF = "\r\n".join(LINES) + "\r\n"
LF = "\n".join(LINES) + "\n"


def _crlf_file(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(CRLF.encode("utf-8"))
    return path


def test_a_crlf_file_is_opened_as_the_editor_holds_it_and_left_untouched(tmp_path):
    path = _crlf_file(tmp_path)
    assert documents.read_text_file(path) == LF
    with Store.open(tmp_path / "t.sqlite3") as store:
        opened = documents.open_for_editing(store, path=path)
        assert opened["text"] == LF == documents.get_document(store, opened["id"])["text"]
        documents.save_document(store, opened["id"], "Pasted\r\nwords\r")  # any writer: the editor's form
        assert documents.get_document(store, opened["id"])["text"] == "Pasted\nwords\n"
    assert path.read_bytes() == CRLF.encode("utf-8"), "the file itself is untouched"


def test_a_continuation_with_carriage_returns_is_kept_as_the_editor_holds_it(tmp_path):
    """A continuation written by any caller of text_branches (not only the window's controller): the model's
    "\\r\\n" and lone "\\r" are kept as "\\n", its tokens' texts with them, so its marks cover it whole."""
    pieces = [" Then", " it", " ended", ".\r", "\n", "Next", "\r", " page"]
    records = piece_records(range(100, 100 + len(pieces)), pieces)
    with Store.open(tmp_path / "t.sqlite3") as store:
        doc = documents.create_document(store, LF)
        branch_id = tb.add_branch(store, doc, None, len(LF), "".join(pieces), records=records)
        branch = tb.get_branch(store, branch_id)
        assert branch["text"] == " Then it ended.\nNext\n page"
        assert "".join(t[1] for t in branch["tokens"]) == branch["text"] and len(branch["tokens"]) == len(pieces)
        assert [t[0] for t in branch["tokens"]] == [r.id for r in records], "the model's own tokens, for training"
        by_id = {b["id"]: b for b in tb.branches(store, doc)}
        path_text = tb.path_text(LF, by_id, branch_id)
        assert path_text == documents.editor_text(LF + "".join(pieces))
        assert tb.model_spans(LF, by_id, branch_id) == [(len(LF), len(path_text))]


def _analysed(tiny_model_dir, capsys, path) -> dict:
    assert main(["analyse", "--model", str(tiny_model_dir), "--device", "cpu", "--json", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    return {"tokens": [(t["text"], round(t["logprob"], 4)) for t in result["tokens"]], "summary": result["summary"]}


def test_the_cli_analyses_a_crlf_file_as_the_text_tab_does(tiny_model_dir, capsys, tmp_path):
    lf = tmp_path / "unix.txt"
    lf.write_text(LF, encoding="utf-8")
    crlf = _analysed(tiny_model_dir, capsys, _crlf_file(tmp_path))
    assert crlf == _analysed(tiny_model_dir, capsys, lf)
    assert not any("\r" in text for text, _lp in crlf["tokens"])


@pytest.fixture
def text_window(qtbot, qapp, tiny_model_dir):
    pytest.importorskip("PySide6")
    from test_gui_text import text_window as make_text_window

    yield from make_text_window.__wrapped__(qtbot, qapp, tiny_model_dir)


def test_a_crlf_file_opened_analysed_and_continued_keeps_its_marks(text_window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from test_gui_text import WAIT_MS

    window = text_window(max_new_tokens=8)
    view = window.text_view
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        assert view.open_file(str(_crlf_file(tmp_path)))
    assert view.editor.toPlainText() == LF
    qtbot.waitUntil(lambda: view.status.text() == "" and bool(view.heatmap.records), timeout=WAIT_MS)  # analysed
    view.editor.moveCursor(view.editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    added, _reason = blocker.args
    assert added
    qtbot.waitUntil(lambda: not window.text.continuing, timeout=WAIT_MS)
    window.chat.tasks.store.wait()
    qtbot.waitUntil(lambda: window.text.tree.shown is not None, timeout=WAIT_MS)
    shown = view.editor.toPlainText()
    assert shown == window.text.tree.shown_text() == LF + added, "the editor's text is the tree's"
    assert window.text.model_spans(shown) == [(len(LF), len(shown))], "the continuation keeps its marks"
