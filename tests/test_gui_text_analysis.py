"""Text mode with long texts and exports, in the window (pytest-qt, offscreen, tiny model with
a 128-token window so a few hundred words take many windows): progress and Cancel, the
analysis after an edit re-running only the windows from the edit, exports, bad files,
Continue on an empty text."""

from __future__ import annotations

import csv
import json
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from desktop_app.core import documents, scoring  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.core.scoring import score_text  # noqa: E402
from gui_windows import text_opened, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from helpers import thread_name, watch_calls  # noqa: E402

WAIT_MS = 30_000
LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(40))


@pytest.fixture
def windows_run(monkeypatch):
    """Counts the model's windows as they run; ``hold`` makes the next one wait for ``release``
    (a slow model: the window's Cancel then comes while the analysis is running)."""
    class Windows:
        count = 0
        hold_after: int | None = None
        release = threading.Event()

    real = scoring._score_window

    def counted(*args, **kwargs):
        if Windows.hold_after is not None and Windows.count >= Windows.hold_after:
            Windows.release.wait(WAIT_MS / 1000)
        Windows.count += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_window", counted)
    return Windows


def analysed(qtbot, window, text):
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text_view.editor.setPlainText(text)
    return blocker.args


def test_a_long_text_shows_progress_and_cancel_keeps_the_part_analysed(window, qtbot, windows_run):
    panel, view = window.text_view.summary_panel, window.text_view
    windows_run.hold_after = 2
    progress = []
    window.text.analyse_progress.connect(lambda p: progress.append((p.done, p.total)))
    view.editor.setPlainText(LONG)
    qtbot.waitUntil(lambda: panel.progress_row.isVisible(), timeout=WAIT_MS)  # after the first window
    done, total = progress[-1]
    assert 0 < done < total and panel.progress.value() == done and panel.progress.maximum() == total
    assert view.editor.isEnabled() and not view.editor.isReadOnly()  # the window stays usable meanwhile
    with qtbot.waitSignal(window.text.analysis_stopped, timeout=WAIT_MS) as blocker:
        panel.cancel_button.click()
        windows_run.release.set()
    partial, summary = blocker.args
    assert not partial.complete and 0 < len(partial.records) < total
    assert len(view.heatmap.records) == len(partial.records) == summary.tokens
    assert not panel.progress_row.isVisible() and "stopped" in view.status.text()
    ran = windows_run.count
    windows_run.hold_after = None
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        view.analyse_now(save=False)  # goes on from the part analysed
    plan = scoring.window_plan(len(partial.ids) + 1, 1, window.chat.loaded.context_window)  # after the start token
    assert ran < len(plan) and windows_run.count == len(plan)  # no window done before is run again
    assert blocker.args[0].records == score_text(window.chat.loaded, LONG)[1]


def test_an_edit_near_the_end_reruns_only_the_last_windows(window, qtbot, windows_run):
    analysed(qtbot, window, LONG)
    windows_run.count = 0
    editor = window.text_view.editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        editor.insertPlainText(" And then it rained.")
    assert 1 <= windows_run.count <= 2
    expected = score_text(window.chat.loaded, LONG + " And then it rained.")[1]
    assert blocker.args[0].records == expected == window.text_view.heatmap.records


def test_exports_from_the_text_view(window, qtbot, tmp_path):
    scored, summary = analysed(qtbot, window, LONG)
    panel, tools = window.text_view.summary_panel, window.text_view.analysis_tools
    assert panel.export_button.isEnabled()
    assert [a.text() for a in panel.export_button.menu().actions()] == [
        "Text as a file\u2026", "Heatmap as PNG\u2026", "HTML page (.html)\u2026", "Tokens as JSON\u2026",
        "Tokens as CSV\u2026", "Summary as CSV\u2026"]
    saved = tools.export("txt", str(tmp_path / "story.md"))  # the text itself, as it is on screen
    assert saved.read_text(encoding="utf-8") == window.text_view.editor.toPlainText() == LONG
    assert window.statusBar().currentMessage() == f"Saved {saved}"
    png = tools.export("png", str(tmp_path / "heat.png"))
    image = QImage(str(png))
    # at least 2 pixels to each of its own, for a handout (usertest71), on this test's screen of 1
    assert image.width() == 2 * max(400, window.text_view.heatmap.width()) and image.height() > 400
    assert window.statusBar().currentMessage() == f"Saved {png}"
    with qtbot.waitSignal(tools.exported, timeout=WAIT_MS) as written:  # on the store lane
        assert tools.export("json", str(tmp_path / "t.json")) is None
    data = json.loads(written.args[0].read_text())
    assert [TokenRecord.from_json(t) for t in data["tokens"]] == scored.records
    assert data["model"] == window.chat.loaded.model_id and data["summary"]["tokens"] == summary.tokens
    rows = list(csv.DictReader(tools.export("csv", str(tmp_path / "s.csv")).open(encoding="utf-8-sig")))
    buckets = [r for r in rows if r["section"] == "rank_bucket"]
    assert [int(r["count"]) for r in buckets] == list(summary.bucket_counts)
    figures = {r["label"]: float(r["value"]) for r in rows if r["section"] == "figure"}
    assert figures["perplexity"] == pytest.approx(summary.perplexity) and figures["tokens"] == summary.tokens
    assert tools.export("csv", str(tmp_path / "no-such-folder" / "s.csv")) is None  # said in words
    assert "could not be written" in window.error_banner.label.text()


