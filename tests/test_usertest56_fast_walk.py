"""usertest 56 (the chat and fine-tune loop on Fast weights, as a new user): what the walk found,
each on the real window (pytest-qt, offscreen, the tiny GPT-2, the real store)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.tasks import Task  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def test_the_meter_stops_saying_an_answer_is_written_once_it_ended(make_window, qtbot):
    """A paused explanation goes on after the answer and holds the model lane for minutes; the line under
    the prompt box said "the answer being written" all that time."""
    window = make_window(max_new_tokens=6)
    meter = window.context_meter.label
    release = threading.Event()
    window.prompt.setPlainText("Hello there")
    hold = Task(lambda _r, _c: release.wait(30), "hold the lane", "hold")
    # queued behind the answer once it runs, as the explanation it paused is: the lane stays busy after it
    window.chat.stream_started.connect(lambda _m: hold not in window.chat.lane.tasks and window.chat.lane.submit(hold))
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    try:
        QApplication.processEvents()
        assert window.chat.lane.tasks, "the lane is still busy after the answer"
        assert meter.isVisible() and "tokens of context" in meter.text()
        assert "being written" not in meter.text(), meter.text()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "the conversation so far" in meter.text(), timeout=WAIT_MS)


def test_show_more_keeps_the_figures_of_the_rows_already_shown():
    """On 16-bit weights the re-read for "Show 40 more" rounds otherwise than the writing did: the rows on screen
    changed ("Answer" 13.3% became a "tie 12.5%" beside "Spain"); they keep the record's figures, the read adds
    only what the record does not keep, as many rows as it read."""
    from desktop_app.core.more_alternatives import kept_first
    from desktop_app.core.records import Alternative

    kept = (Alternative(1, " Madrid", 0.495), Alternative(2, " Answer", 0.133), Alternative(3, " Spain", 0.125))
    read = (Alternative(1, " Madrid", 0.494), Alternative(2, " Answer", 0.125), Alternative(3, " Spain", 0.125),
            Alternative(4, " Barcelona", 0.081), Alternative(5, " Rome", 0.006))
    longer = kept_first(kept, read)
    assert longer[:3] == kept, "the rows already shown stay as written"
    assert [a.id for a in longer] == [1, 2, 3, 4, 5] and len(longer) == len(read)
    assert longer[3] is read[3], "the rows the record does not keep come from the read"
