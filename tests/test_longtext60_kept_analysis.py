"""longtext60: a long text's analysis is kept between starts (core/analysis_cache.py, a SQLite file
beside the app's database), so a reopened text shows its colours without being scored again; a
newer or damaged cache is ignored and nothing is lost; and a question asked in Chat does not wait
for a long analysis, which goes on from its part afterwards (pytest-qt, offscreen, the tiny model
with its 128-token window, a real store and real widgets)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import analysis_cache, scoring, session  # noqa: E402
from desktop_app.core.scoring import score_text  # noqa: E402
from gui_windows import STORY, WAIT_MS, opened_window, send_in_chat  # noqa: E402

LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(40))


@pytest.fixture
def windows_run(monkeypatch):
    """Counts the analysis's passes as they run; ``hold_after`` makes the next one wait for ``release``."""
    class Windows:
        count = 0
        hold_after: int | None = None
        release = threading.Event()
        held = threading.Event()

    real = scoring._score_window

    def counted(*args, **kwargs):
        if Windows.hold_after is not None and Windows.count >= Windows.hold_after:
            Windows.held.set()
            Windows.release.wait(WAIT_MS / 1000)
        Windows.count += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_window", counted)
    return Windows


def first_start(qtbot, qapp, model_dir, text=LONG):
    """A start that types ``text`` and waits for its analysis (kept); its records and the cache's path."""
    with opened_window(qtbot, qapp, model_dir, max_new=4) as window:
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
            window.text_view.editor.setPlainText(text)
        window.text.chat.tasks.store.wait(10)  # the kept analysis is written on the store lane
        return blocker.args[0].records, analysis_cache.cache_file(window.text.store.path)


def next_start_records(qtbot, qapp, model_dir):
    """The next start's first complete analysis of the text it reopens, and the text on screen."""
    with opened_window(qtbot, qapp, model_dir, max_new=4) as window:
        if window.text.scored is None:
            with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
                pass
        qtbot.waitUntil(lambda: not window.text.lane.find("analyse"), timeout=WAIT_MS)
        window.text.chat.tasks.store.wait(10)
        return window.text.scored.records, window.text_view.editor.toPlainText(), list(window.text_view.heatmap.records)


def test_a_reopened_text_shows_its_kept_colours_without_scoring(qtbot, qapp, tiny_model_dir, windows_run):
    records, cache = first_start(qtbot, qapp, tiny_model_dir)
    assert cache.is_file() and windows_run.count > 4  # the long text took many passes
    windows_run.count = 0
    again, text, shown = next_start_records(qtbot, qapp, tiny_model_dir)
    assert text == LONG and again == records == shown
    assert windows_run.count == 0  # not one pass: the figures came from the kept analysis


def test_an_edit_after_a_kept_analysis_scores_only_from_the_edit(qtbot, qapp, tiny_model_dir, windows_run):
    """The kept analysis is the analysis's ``previous``: an edit at the end re-runs the last windows only."""
    first_start(qtbot, qapp, tiny_model_dir)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        qtbot.waitUntil(lambda: window.text.scored is not None and not window.text.lane.find("analyse"),
                        timeout=WAIT_MS)
        windows_run.count = 0
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
            window.text_view.editor.setPlainText(LONG + " And then it rained.")
        assert 1 <= windows_run.count <= 2
        assert blocker.args[0].records == score_text(window.chat.loaded, LONG + " And then it rained.")[1]


def test_a_newer_cache_is_left_alone_and_the_text_is_analysed_again(qtbot, qapp, tiny_model_dir, windows_run):
    records, cache = first_start(qtbot, qapp, tiny_model_dir)
    with sqlite3.connect(cache) as conn:
        conn.execute(f"PRAGMA user_version = {analysis_cache.FORMAT + 1}")
        rows = conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
    windows_run.count = 0
    again, text, _shown = next_start_records(qtbot, qapp, tiny_model_dir)
    assert text == LONG and again == records and windows_run.count > 4  # scored anew, the same figures
    with sqlite3.connect(cache) as conn:  # the newer version's file: not read, not written, nothing lost
        assert conn.execute("PRAGMA user_version").fetchone()[0] == analysis_cache.FORMAT + 1
        assert conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == rows == 1


