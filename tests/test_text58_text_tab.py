"""text58: what a new user found in the Text tab (pytest-qt, offscreen, the tiny model, a real store):
"Continue with …" greyed with no reason while the text's work ran, "Why this token?" saying "once the
continuation ends" after it had ended."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui import off_words  # noqa: E402
from desktop_app.gui.tasks import Task  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402


def hold_model_lane(window) -> threading.Event:
    """A task on the model lane that runs until the returned event is set: what is asked after it waits."""
    gate, started = threading.Event(), threading.Event()

    def work(_report, _cancel):
        started.set()
        gate.wait(WAIT_MS / 1000)

    window.chat.lane.submit(Task(work, "held", "held"))
    started.wait(WAIT_MS / 1000)
    return gate


@pytest.fixture
def held_analysis(monkeypatch):
    """Text analyses wait for the returned event (set: they run at once)."""
    from desktop_app.core import session

    real, gate = session.analyse_text, threading.Event()
    gate.set()

    def analyse_when_let(*args, **kwargs):
        gate.wait(WAIT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(session, "analyse_text", analyse_when_let)
    return gate


def test_continue_with_says_what_it_waits_for_and_is_on_once_it_can_run(qtbot, qapp, tiny_model_dir):
    """Clicked while a continuation was written, the token's "Continue with …" was gone or greyed with no
    reason, and stayed so after the continuation ended."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view, mode, inspector = window.text_view, window.text_mode, window.inspector
        button = inspector.branch_button
        gate = hold_model_lane(window)
        view.continue_button.click()
        mode.show_token(3, view.heatmap.records[3])
        inspector.pick(1)
        assert button.isVisibleTo(inspector) and not button.isEnabled()
        assert button.toolTip() == off_words.BRANCH_AFTER_WRITING == inspector.hint.text()
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            gate.set()
        QApplication.processEvents()
        assert button.isEnabled() and button.toolTip() == off_words.TEXT_BRANCH_TIP  # the pick kept, no re-pick
        assert "being written" not in inspector.hint.text()
        # the text changed under the colours: the branch waits for the analysis of the new text
        gate = hold_model_lane(window)
        view.set_editing(True)
        view.editor.setPlainText(STORY + " And more.")
        assert not button.isEnabled() and button.toolTip() == off_words.BRANCH_AFTER_ANALYSIS
        gate.set()


def test_why_this_token_says_the_state_the_text_is_in(qtbot, qapp, tiny_model_dir, held_analysis):
    """After the continuation ended, while its analysis ran, a continuation token's section still said
    "once the continuation ends", and it never offered Explain until the token was clicked again."""
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view, mode, explain = window.text_view, window.text_mode, window.inspector.explain
        held_analysis.clear()
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_button.click()
        QApplication.processEvents()
        last = min(view.heatmap.model_written)  # the continuation's first token
        mode.show_token(last, view.heatmap.records[last])
        assert explain.status.text() == off_words.EXPLAIN_AFTER_ANALYSIS
        assert "continuation ends" not in explain.status.text() and not explain.button.isVisibleTo(explain)
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            held_analysis.set()
        QApplication.processEvents()
        assert window.inspector.index == last  # the token kept its place: Explain is offered without a new click
        assert explain.button.isVisibleTo(explain) and explain.status.text() != off_words.EXPLAIN_AFTER_ANALYSIS


def test_the_wait_words_follow_the_state():
    assert off_words.text_branch_wait(continuing=False, text_changed=False) is None
    assert off_words.text_branch_wait(continuing=True, text_changed=False) == off_words.BRANCH_AFTER_WRITING
    assert off_words.text_explain_wait(continuing=False, analysing=True) == off_words.EXPLAIN_AFTER_ANALYSIS
    assert "continuation" not in off_words.text_explain_wait(continuing=False, analysing=False)


# ------------------------------------------------------------ a continuation's sampler settings (schema 9)

