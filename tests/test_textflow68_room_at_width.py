"""The summary's figures keep a continuation's room from its first token however the resizes before it are
timed: a width change just before a continuation began (the Text tab is 2 px narrower while "writing…" shows)
had chosen, then, to let the room go once laid out, and that ran after the continuation's ``hold_room``; on a
busy CPU the Regenerate row then moved 8 px from the first token to the end (test_geom43_row_at_stream_start:
301 and 293 at 800x480). pytest-qt on a real SummaryPanel; the order of events is set here, so no load is
needed to see it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core.records import TokenRecord  # noqa: E402
from desktop_app.gui.text_summary import SummaryPanel  # noqa: E402


def analysed_panel(qtbot, short: bool) -> SummaryPanel:
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    records = [TokenRecord(id=i, text=f" word{i}", logprob=-1.5 * (i % 4), rank=1 + 7 * i, entropy=2.0)
               for i in range(12)]
    panel.set_summary(documents.summarize(records))
    panel.set_short(short)
    panel.resize(500, 300)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()
    return panel


@pytest.mark.parametrize("short", [True, False])
def test_a_width_change_just_before_a_continuation_does_not_let_its_room_go(qtbot, short):
    panel = analysed_panel(qtbot, short)
    panel.resize(498, 300)  # not holding yet: what follows the width change is measured once laid out
    panel.hold_room()  # the continuation starts before that
    held = panel.figures.minimumHeight()
    QApplication.processEvents()
    assert panel.holding, "the room is held while the continuation is written"
    assert panel.figures.minimumHeight() >= held > 0, "and not let go"


def test_a_width_change_just_before_the_text_changes_measures_it_unheld(qtbot):
    panel = analysed_panel(qtbot, short=True)
    panel.hold_room()
    panel.resize(498, 300)  # holding: measured once laid out
    panel.release_room()  # the person edited the text before that
    QApplication.processEvents()
    never_held = analysed_panel(qtbot, short=True)
    never_held.resize(498, 300)
    QApplication.processEvents()
    # a continued text's room, as any analysed text's (leftovers70), not the room held
    assert not panel.holding and panel.figures.minimumHeight() == never_held.figures.minimumHeight()