def test_a_damaged_cache_is_moved_aside_and_a_new_one_kept(qtbot, qapp, tiny_model_dir, windows_run):
    records, cache = first_start(qtbot, qapp, tiny_model_dir)
    cache.write_bytes(b"not a database at all" * 100)
    windows_run.count = 0
    again, text, _shown = next_start_records(qtbot, qapp, tiny_model_dir)
    assert text == LONG and again == records and windows_run.count > 4
    (aside,) = cache.parent.glob(f"{cache.name}.bad-*")
    assert aside.read_bytes() == b"not a database at all" * 100  # kept, not deleted
    windows_run.count = 0
    third, _text, _shown = next_start_records(qtbot, qapp, tiny_model_dir)
    assert third == records and windows_run.count == 0  # the new cache serves the start after


def test_a_damaged_row_is_ignored_and_replaced(qtbot, qapp, tiny_model_dir, windows_run):
    records, cache = first_start(qtbot, qapp, tiny_model_dir)
    with sqlite3.connect(cache) as conn:
        conn.execute("UPDATE analyses SET logprobs = x'0102'")  # cut short: the arrays disagree
    windows_run.count = 0
    again, _text, _shown = next_start_records(qtbot, qapp, tiny_model_dir)
    assert again == records and windows_run.count > 4
    windows_run.count = 0
    assert next_start_records(qtbot, qapp, tiny_model_dir)[0] == records and windows_run.count == 0


def test_the_kept_analysis_belongs_to_its_model_identity(tiny_model, tmp_path):
    """Another adapter, precision or changed model file is another identity: nothing kept is read."""
    cache = tmp_path / analysis_cache.FILE_NAME
    scored = session.score_whole_text(tiny_model, STORY, detailed=20_000)
    kept_none, identity = session.kept_scoring(tiny_model, STORY, cache, detailed=20_000)
    assert kept_none is None and identity is not None
    assert session.keep_scoring(cache, STORY, identity, scored, document_id=1)
    kept, same = session.kept_scoring(tiny_model, STORY, cache, detailed=20_000)
    assert same == identity and kept == scored and kept.passes == scored.passes
    assert session.kept_scoring(tiny_model, STORY + " More.", cache, detailed=20_000)[0] is None
    assert session.kept_scoring(tiny_model, STORY, cache, detailed=None)[0] is None
    config = tiny_model.folder / "config.json"
    stat = config.stat()
    import os

    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the model's files changed
    try:
        assert session.kept_scoring(tiny_model, STORY, cache, detailed=20_000)[0] is None
    finally:
        os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_stopped_analysis_is_not_kept(tiny_model, tmp_path):
    cache = tmp_path / analysis_cache.FILE_NAME
    stopped = threading.Event()
    stopped.set()
    scored = session.score_whole_text(tiny_model, LONG, cancel=stopped)
    identity = session.kept_scoring(tiny_model, LONG, cache)[1]
    assert not scored.complete and not session.keep_scoring(cache, LONG, identity, scored)
    assert not cache.exists()


