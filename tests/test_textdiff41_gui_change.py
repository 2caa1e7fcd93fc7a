"""The Text tab's "Fine-tune's change" in the real window (tiny model, a real LoRA adapter made
active as the adapter history does it): off with its reason on the base model; on, the heatmap's
colours are the change's and the legend says so; Cancel mid-run leaves the measure's colours and
says where it stopped; an edit redoes it; the base model again turns it off."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402

from desktop_app.core import scoring  # noqa: E402
from desktop_app.core.palette import change_color, color_for  # noqa: E402
from desktop_app.gui.compare_words import nice_scale  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402

LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(12))



def _use_adapter(qtbot, window, tiny_model_dir) -> int:
    return _use_imported(qtbot, window, tiny_model_dir, seed=3)


def _analysed(qtbot, window, text: str):
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text_view.editor.setPlainText(text)
    return blocker.args[0]


def _painted(heatmap, index: int) -> tuple[int, int, int]:
    """The background the heatmap's document gives token ``index``."""
    cursor = QTextCursor(heatmap.document())
    cursor.setPosition(heatmap.starts[index] + 1)
    return cursor.charFormat().background().color().getRgb()[:3]


def _change_shown(qtbot, mode, text: str):
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete
                    and mode.view.editor.toPlainText() == text, timeout=WAIT_MS)
    return mode.change


def test_on_the_base_model_it_is_off_and_says_why(window):
    toggle = window.text_view.change_mode.toggle
    assert not toggle.isEnabled() and "no adapter is on" in toggle.toolTip()


def test_on_the_text_is_coloured_by_the_change_and_off_by_the_measure_again(window, qtbot, tiny_model_dir):
    _use_adapter(qtbot, window, tiny_model_dir)
    view, mode = window.text_view, window.text_view.change_mode
    assert mode.toggle.isEnabled() and "purple" in mode.toggle.toolTip()
    _analysed(qtbot, window, LONG)
    heatmap = view.heatmap
    before = [_painted(heatmap, i) for i in range(len(heatmap.records))]
    assert before[3] == color_for(heatmap.records[3], "probability")
    mode.toggle.click()
    change = _change_shown(qtbot, mode, LONG)
    scale = nice_scale(change.deltas)
    after = [_painted(heatmap, i) for i in range(len(heatmap.records))]
    assert after == [change_color(d, scale) for d in change.deltas]
    assert after != before
    # the window's legend shows the change's key, the summary its figures
    assert window.legend.key is not None and window.legend.key["title"] == "Fine-tune's change"
    assert "likely" in window.legend.low.text() and not window.legend.combo.isVisible()
    assert mode.panel.isVisible() and "Perplexity" in mode.panel.words.text()
    assert "than under the base model" in mode.panel.words.text() or "as under" in mode.panel.words.text()
    assert "change in log-prob" in heatmap.token_tip(3, heatmap.records[3])
    # at 800x560 the summary keeps to its headline (the rest in its tooltip), the toggle to its icon
    window.resize(800, 560)
    qtbot.waitUntil(lambda: "Rose most" not in mode.panel.words.text(), timeout=WAIT_MS)
    assert "Perplexity" in mode.panel.words.text() and "Rose most" in mode.panel.words.toolTip()
    assert mode.toggle.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: "Rose most" in mode.panel.words.text(), timeout=WAIT_MS)
    mode.toggle.click()
    assert [_painted(heatmap, i) for i in range(len(heatmap.records))] == [
        color_for(r, "probability") for r in heatmap.records]
    assert window.legend.key is None and not mode.panel.isVisible()


def test_cancel_mid_run_leaves_the_measures_colours_and_says_where(window, qtbot, tiny_model_dir, monkeypatch):
    _use_adapter(qtbot, window, tiny_model_dir)
    view, mode = window.text_view, window.text_view.change_mode
    _analysed(qtbot, window, LONG)
    release, held = threading.Event(), threading.Event()
    real = scoring._score_window

    def slow(*args, **kwargs):  # the change's windows wait here until the test has pressed Cancel
        if mode.lane.find("text change"):
            held.set()
            release.wait(WAIT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "_score_window", slow)
    mode.toggle.click()
    qtbot.waitUntil(held.is_set, timeout=WAIT_MS)
    # the text's analysis is the adapter's pass (read whole, as the base pass reads it): one pass runs
    qtbot.waitUntil(lambda: "Scoring under the base model" in mode.panel.bar.format(), timeout=WAIT_MS)
    assert mode.panel.progress_row.isVisible() and "pass" not in mode.panel.bar.format()
    assert view.editor.isEnabled() and not view.editor.isReadOnly()  # the window stays usable meanwhile
    mode.panel.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: not mode.toggle.isChecked(), timeout=WAIT_MS)
    assert "stopped (under the base model)" in view.status.text()
    heatmap = view.heatmap
    assert [_painted(heatmap, i) for i in range(len(heatmap.records))] == [
        color_for(r, "probability") for r in heatmap.records]
    assert window.legend.key is None and mode.change is None and not mode.lane.find("text change")
    monkeypatch.setattr(scoring, "_score_window", real)
    mode.toggle.click()  # on again: it finishes, reusing the part scored
    _change_shown(qtbot, mode, LONG)


def test_an_edit_redoes_it_and_the_base_model_turns_it_off(window, qtbot, tiny_model_dir):
    _use_adapter(qtbot, window, tiny_model_dir)
    view, mode = window.text_view, window.text_view.change_mode
    _analysed(qtbot, window, LONG)
    mode.toggle.click()
    first = _change_shown(qtbot, mode, LONG)
    edited = LONG + " And then it rained."
    scored = _analysed(qtbot, window, edited)
    second = _change_shown(qtbot, mode, edited)
    assert second is not first and second.adapter is scored  # the analysis served as the adapter's pass
    assert second.deltas[:20] == pytest.approx(first.deltas[:20], abs=1e-6)  # the windows before the edit
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(window.finetune_panel.history.base_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not mode.toggle.isEnabled(), timeout=WAIT_MS)
    assert not mode.toggle.isChecked() and window.legend.key is None and "no adapter is on" in mode.toggle.toolTip()
