"""compare90: "then see what changed" after a third fine-tune meant the sum of all runs; the compare
view's "Compared with" list now offers each earlier adapter of the model's history beside the base
model. Two kept runs (real random LoRAs saved as safetensors, recorded as a fine-tune records them):
adapter 1 chosen, each token's change is adapter 2's log-probability less adapter 1's, computed apart;
the key, the tooltips, the summary, the pair's line and the window title name both adapters; the base
model again gives back today's figures; the choice holds over another answer and a newly kept run
puts it back to the base model (real window, the tiny GPT-2)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_compare90_earlier_adapter import kept_run, logprobs_under, save_lora  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_better import corrected_answer  # noqa: E402
from test_gui_compare_window_size_and_wording import stored_answer  # noqa: E402


def wear(window, qtbot, adapter_id):
    store, loaded = window.chat.store, window.chat.loaded
    store.set_active_adapter(adapter_id, loaded.model_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()


def two_kept_runs(window, qtbot, tmp_path, tiny_model_dir):
    """Adapters 1 and 2 from runs 1 and 2, the second built on the first and in use."""
    model_id = window.chat.loaded.model_id
    store = window.chat.store
    first = kept_run(store, model_id, save_lora(tiny_model_dir, tmp_path / "one", seed=1))
    second = kept_run(store, model_id, save_lora(tiny_model_dir, tmp_path / "two", seed=2), parent_id=first)
    wear(window, qtbot, second)
    return first, second


def shown(qtbot, view):
    qtbot.waitUntil(lambda: view.task is None and view.pair_task is None and len(view.values) > 0, timeout=WAIT_MS)
    return list(view.values)


def choose(qtbot, view, adapter_id):
    view.baseline_combo.setCurrentIndex(view.baseline_combo.findData(adapter_id))
    return shown(qtbot, view)


def test_compared_with_an_earlier_adapter_shows_what_the_later_run_changed(make_window, qtbot, tmp_path,
                                                                           tiny_model_dir):
    from PySide6.QtGui import QTextCharFormat

    from desktop_app.core.session import _answer_to_score

    window = make_window()
    first, second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    mid = stored_answer(window, rating=-1)
    dialog = window.open_compare(mid)
    view = dialog.view
    against_base = shown(qtbot, view)
    combo = view.baseline_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["base model", f"adapter {first} (run 1, kept)"]
    assert view.legend_title.text() == "Under the adapter:"
    assert dialog.windowTitle() == "Compare: before and after the fine-tune"

    values = choose(qtbot, view, first)
    prompt_ids, ids, _ended = _answer_to_score(window.chat.store, window.chat.loaded, mid)
    under_first = logprobs_under(tiny_model_dir, tmp_path / "one", prompt_ids, ids)
    under_second = logprobs_under(tiny_model_dir, tmp_path / "two", prompt_ids, ids)
    assert values == pytest.approx([s - f for f, s in zip(under_first, under_second)], abs=1e-4)
    assert values != pytest.approx(against_base, abs=1e-3)

    names = f"adapter {second} against adapter {first}"
    assert dialog.windowTitle() == f"Compare: {names}"
    assert view.legend_title.text() == f"Adapter {second} against adapter {first}:"
    assert f"more likely under adapter {second} than under adapter {first}" in view.bar.toolTip()
    fmt = QTextCharFormat()
    view._tooltip(0, view.after[0], fmt)
    assert f"adapter {first} " in fmt.toolTip() and f"adapter {second} " in fmt.toolTip()
    assert "before" not in fmt.toolTip()
    assert f"Under adapter {second}, the whole answer" in view.summary.text()
    assert f"than under adapter {first}" in view.summary.text()
    assert "before" not in view.summary.text() and " now " not in view.summary.text()

    assert choose(qtbot, view, None) == pytest.approx(against_base, abs=1e-6)  # today's figures again
    assert dialog.windowTitle() == "Compare: before and after the fine-tune"
    assert view.legend_title.text() == "Under the adapter:"


def test_the_choice_holds_over_another_answer_and_a_new_kept_run_resets_it(make_window, qtbot, tmp_path,
                                                                          tiny_model_dir):
    window = make_window()
    first, second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    mid = corrected_answer(window)
    other = stored_answer(window, text=" It is made of cheese.", rating=1)
    view = window.open_compare(mid).view
    shown(qtbot, view)
    choose(qtbot, view, first)
    pair = view.pair.text()
    assert f"adapter {first} \u2192 adapter {second}" in pair and "base model" not in pair

    view.answer_combo.setCurrentIndex(view.answer_combo.findData(other))
    shown(qtbot, view)
    assert view.message_id == other and view.baseline_combo.currentData() == first  # remembered

    store, model_id = window.chat.store, window.chat.loaded.model_id
    third = kept_run(store, model_id, save_lora(tiny_model_dir, tmp_path / "three", seed=3), parent_id=second)
    wear(window, qtbot, third)
    qtbot.waitUntil(lambda: view.after_label.text().startswith(f"Adapter {third}"), timeout=WAIT_MS)
    shown(qtbot, view)
    combo = view.baseline_combo
    assert combo.currentIndex() == 0 and view.compared_with is None
    assert [combo.itemData(i) for i in range(combo.count())] == [None, first, second]