def test_a_question_in_chat_goes_ahead_of_a_running_analysis(qtbot, qapp, tiny_model_dir, windows_run):
    """The answer begins while the long analysis is held in one of its passes; the analysis then goes
    on from the passes it had done (none is run twice) and gives the figures of a whole scoring."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=6, seed=3) as window:
        order = []
        window.chat.answer_finished.connect(lambda _a: order.append("answer"))
        window.text.analysed.connect(lambda *_a: order.append("analysis"))
        said = []
        window.text_view.status.said.connect(lambda: said.append(window.text_view.status.text()))
        windows_run.hold_after = 3
        window.text_view.editor.setPlainText(LONG)
        window.text_view.flush_edit()
        assert windows_run.held.wait(WAIT_MS / 1000)  # the analysis runs, in its fourth pass
        send_in_chat(qtbot, window, "Hello there")
        qtbot.waitUntil(lambda: window.text.lane.running is not None
                        and window.text.lane.running.kind == "analyse" and window.text.lane.running.cancel.is_set(),
                        timeout=WAIT_MS)  # the question stopped it
        windows_run.release.set()
        qtbot.waitUntil(lambda: order == ["answer", "analysis"], timeout=WAIT_MS)
        ran, windows_run.hold_after = windows_run.count, None
        ids, whole = score_text(window.chat.loaded, LONG)
        full = scoring.window_plan(len(ids) + 1, 1, window.chat.loaded.context_window)
        assert ran == len(full)  # the passes before the stop were not run again
        assert window.text.scored.records == whole
        paused = [s for s in said if s.endswith(" (paused while Chat answers)")]
        assert paused and paused[0].startswith("colouring\u2026 ")  # its count, and that it waits
        assert not window.text_view.status.text().startswith("colouring")


def test_a_question_goes_ahead_of_a_waiting_analysis_but_not_of_other_work(qtbot):
    """The lane's order: an answer passes restartable work at the queue's end, never a load."""
    from desktop_app.gui.tasks import Lane, Task

    lane = Lane("test-lane", handshake=False)
    ran, gate = [], threading.Event()
    lane.submit(Task(lambda _r, _c: gate.wait(WAIT_MS / 1000), "hold", "hold"))
    lane.submit(Task(lambda _r, _c: ran.append("load"), "load", "load"))
    lane.submit(Task(lambda _r, _c: ran.append("analyse"), "analyse", "analyse", can_wait=True, restartable=True))
    lane.submit(Task(lambda _r, _c: ran.append("answer"), "answer", "answer", can_wait=True, passes_restartable=True))
    gate.set()
    assert lane.wait(WAIT_MS / 1000)
    lane.shutdown()
    assert ran == ["load", "answer", "analyse"]


def test_the_status_says_how_far_the_colouring_after_a_continuation_is(qtbot, qapp, tiny_model_dir, windows_run):
    """The status line was empty while the analysis that follows a continuation ran (minutes on a long text)."""
    import re

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=150, seed=3) as window:  # a few passes to colour
        view = window.text_view
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.editor.setPlainText(LONG)
        said, places = [], []
        view.status.said.connect(lambda: said.append(view.status.text()))
        view.status.said.connect(lambda: places.append(view.new_button.x()))
        windows_run.hold_after = windows_run.count  # the analysis after the continuation: held in its first pass
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            view.continue_button.click()
        assert windows_run.held.wait(WAIT_MS / 1000)
        qtbot.waitUntil(lambda: not window.text.continuing, timeout=WAIT_MS)
        assert view.status.text() == "colouring\u2026"  # not "": something runs
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
            windows_run.release.set()
        assert blocker.args[0].scorable > 0
        shares = [int(m[1]) for m in (re.match(r"colouring\u2026 (\d+)%", s) for s in said) if m]
        assert shares and all(0 <= share < 100 for share in shares)
        qapp.processEvents()
        assert set(places) | {view.new_button.x()} == {places[0]}  # the bar kept the words' room: New never slid
        assert not view.status.text().startswith("colouring")  # done: the words go


def test_the_colouring_words():
    from desktop_app.core.scoring import ScoreProgress
    from desktop_app.core.text_notes import colouring_words

    assert colouring_words() == "colouring\u2026"
    assert colouring_words(ScoreProgress(120, 800)) == "colouring\u2026 15%"
    assert colouring_words(ScoreProgress(2999, 3000)) == "colouring\u2026 99%"  # not 100% before the end
    assert colouring_words(ScoreProgress(800, 800)) == "colouring\u2026"  # the last pass done: no count to flash
    assert colouring_words(ScoreProgress(2000, 5000, "reading")) == "reading\u2026 40%"
