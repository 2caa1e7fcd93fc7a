"""compare94: the Text tab's "Fine-tune's change" gets the compare view's "Compared with" (the base
model, or an earlier adapter named as the history names it); against adapter 1 each token's colour is
adapter 2's log-probability less adapter 1's, computed apart; the key, the summary, the tooltips and
the PNG's caption name both adapters; another adapter in use puts it back to the base model. The
compare view's heading says what it compares. Real window, the tiny GPT-2, real LoRA weights."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.compare_words import HEADING, changed_words, later_expectation  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_compare90_compared_with import choose, shown, two_kept_runs, wear  # noqa: E402
from test_compare90_earlier_adapter import kept_run, save_lora  # noqa: E402
from test_compare94_text_change import TEXT, logprobs_of_text  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer  # noqa: E402


def change_shown(qtbot, mode, against_id):
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete
                    and (mode.change.against or {}).get("id") == against_id, timeout=WAIT_MS)
    return mode.change


def test_the_text_tabs_change_against_an_earlier_adapter(window, qtbot, tmp_path, tiny_model_dir):
    first, second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    view, mode = window.text_view, window.text_view.change_mode
    combo = mode.panel.compared_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["base model", f"adapter {first} (run 1, kept)"]
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText(TEXT)
    mode.toggle.click()
    against_base = change_shown(qtbot, mode, None)
    assert mode.panel.compared_row.isVisible() and mode.key()["title"] == "Fine-tune's change"

    combo.setCurrentIndex(combo.findData(first))
    change = change_shown(qtbot, mode, first)
    ids = change.adapter.ids
    under_first = logprobs_of_text(tiny_model_dir, tmp_path / "one", ids)
    under_second = logprobs_of_text(tiny_model_dir, tmp_path / "two", ids)
    assert change.deltas == pytest.approx([s - f for f, s in zip(under_first, under_second)], abs=1e-4)
    assert change.deltas != pytest.approx(against_base.deltas, abs=1e-3)

    both = f"Adapter {second} against adapter {first}"
    assert mode.key()["title"] == both and window.legend.colour_by.text() == both
    assert f"than under adapter {first}." in mode.panel.said[0] and "base model" not in mode.panel.said[0]
    tip = mode._tip(0, view.heatmap.records[0])
    assert f"adapter {first} " in tip and f"adapter {second} " in tip and "before" not in tip
    key = mode.export_colours()[2]
    assert key.title.startswith(f"Colours: {both}, ") and f"minus under adapter {first}:" in key.title
    written = view.analysis_tools.export("png", str(tmp_path / "change.png"))
    assert written.is_file() and written.stat().st_size > 0

    store, model_id = window.chat.store, window.chat.loaded.model_id
    third = kept_run(store, model_id, save_lora(tiny_model_dir, tmp_path / "three", seed=3), parent_id=second)
    wear(window, qtbot, third)  # another adapter in use: back to the base model, its own change
    assert mode.against is None and combo.currentIndex() == 0
    assert [combo.itemData(i) for i in range(combo.count())] == [None, first, second]
    change_shown(qtbot, mode, None)
    assert mode.key()["title"] == "Fine-tune's change"
    mode.toggle.click()  # off: no task left behind
    qtbot.waitUntil(lambda: not mode.lane.find("text change"), timeout=WAIT_MS)
    assert not mode.panel.isVisible()


def test_the_compare_views_heading_says_what_it_compares(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    first, second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    view = window.open_compare(stored_answer(window, rating=-1)).view
    shown(qtbot, view)
    assert view.heading.text() == HEADING == "WHAT THE FINE-TUNE CHANGED"
    choose(qtbot, view, first)
    assert view.heading.text() == f"WHAT CHANGED FROM ADAPTER {first} TO ADAPTER {second}"
    assert view.heading.sizeHint().width() < 800 - 2 * 12  # it fits an 800 px window's view
    assert view._changed() == f"the change from adapter {first} to adapter {second}"
    choose(qtbot, view, None)
    assert view.heading.text() == HEADING and view._changed() == "the fine-tune"


def test_a_later_rated_answers_sentence_names_what_is_compared():
    said = later_expectation(2, what=changed_words("adapter 2", "adapter 1"))
    assert "its colours show how the change from adapter 1 to adapter 2 spilled over to it" in said
    assert "how the fine-tune spilled over" in later_expectation(2)