def test_a_schema_8_file_opens_and_its_old_continuations_say_they_kept_no_settings(tmp_path):
    """Schema 9 adds text_branches.sampling; a branch written before has none, and its cut says so."""
    import sqlite3

    from desktop_app.core import documents, text_branches as tb
    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.core.sampler_cut import cut_for_continuation
    from desktop_app.core.store import Store
    from desktop_app.core.store_schema import SCHEMA_VERSION, migrate

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=8)
    stamp = "2026-01-01T00:00:00"
    conn.execute("INSERT INTO documents (id, title, text, created, updated) VALUES (1, 'Old', 'A story', ?, ?)",
                 (stamp, stamp))
    conn.execute("INSERT INTO text_branches (id, document_id, start, text, kind, tokens, model_id, created) "
                 "VALUES (1, 1, 7, ' went', 'continuation', '[[5, \" went\", -0.5]]', 'tiny', ?)", (stamp,))
    conn.close()
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION >= 9
        (old,) = tb.branches(store, 1)
        assert old["sampling"] == {}
        record = TokenRecord(id=5, text=" went", logprob=-0.5, rank=1, entropy=1.0,
                             top=[Alternative(5, " went", 0.6), Alternative(9, " sat", 0.001)])
        assert "stored no sampling settings" in cut_for_continuation(old, record, 0).note
        settings = {"temperature": 0.8, "top_k": 50, "top_p": 0.95, "min_p": 0.1, "repetition_penalty": 1.0}
        new = tb.add_branch(store, 1, None, 7, " sat", records=[record], model_id="tiny", sampling=settings)
        kept = tb.get_branch(store, new)
        assert kept["sampling"] == settings
        assert cut_for_continuation(kept, record, 0).cut == {9: "cut by min-p 0.1 after temperature 0.8"}
        assert documents.get_document(store, 1)["text"] == "A story"
    finally:
        store.close()


def test_the_inspector_dims_a_text_continuations_alternatives_by_its_own_settings(qtbot, qapp, tiny_model_dir):
    """A Text continuation stored no sampler settings: its tokens' alternatives were never dimmed."""
    from desktop_app.core import text_branches as tb

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.popover.top_k.setValue(2)  # the tiny model is unsure (0.3-0.4% each): top-k 2 cuts 8 of its 10
        view, mode, inspector = window.text_view, window.text_mode, window.inspector
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
                view.continue_button.click()
        (branch,) = tb.branches(window.text.store, window.text.document_id)
        assert branch["sampling"]["temperature"] == window.chat.settings.temperature
        assert branch["sampling"]["top_k"] == window.chat.settings.top_k
        first = min(view.heatmap.model_written)
        mode.show_token(first, view.heatmap.records[first])
        assert inspector.sampler_note.text().startswith("8 dimmed: the sampler could not have picked them (cut by top-k")
        assert sum(inspector.chart.dimmed()) == 8
        mode.show_token(0, view.heatmap.records[0])  # the person's token: no sampler
        assert inspector.sampler_note.isHidden()


# ------------------------------------------------------------ the outline's rows

def _branch(id_, text, *, prob=0.12, title=None, created="2026-12-04T16:33:00"):
    return {"id": id_, "text": text, "title": title, "mean_prob": prob, "created": created, "parent_id": None}


def test_sibling_rows_say_what_tells_them_apart():
    """Regenerate's rows read alike: the same first words in the narrow column, or the very same text."""
    from desktop_app.core import branch_words as bw

    alike = [_branch(1, " The keeper slept until the storm woke him."),
             _branch(2, " The keeper slept until dawn, then counted."),
             _branch(3, " A gull cried.")]
    rows = bw.sibling_labels(alike)
    assert rows[1].startswith("\u2026the storm") and rows[2].startswith("\u2026dawn,")
    assert rows[3] == "A gull cried." or rows[3] == " A gull cried."
    same = [_branch(4, " Waves."), _branch(5, " Waves."), _branch(6, " Waves.", title="Mine")]
    rows = bw.sibling_labels(same)
    assert rows[4].startswith("1 of 2 alike") and rows[5].startswith("2 of 2 alike") and rows[6] == "Mine"
    assert len(set(bw.sibling_labels(alike + same).values())) == 6