def test_the_json_export_is_written_on_the_store_lane(window, qtbot, tmp_path, monkeypatch):
    """Every token of a long text as JSON takes seconds: built and written on the store lane
    while the window goes on; a file that cannot be written is one clear message."""
    from desktop_app.core import text_export
    from desktop_app.gui.tasks import Task

    analysed(qtbot, window, LONG)
    tools = window.text_view.analysis_tools
    ran_on = watch_calls(monkeypatch, text_export, "write_analysis_json", thread_name)
    release = threading.Event()
    window.chat.tasks.store.submit(Task(lambda _r, _c: release.wait(WAIT_MS / 1000), "hold the lane"))
    target = tmp_path / "t.json"
    assert tools.export("json", str(target)) is None  # queued: the GUI thread does not wait
    assert not target.exists() and window.statusBar().currentMessage() == "Exporting t.json\u2026"
    with qtbot.waitSignal(tools.exported, timeout=WAIT_MS) as written:
        release.set()
    assert written.args[0] == target and json.loads(target.read_text())["tokens"]
    assert ran_on == ["lane-store"] and window.statusBar().currentMessage() == f"Saved {target}"
    with qtbot.waitSignal(window.text.error, timeout=WAIT_MS):
        tools.export("json", str(tmp_path / "no-such-folder" / "t.json"))
    assert "could not be written" in window.error_banner.label.text()
    assert "Traceback" not in window.error_banner.label.text() and window.text_view.status.text() == ""


def test_the_heatmap_tooltip_is_written_when_the_pointer_rests(window, qtbot):
    from PySide6.QtWidgets import QToolTip

    from desktop_app.core.token_words import tooltip_html

    analysed(qtbot, window, "The lamp was lit at dusk.")
    heatmap = window.text_view.heatmap
    window.text_view.heatmap_scroll.ensureWidgetVisible(heatmap)
    rect = heatmap.span_rect(2)
    qtbot.mouseMove(heatmap.viewport(), QPoint(rect.center().x(), rect.center().y()))
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent

    point = QPoint(rect.center().x(), rect.center().y())
    heatmap.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, heatmap.viewport().mapToGlobal(point)))
    assert QToolTip.text() == tooltip_html(heatmap.records[2])
    QToolTip.hideText()


def test_a_binary_file_stores_nothing_and_an_empty_text_has_nothing_to_continue(window, qtbot, tmp_path):
    store = window.text.store
    before = len(documents.list_documents(store))
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    with qtbot.waitSignal(window.text.error, timeout=WAIT_MS):
        window.text_view.open_file(str(bad))
    assert len(documents.list_documents(store)) == before and "binary" in window.error_banner.label.text()
    window.text_view.new_document()
    text_opened(qtbot, window)
    assert window.text_view.editor.toPlainText() == ""
    # the model wrote junk from nothing, unannounced (ux42): Continue waits for some text
    assert not window.text_view.continue_button.isEnabled()
    assert "Nothing to continue" in window.text_view.continue_button.toolTip()


def test_the_histogram_titles_keep_room_at_800_and_sit_beside_the_bar_when_wide(window, qtbot):
    from PySide6.QtWidgets import QApplication

    analysed(qtbot, window, "The lamp was lit at dusk, as every evening.")
    panel = window.text_view.summary_panel
    window.notice_banner.hide()  # with the notice the tab is short and drops them (test_gui_polish2)
    window.resize(800, 800)  # 800 px wide; tall enough to keep the histograms (below 560 px the tab drops them)
    qtbot.waitUntil(lambda: window.width() == 800 and panel.wide is False
                    and not panel.probabilities.isHidden(), timeout=WAIT_MS)
    QApplication.processEvents()
    for histogram in (panel.probabilities, panel.entropies):
        assert histogram.width() >= histogram.title_width()  # "entropy (nats)" was cut to "entropy (" here
        assert histogram.geometry().top() > panel.bar.geometry().bottom()  # under the bar
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: panel.wide is True, timeout=WAIT_MS)
    QApplication.processEvents()
    assert panel.probabilities.geometry().left() > panel.bar.geometry().right()  # beside it
    assert panel.entropies.width() >= panel.entropies.title_width()


def test_emptying_the_text_drops_the_analysis_running(window, qtbot, windows_run):
    view = window.text_view
    windows_run.hold_after = 2
    view.editor.setPlainText(LONG)
    qtbot.waitUntil(lambda: view.summary_panel.progress_row.isVisible(), timeout=WAIT_MS)
    shown = []
    window.text.analysed.connect(lambda *a: shown.append(a))
    window.text.analysis_stopped.connect(lambda *a: shown.append(a))
    view.editor.setPlainText("")
    view.analyse_now()
    assert not view.summary_panel.progress_row.isVisible()
    windows_run.release.set()
    # the dropped analysis ended and its end was handled (not Lane.wait: from this thread it only times out, as
    # the model lane's handshake waits for this thread)
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    qtbot.wait(200)
    assert shown == [] and view.heatmap.records == []  # nothing of the old text comes back
    assert window.text.previous is not None and not window.text.previous.complete  # kept for reuse
