"""inspector86, items 1 and 2: the inspector's "Show 40 more" rows were never dimmed, though the answer's sampler
(top-k / top-p / min-p) could not have picked them, while the record's first 10 were; and a click on the button, which
turns it off while it reads, let Qt pass the keyboard focus on to "How likely was…". The longer list is cut by the
same rule from the answer's stored settings (core.sampler_cut.cut_of_longer_list), and the focus stays on the list.
pytest-qt on the real window, the tiny GPT-2, a real store; the core rule on made-up figures."""

from __future__ import annotations

import pytest

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import cut_for_answer, cut_of_longer_list, sampler_cut

TOP_K = 20  # under the 50 the longer list shows: its rows past the 20th could not have been picked


def _record(written: int, alternatives) -> TokenRecord:
    return TokenRecord(written, "a", -0.4, 1, 0.5, tuple(alternatives), "float32")


def test_the_rows_a_longer_list_adds_are_cut_by_the_answers_settings():
    longer = [Alternative(i, f"t{i}", 0.5 / (i + 1)) for i in range(30)]
    record = _record(0, longer[:10])
    message = {"model_id": "bundled:x", "settings": SamplingSettings(temperature=1.0, top_k=TOP_K, top_p=1.0).to_dict()}
    found = cut_for_answer(message, [record], 0)
    assert found.cut == {}, "the record's 10 are all within top-k 20"
    more = cut_of_longer_list(found, record, longer)
    assert more.cut == {i: f"cut by top-k {TOP_K}" for i in range(TOP_K, 30)}
    assert more.note == found.note and more.settings == found.settings


def test_the_records_own_keep_their_verdict_and_an_unknown_cut_stays_unknown():
    longer = [Alternative(i, f"t{i}", p) for i, p in enumerate([0.6, 0.1, 0.05, 0.01, 0.004, 0.003])]
    record = _record(0, longer[:3])
    settings = SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.01)
    found = sampler_cut(record.top, settings)
    more = cut_of_longer_list(found, record, longer)
    assert more.cut == {4: "cut by min-p 0.01", 5: "cut by min-p 0.01"}  # under 0.006, a hundredth of 0.6
    assert cut_of_longer_list(sampler_cut(record.top, None), record, longer).cut == {}, "no settings: no cut"
    greedy = sampler_cut(record.top, SamplingSettings(greedy=True))
    assert set(cut_of_longer_list(greedy, record, longer).cut) == {1, 2, 3, 4, 5}
    forced = cut_for_answer({"model_id": None, "settings": settings.to_dict()}, [record], 0)
    assert cut_of_longer_list(forced, record, longer).cut == {} and "not sampled" in forced.note


@pytest.fixture
def top_k_window(qtbot, qapp, tiny_model_dir):
    """The window with one answer sampled under top-k 20 (no penalty, top-p and min-p off)."""
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QApplication

    from gui_windows import opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8, seed=7) as window:
        popover = window.popover
        popover.greedy.setChecked(False)
        popover.temperature.setValue(1.0)
        popover.top_k.setValue(TOP_K)
        popover.top_p.setValue(1.0)
        popover.min_p.setValue(0.0)
        popover.repetition.setValue(1.0)
        window.prompt.setPlainText("Hello, how are you?")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=60_000):
            window.send()
        QApplication.processEvents()
        yield window
        window.chat.shutdown()


def _show_more_by_click(qtbot, window):
    from PySide6.QtCore import Qt

    from desktop_app.core.more_alternatives import MORE_ALTERNATIVES

    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    assert card.message["settings"]["top_k"] == TOP_K
    card.view.select_token(2)
    window.show_token(card, 2)
    inspector = window.inspector
    inspector.scroll.ensureWidgetVisible(inspector.more_button)
    qtbot.mouseClick(inspector.more_button, Qt.MouseButton.LeftButton)
    focused_while_reading = window.focusWidget()
    qtbot.waitUntil(lambda: len(inspector.chart.alternatives) == MORE_ALTERNATIVES, timeout=60_000)
    return inspector, focused_while_reading


def test_show_more_dims_the_rows_top_k_cut_and_says_why(top_k_window, qtbot):
    inspector, _focus = _show_more_by_click(qtbot, top_k_window)
    dimmed = inspector.chart.dimmed()
    assert dimmed == [place >= TOP_K for place in range(len(inspector.chart.alternatives))]
    assert inspector.sampler_note.text().startswith(f"{len(dimmed) - TOP_K} dimmed: the sampler could not have picked "
                                                    f"them (cut by top-k {TOP_K}).")
    inspector.pick(TOP_K + 3)  # an added row: what a picked record's row says
    assert inspector.versus.text().endswith(f"The answer's sampler could not have picked it (cut by top-k {TOP_K}).")
    inspector.pick(1)
    assert "sampler" not in inspector.versus.text()


def test_a_click_on_show_more_leaves_the_focus_on_the_list(top_k_window, qtbot):
    inspector, focused_while_reading = _show_more_by_click(qtbot, top_k_window)
    assert focused_while_reading is inspector.chart, f"the focus went to {focused_while_reading!r}"
    assert top_k_window.focusWidget() is inspector.chart and not inspector.more_button.isVisible()