def test_a_rows_percentage_and_tooltip_say_what_they_are():
    from desktop_app.core import branch_words as bw

    assert bw.percent(_branch(1, "x", prob=0.0034)) == "0.34%" and bw.percent(_branch(1, "x", prob=0.123)) == "12%"
    assert bw.percent(_branch(1, "x", prob=None)) == ""
    tip = bw.row_tip(_branch(1, " went on."), "A story about a lighthouse keeper")
    assert "Made " in tip and "\u201c\u2026A story about a lighthouse keeper\u201d" in tip
    assert "12%: mean probability" in tip and "average chance" in tip
    assert "mean probability" not in bw.row_tip(_branch(1, "mine", prob=None), "")


def test_the_outline_names_its_percentage(qtbot, qapp, tiny_model_dir):
    """The outline's % had no header and no word of what it was on the rows."""
    from desktop_app.core import branch_words as bw

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        view = window.text_view
        window.resize(1280, 800)
        for click in (view.continue_button.click, view.regenerate_button.click):
            with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
                with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
                    click()
        panel = view.branch_panel
        QApplication.processEvents()
        assert panel.outline.headerItem().text(1) == bw.PERCENT_HEADER and not panel.outline.isHeaderHidden()
        assert panel.outline.headerItem().toolTip(1) == bw.PERCENT_TIP
        rows = [item for item in panel.items() if item.data(0, 256) != -1]
        assert len(rows) == 2 and rows[0].text(0) != rows[1].text(0)
        assert all(row.toolTip(1) == bw.PERCENT_TIP and "Made " in row.toolTip(0) for row in rows)


# ------------------------------------------------------------ the Text tab at 800x600 and 1024x700

def test_at_800x600_the_text_has_the_room_and_whole_lines(qtbot, qapp, tiny_model_dir):
    """At 800x600 the inspector took 42% of the window and the branch list under the text cut its last
    line in two; at 1024x700 the branches stay beside the text."""
    from desktop_app.gui.text_view import NARROW_WIDTH
    from test_small40_short_window import settle

    text = " ".join([STORY] * 6)
    with window_with_text(qtbot, qapp, tiny_model_dir, text) as window:
        view = window.text_view
        window.resize(800, 600)
        qtbot.waitUntil(lambda: window.width() == 800, timeout=WAIT_MS)
        settle()
        qtbot.waitUntil(lambda: window.side_tabs.width() <= 0.36 * window.width(), timeout=WAIT_MS)
        assert window.side_tabs.isVisible() and view.width() > 500
        assert view.lower.orientation() == Qt.Orientation.Vertical  # branches under the text
        view.set_editing(False)  # the colours in front (the text was typed: the editor was)
        qtbot.waitUntil(lambda: view.heatmap_scroll.isVisible(), timeout=WAIT_MS)
        view.heatmap_scroll.verticalScrollBar().setValue(0)
        settle()
        scroll, heatmap = view.heatmap_scroll, view.heatmap
        first = heatmap.viewport().mapTo(scroll.widget(), heatmap.cursorRect(QTextCursor(heatmap.document())).topLeft())
        pitch, line = heatmap.line_pitch(), heatmap.fontMetrics().lineSpacing()
        assert (scroll.viewport().height() - first.y()) % pitch >= line or \
            (scroll.viewport().height() - first.y()) % pitch == 0, "a line cut in two at the text's foot"
        assert view.branch_panel.outline.isHeaderHidden()  # under the text its rows need the room
        window.resize(1024, 700)
        qtbot.waitUntil(lambda: view.lower.orientation() == Qt.Orientation.Horizontal, timeout=WAIT_MS)
        assert view.width() >= NARROW_WIDTH and not view.branch_panel.outline.isHeaderHidden()
