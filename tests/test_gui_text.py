"""Text mode in the window (pytest-qt, offscreen, tiny random GPT-2): analyse a pasted text,
continue it (and stop), documents across restarts, opening files."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.scoring import score_text  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from gui_windows import not_busy, text_opened  # noqa: E402

WAIT_MS = 30_000
TEXT = "The model reads this paragraph and says how predictable every token was. " * 2


@pytest.fixture
def text_window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    made = []

    def make(max_new_tokens=16):
        paths = AppPaths.resolve().ensure()
        store = Store.open(paths.db_path)
        window = MainWindow(store, paths, model_spec=str(tiny_model_dir), device="cpu")
        made.append((window, store))
        qtbot.addWidget(window)
        window.popover.max_new.setValue(max_new_tokens)
        window.popover.seed.setValue(7)
        window.show()
        with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
            pass
        text_opened(qtbot, window)
        return window

    yield make
    for window, store in made:
        window.close()
        store.close()


def analysed(qtbot, window, text):
    """Paste ``text`` into the editor and wait for its analysis."""
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text_view.editor.setPlainText(text)
        window.text_view.editor.moveCursor(QTextCursor.MoveOperation.End)  # where a paste leaves it
    return blocker.args


def test_a_model_without_chat_template_opens_in_text_mode_and_says_why_once(text_window, qtbot):
    window = text_window()
    assert window.mode == "text" and window.text.document_id is not None
    assert window.notice_banner.isVisible() and "no chat template" in window.notice_banner.label.text()
    window.close()
    again = text_window()  # the mode was kept; the reason is not repeated
    assert again.mode == "text"
    assert not again.notice_banner.isVisible()
    again.set_mode("chat")
    again.close()
    third = text_window()
    assert third.mode == "chat"  # the person's choice wins over the model's lack of a template


def test_pasted_text_is_scored_and_summarised_as_core_scoring(text_window, qtbot):
    window = text_window()
    scored, summary = analysed(qtbot, window, TEXT)
    _ids, expected = score_text(window.chat.loaded, TEXT)  # the window's model, in its precision
    view = window.text_view.heatmap
    assert [r.id for r in view.records] == [r.id for r in expected]
    assert view.prefix + "".join(r.text for r in view.records) == TEXT
    want = documents.summarize(expected)
    assert summary.bucket_counts == want.bucket_counts and summary.tokens == len(expected)
    assert summary.perplexity == pytest.approx(want.perplexity, rel=1e-4)
    panel = window.text_view.summary_panel
    assert panel.bar.shares == pytest.approx(want.bucket_shares, rel=1e-4)
    shown = panel.figures.text().replace("\u00a0", " ")  # (a figure and its value do not break apart)
    assert f"{len(expected):,} tokens scored" in shown
    assert f"perplexity {want.perplexity:,.1f}" in shown
    assert not math.isnan(summary.mean_surprisal_bits)
    # a click shows the token in the same inspector as chat; hover goes to the status bar
    window.show_text_token(3, view.records[3])
    assert window.inspector.record == view.records[3] and window.inspector.isVisible()
    window.text_mode.token_hovered(3, view.records[3])
    assert "rank" in window.statusBar().currentMessage()


def test_edits_rescore_after_a_pause_and_older_analyses_are_dropped(text_window, qtbot):
    window = text_window()
    analysed(qtbot, window, TEXT)
    editor = window.text_view.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " More")
    assert window.text_view.timer.isActive()  # not at every key: after the pause
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        qtbot.keyClicks(editor, " words")
    scored = blocker.args[0]
    assert scored.unscored_prefix + "".join(r.text for r in scored.records) == TEXT + " More words"
    window.text.analyse("first")  # two quick asks: only the newest one is drawn
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text.analyse("second text")
    assert "".join(r.text for r in blocker.args[0].records).endswith("text")
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)  # both ended, their ends handled here
    QApplication.processEvents()
    assert window.text_view.heatmap.prefix + "".join(r.text for r in window.text_view.heatmap.records) \
        == "second text"


def test_ctrl_enter_streams_a_continuation_into_a_new_branch(text_window, qtbot):
    window = text_window(max_new_tokens=12)
    analysed(qtbot, window, TEXT)
    before = len(window.text_view.heatmap.records)
    streamed = []
    window.text.tokens.connect(streamed.extend)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window.text_view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    added, reason = blocker.args
    assert added and reason in ("length", "eos") and streamed
    assert "".join(r.text for r in streamed) == added  # coloured in the heatmap as it came
    assert window.text_view.editor.toPlainText() == (TEXT + added).replace("\r", "\n")  # the editor's line breaks
    assert len(window.text_view.heatmap.records) >= before
    window.chat.tasks.store.wait()
    QApplication.processEvents()
    # the main text is untouched; the continuation is a branch off its end, and it is shown
    assert documents.get_document(window.text.store, window.text.document_id)["text"] == TEXT
    (branch,) = tb.branches(window.text.store, window.text.document_id)
    assert branch["parent_id"] is None and branch["start"] == len(TEXT) and branch["text"] == added
    assert [t[0] for t in branch["tokens"]] == [r.id for r in streamed] and branch["kind"] == "continuation"
    assert tb.shown_branch(window.text.store, window.text.document_id) == branch["id"]


def test_esc_stops_the_continuation_and_keeps_what_came(text_window, qtbot):
    window = text_window(max_new_tokens=100)
    analysed(qtbot, window, TEXT)
    window.activateWindow()  # Esc is the window's shortcut: it acts in the active window only
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    stopped = []

    def stop_after_first(batch):
        if not stopped:
            stopped.append(len(batch))
            qtbot.keyClick(window.text_view.editor, Qt.Key.Key_Escape)

    window.text.tokens.connect(stop_after_first)
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as blocker:
        window.text_view.continue_button.click()
        assert window.text_view.editor.isReadOnly() and window.text_view.stop_button.isEnabled()
    added, reason = blocker.args
    assert reason == "cancelled" and stopped
    shown = (TEXT + added).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")  # the editor's line breaks
    assert window.text_view.editor.toPlainText() == shown
    assert not window.text_view.editor.isReadOnly() and window.text_view.continue_button.isEnabled()


def test_the_document_survives_reopening_the_database(text_window, qtbot):
    window = text_window()
    analysed(qtbot, window, "Kept across restarts, word for word.")
    document_id = window.text.document_id
    window.close()  # an edit still waiting is written before the window goes
    again = text_window()
    assert again.text.document_id == document_id
    assert again.text_view.editor.toPlainText() == "Kept across restarts, word for word."
    assert again.text_view.documents.currentText() == "Kept across restarts, word for word."


def test_opening_files_good_and_bad(text_window, qtbot, tmp_path):
    window = text_window()
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\x00\x00\x01binary")
    count, first = window.text_view.documents.count(), window.text.document_id
    window.text_view.editor.setPlainText("Words being written when the bad file was picked.")
    with qtbot.waitSignal(window.text.error, timeout=WAIT_MS):
        assert window.text_view.open_file(str(bad))  # read off the GUI thread, refused in words
    assert "binary" in window.error_banner.label.text() and window.text_view.documents.count() == count
    assert window.text_view.editor.toPlainText() == "Words being written when the bad file was picked."
    assert not window.text.opening and window.text_view.new_button.isEnabled()
    good = tmp_path / "notes.md"
    good.write_text("# Notes\n\nA short text to open.\n", encoding="utf-8")
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):  # (the words above are analysed first)
        assert window.text_view.open_file(str(good))
    assert window.text_view.editor.toPlainText() == "# Notes\n\nA short text to open.\n"
    window.chat.tasks.store.wait()
    assert documents.get_document(window.text.store, first)["text"] == \
        "Words being written when the bad file was picked.", "the words on screen were kept"
    assert window.text_view.documents.currentText() == "notes.md"


def test_new_keeps_one_empty_text_and_an_edit_titles_it(text_window, qtbot):
    window = text_window()
    view = window.text_view
    first = window.text.document_id
    view.new_document()  # the empty text on screen is the new one: no clutter
    assert window.text.document_id == first and view.documents.count() == 1
    analysed(qtbot, window, "Some words")
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        view.new_document()
        assert view.status.text() == "opening\u2026" and not view.new_button.isEnabled()
    assert window.text.document_id != first and view.documents.count() == 2
    window.chat.tasks.store.wait()
    assert documents.get_document(window.text.store, first)["title"] == "Some words"


def test_screenshot_of_text_mode(qapp, tmp_path, tiny_model_dir):
    """``--screenshot --view text``: the real window analyses the text given and saves the PNG."""
    from PySide6.QtGui import QImage

    from desktop_app.gui.app import run_app
    from test_gui_screenshot import _args

    out = tmp_path / "text.png"
    args = _args(tmp_path, str(tiny_model_dir), out, prompt="A short text to analyse for the picture.")
    args.screenshot_view = "text"
    assert run_app(args) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    with Store.open(args.db) as store:
        assert [documents.get_document(store, d["id"])["text"] for d in documents.list_documents(store)] \
            == ["A short text to analyse for the picture."]
        (document,) = documents.list_documents(store)
        rows = tb.branches(store, document["id"])  # continued, then regenerated: two siblings in the tree
        assert len(rows) == 2 and {(b["parent_id"], b["start"]) for b in rows} == {(None, len(args.screenshot_prompt))}



def test_at_800x600_the_text_bar_drops_words_rather_than_cutting_them(text_window, qtbot):
    window = text_window()
    assert window.mode_tabs.currentWidget() is window.text_view  # no chat template: Text mode
    view = window.text_view
    buttons = (view.new_button, view.open_button, view.stop_button, view.continue_button)
    window.resize(800, 600)
    for _ in range(3):
        QApplication.processEvents()
    for b in buttons:  # each shows all it says (its words, or only its icon), nothing cut
        assert b.width() >= b.sizeHint().width(), (b.toolTip(), b.text(), b.width(), b.sizeHint().width())
    window.resize(1280, 800)
    for _ in range(3):
        QApplication.processEvents()
    assert view.continue_button.text() == "Continue", "wide again: the words come back"


def test_the_heatmap_follows_a_continuation_to_its_end_like_the_editor(text_window, qtbot):
    window = text_window(max_new_tokens=24)
    window.resize(1088, 680)  # the default size of a first start on a 1280x800 screen
    view = window.text_view
    analysed(qtbot, window, TEXT * 6)  # longer than the heatmap shows
    view.set_editing(False)  # the coloured text (a new text opens in the editor)
    bar = view.heatmap_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    bar.setValue(0)  # the start of the text in view, as after an analysis
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)  # analysed again
    for _ in range(3):
        QApplication.processEvents()
    assert bar.maximum() > 0 and bar.value() == bar.maximum(), "the new tokens, not the text's start, are in view"
    bar.setValue(0)  # scrolled up afterwards: it stays where the person put it
    view.heatmap.set_records(view.heatmap.records, prefix=view.heatmap.prefix)
    for _ in range(3):
        QApplication.processEvents()
    view.analyse_now(save=False)
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    assert bar.value() < bar.maximum()
