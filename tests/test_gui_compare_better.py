"""The compare view shows what the person taught (usertest 5, F13): the better answers they
wrote are listed under the answers they replace, scored under the base model and the adapter
when picked, with what to expect and the pair's two changes side by side. Real widgets
(pytest-qt, offscreen), the tiny random GPT-2 with a random LoRA, the real SQLite store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402

BETTER = " The moon is a rock that circles the Earth."


def corrected_answer(window):
    """A disliked answer with the better answer the person wrote for it."""
    mid = stored_answer(window, rating=-1)
    window.chat.store.set_correction(mid, BETTER)
    return mid


def scored(view, key):
    """Pick ``key`` in the picker and wait until its colours show."""
    combo = view.answer_combo
    combo.setCurrentIndex(combo.findData(key))
    assert view.message_id == key


def test_the_picker_lists_a_better_answer_under_the_answer_it_replaces(make_window, qtbot, tmp_path):
    from desktop_app.gui.compare_words import BETTER_MARK, better_key

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = corrected_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)  # the model's answer, scored and stored
    combo = view.answer_combo
    at = combo.findData(better_key(mid))
    assert at == combo.findData(mid) + 1, "right under the answer it replaces"
    label = combo.itemText(at)
    assert label.startswith(f"{BETTER_MARK} your better answer: \u201cThe moon is a rock that") and "#" not in label
    assert "You wrote this better answer" in combo.itemData(at, Qt.ItemDataRole.ToolTipRole)
    assert f"{BETTER_MARK} a better answer you wrote" in combo.toolTip()
    # the disliked answer's own view says where its better answer is
    assert "\u25bc" in combo.itemText(combo.findData(mid)) and "listed under it" in view.expect_label.text()


def test_picking_a_better_answer_scores_it_before_and_after_and_says_expect_red(make_window, qtbot, tmp_path):
    from desktop_app.core import session
    from desktop_app.gui.compare_words import better_key, totals

    window = make_window()
    adapter = wear_random_lora(window, qtbot, tmp_path / "adapter")
    store = window.chat.store
    mid = corrected_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None, timeout=WAIT_MS)
    scored(view, better_key(mid))  # (scored beside the model's answer already, or now: leftovers60)
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None, timeout=WAIT_MS)
    before, after = session.score_correction_with_and_without_adapter(store, window.chat.loaded, mid)
    assert [r.id for r in view.after] == [r.id for r in after], "its end token shows too"
    assert view.ended, "the person wrote it whole: its end is part of what the pair trains"
    assert view.values == pytest.approx([a.logprob - b.logprob for b, a in zip(before, after)], abs=1e-4)
    assert "You wrote this answer" in view.expect_label.text() and "more likely (green)" in view.expect_label.text()
    total_before, total_after = totals(before, after)
    summary = view.summary.text()
    assert summary.startswith("Your whole answer") and f"{total_before:.1f} \u2192 {total_after:.1f}" in summary
    # the pair, one line each: the person's answer and the model's (stored when it was shown first)
    pair = view.pair.text()
    theirs = totals(store.token_records(mid, adapter_id=None, kind="rescored"),
                    store.token_records(mid, adapter_id=adapter, kind="rescored"))
    assert view.pair.isVisibleTo(view) and "The pair you taught" in pair
    assert f"{total_before:.1f} \u2192 {total_after:.1f}" in pair.split("<br>")[1]
    assert f"{theirs[0]:.1f} \u2192 {theirs[1]:.1f}" in pair.split("<br>")[2]
    assert pair.split("<br>")[2].startswith("\u25bc The model's answer:")
    # picked again: shown from what was scored, with nothing asked of the model
    scored(view, mid)
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS)
    assert f"{total_before:.1f} \u2192 {total_after:.1f}" in view.pair.text(), "the model's answer shows the pair too"
    scored(view, better_key(mid))
    assert view.task is None and view.values and not view.scoring.isVisible()


def test_the_scored_better_answer_is_the_one_its_training_pair_holds(make_window, qtbot, tmp_path):
    from desktop_app.core.train_data import build_training_data, scored_correction_ids

    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    mid = corrected_answer(window)
    prompt_ids, ids, ended = scored_correction_ids(store, loaded.tokenizer, mid, loaded.context_window)
    pair, = [p for p in build_training_data(store, loaded.tokenizer, loaded.context_window).pairs
             if p.rejected_message_id == mid]
    assert (prompt_ids, ids) == (pair.prompt_ids, pair.chosen_ids) and ended and ids[-1] == loaded.tokenizer.eos_token_id


def test_a_better_answer_written_after_the_run_is_marked_so(make_window, qtbot, tmp_path):
    from desktop_app.gui.compare_words import better_key

    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    learned = corrected_answer(window)
    run = store.create_run({}, loaded.model_id)
    store.set_correction(learned, " Rewritten after the run started.")
    adapter = wear_random_lora(window, qtbot, tmp_path / "adapter")
    store._conn().execute("UPDATE adapters SET run_id = ? WHERE id = ?", (run, adapter))
    view = window.open_compare(None).view
    combo = view.answer_combo
    at = combo.findData(better_key(learned))
    assert combo.itemText(at).endswith(f"written after run {run}")  # written, not rated (leftovers77)
    assert combo.itemData(at, 3).startswith(f"Written after run {run} started")  # 3: its tooltip
    combo.setCurrentIndex(at)
    assert view.expect_label.text().startswith(f"You wrote this after run {run} started")
    assert "did not learn from it" in view.expect_label.text()
    view.cancel()


def test_a_better_continuation_written_in_text_mode_is_listed_and_scored(make_window, qtbot, tmp_path):
    from desktop_app.core import session
    from desktop_app.core import text_branches as tb
    from desktop_app.core.documents import create_document
    from desktop_app.gui.compare_words import BETTER_MARK, better_key

    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    document = create_document(store, "The lighthouse keeper")
    branch = tb.add_branch(store, document, None, 21, " slept.", model_id=loaded.model_id)
    tb.rate_branch(store, branch, -1)
    tb.set_correction(store, branch, " lit the lamp.")
    view = window.open_compare(-branch).view
    combo = view.answer_combo
    at = combo.findData(better_key(-branch))
    assert at == combo.findData(-branch) + 1 and combo.itemText(at).startswith(f"{BETTER_MARK} your continuation")
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS)
    combo.setCurrentIndex(at)
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    before, after = session.score_branch_with_and_without_adapter(store, loaded, branch, better=True)
    assert "".join(r.text for r in view.after) == " lit the lamp."
    assert view.values == pytest.approx([a.logprob - b.logprob for b, a in zip(before, after)], abs=1e-4)
    assert "You wrote this continuation" in view.expect_label.text()
    assert not view.pair.isVisibleTo(view), "a continuation's model side is not stored: no pair line"


def test_pair_words_say_how_to_score_a_side_not_scored_yet():
    from desktop_app.gui.compare_words import pair_words

    text = pair_words(12, None, (-8.0, -11.1), "adapter 3")
    mine, theirs = text.split("<br>")[1:]
    assert "not scored yet" in mine and "pick \u201c\u270e your better answer\u201d above" in mine and "#12" not in mine
    assert "22\u00d7 less likely" in theirs and "-8.0 \u2192 -11.1, -3.1 nats" in theirs
    assert "81\u00d7 more likely" in pair_words(12, (-14.2, -9.8), None, "adapter 3")
