"""Two things a person met (usertest41), with real widgets and the tiny model:

- a branch's new answer card stood empty under "reading … tokens…", without the words it keeps from the
  answer it branches from, and its thumbs took a click on that empty card: the card shows the kept start
  from its first frame, and its thumbs are off until the answer's first token;
- the Fine-tune tab's loss chart showed y values (0.6, 0.8) before any loss: none until the first point.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from gui_windows import answered_window, chart_ticks  # noqa: E402

WAIT_MS = 60_000


def last_answer_card(window):
    return [c for c in window.transcript.cards if c.role == "assistant"][-1]


def test_a_branchs_card_shows_its_kept_start_and_takes_no_thumb_before_its_first_token(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.ratings import NO_WORDS_YET_TIP

    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        card = last_answer_card(window)
        index = min(3, len(card.records) - 1)
        kept = [r.text for r in card.records[:index]]
        card.view.select_token(index)
        window.show_token(card, index)
        record = card.records[index]
        window.inspector.pick(next(i for i, a in enumerate(record.top) if a.id != record.id))
        at_start = {}

        def first_frame(_user):  # the card as it is shown when the branch starts, before any token
            streaming = window.cards.streaming
            rating = streaming.rating
            at_start["words"] = [r.text for r in streaming.records]
            at_start["enabled"] = (rating.up.isEnabled(), rating.down.isEnabled())
            at_start["tip"] = rating.up.toolTip()
            rating.up.click()  # a click on it rates nothing
            at_start["rated"] = (rating.value, rating.pending)

        window.chat.stream_started.connect(first_frame)
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
            qtbot.mouseClick(window.inspector.branch_button, Qt.MouseButton.LeftButton)
        assert at_start["words"] == kept and kept, "the words it keeps, from its first frame"
        assert at_start["enabled"] == (False, False) and at_start["tip"] == NO_WORDS_YET_TIP
        assert at_start["rated"] == (None, None)
        new_id = blocker.args[0]["message_id"]
        qtbot.waitUntil(lambda: last_answer_card(window).message_id == new_id, timeout=WAIT_MS)
        branched = last_answer_card(window)
        assert [r.text for r in branched.records[:index]] == kept, "shown once, not twice"
        assert len(branched.records) == len(window.chat.store.token_records(new_id))
        assert branched.rating.up.isEnabled() and branched.rating.down.isEnabled()
        assert window.chat.store.message_rating(new_id) is None


def _left_ticks(curve) -> list[float]:
    return chart_ticks(curve, "left", 125)


def test_the_loss_charts_y_axis_has_no_values_before_the_first_loss(qtbot):
    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    qtbot.addWidget(curve)
    assert _left_ticks(curve) == [], "no losses to give values to"
    curve.plan(6)
    assert _left_ticks(curve) == [], "the planned steps bring no loss"
    curve.add(1, 0.9, total=6)
    curve.add(2, 0.7, total=6)
    ticks = _left_ticks(curve)
    assert ticks and min(ticks) <= 0.9 and max(ticks) >= 0.7, ticks
    curve.clear()
    assert _left_ticks(curve) == [], "a new run starts with none again"
