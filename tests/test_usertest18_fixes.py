"""Usertest 18's findings (a new user's first session in a real window), each fixed and tested
here with real widgets (pytest-qt, offscreen), the tiny GPT-2 and the real store."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, window_with_the_story  # noqa: E402,F401 (the text_window fixture)
from test_gui import make_window  # noqa: E402,F401


# ---------------------------------------------------------------- F1: the outline shows which continuations were rated

def test_the_outline_marks_a_rated_continuation_also_when_another_is_shown(text_window, qtbot):
    """usertest 18: 👎 on a continuation, then Regenerate: the outline's two lines read alike, and
    which one was rated showed only on the thumbs buttons while it was the one shown."""
    from desktop_app.gui.text_tree_panel import THUMBS
    from test_gui_loom import branches, continue_with, settle

    window = text_window
    view = window.text_view
    panel = view.branch_panel

    def mark(branch_id):
        item = panel.item_for(branch_id)
        return item.data(0, THUMBS), not item.icon(0).isNull()

    continue_with(qtbot, window, view.continue_button.click)
    (first,) = branches(window)
    assert mark(first) == (None, False)
    panel.down_button.click()
    settle(window)
    qtbot.waitUntil(lambda: panel.down_button.isChecked(), timeout=WAIT_MS)
    assert mark(first) == (-1, True)
    continue_with(qtbot, window, view.regenerate_button.click)  # a sibling, shown in its place
    second = max(branches(window))
    assert panel.tree.shown == second
    assert mark(first) == (-1, True), "the rated line lost its mark"
    assert mark(second) == (None, False)
    panel.up_button.click()
    settle(window)
    qtbot.waitUntil(lambda: mark(second) == (1, True), timeout=WAIT_MS)
    panel.up_button.click()  # a second click takes the rating back, and its mark
    settle(window)
    qtbot.waitUntil(lambda: mark(second) == (None, False), timeout=WAIT_MS)
    panel.refresh()  # rebuilt from the tree: the marks are the stored ratings
    assert mark(first) == (-1, True) and mark(second) == (None, False)


# ---------------------------------------------------------------- F2: "Why this token?" before it is asked

def test_why_this_token_says_what_its_button_does_before_anything_is_asked(qtbot, qapp, tiny_model_dir):
    """usertest 18: a token clicked, nothing asked, and the section read "The layer grid and the
    sampler show in a moment; …": a new user waited for figures that never came. It names the
    button that starts them."""
    from gui_windows import answered_window

    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        window.show_token(card, 3)
        view = window.inspector.explain
        said = view.status.text()
        assert view.button.isVisible() and said.lstrip("\u201c").startswith(view.button.text()), said  # “Why this token?” …
        assert "in a moment" not in said


# ---------------------------------------------------------------- F3: Compare's sentence shows the change it names

def test_the_compare_sentence_shows_a_change_its_whole_percentages_hide():
    """usertest 18, a real window's Compare: "“␣so” came closer to “␣of”: before ␣of 39% · ␣so 8% →
    after ␣of 39% · ␣so 8%": the figures read the same, so the claim could not be checked. Where
    whole percentages are equal on both sides they get a decimal; elsewhere they stay whole."""
    import math

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    def record(of, so):
        return TokenRecord(id=2, text=" so", logprob=math.log(so), rank=2, entropy=1.0,
                           top=(Alternative(1, " of", of), Alternative(2, " so", so)))

    of, so = f"\u201c{token_label(' of')}\u201d", f"\u201c{token_label(' so')}\u201d"  # quoted, as the sentence quotes them
    close = displaced_words(record(0.392, 0.079), record(0.389, 0.081), token_label)
    assert close.endswith(f"before {of}\u00a039.2%\u00a0\u00b7 {so}\u00a07.9% \u2192 after {of}\u00a038.9%\u00a0\u00b7 {so}\u00a08.1%"), close
    apart = displaced_words(record(0.392, 0.079), record(0.30, 0.20), token_label)
    assert apart.endswith(f"before {of}\u00a039%\u00a0\u00b7 {so}\u00a08% \u2192 after {of}\u00a030%\u00a0\u00b7 {so}\u00a020%"), apart


# ---------------------------------------------------------------- F4: a discarded run's "Why" in a person's words

def test_a_discarded_runs_why_says_what_the_margin_means_with_the_cards_figures(qtbot, qapp, tiny_model_dir):
    """usertest 18: the card of a run the gate discarded began "Why: the held-out margin did not move
    the right way (0.08315 → -0.04502)": jargon, with five-digit figures that the line further down
    gave as 0.083 → -0.045. The reason is the gate's own (core.gate.judge on the run's figures)."""
    from desktop_app.core import gate
    from gui_windows import opened_window

    m = {"gate_margin_on": "heldout", "heldout_size": 2, "margin_heldout_before": 0.08315,
         "margin_heldout_after": -0.04502, "margin_before": 0.08315, "margin_after": -0.04502,
         "margin_all_before": 0.5, "margin_all_after": 0.7, "probe_ppl_before": 28.06, "probe_ppl_after": 29.25}
    verdict = gate.judge(m, 0.05)
    assert not verdict.kept and verdict.failed == ["margin"], verdict.reason
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        panel.show_run({"id": None, "status": "discarded", "reason": verdict.reason, "metrics": m, "adapter_id": None})
        body = panel.result_body.text()
        why = re.sub(r"<p[^>]*>", "", body).split("</p>")[0].split("<br>")[0]  # its first line or paragraph
        assert why.startswith("<b>Why:</b> on the 2 ratings kept out of training to test it, the model did not "
                              "come to prefer what you liked more"), why
        assert "(preference margin 0.083 \u2192 -0.045)" in why and "0.08315" not in body
        assert "held-out margin" not in why


# ---------------------------------------------------------------- F5: a liked continuation is no "answer"

def _pair(question: str, right: str, continuation: bool) -> dict:
    """One of a run's before/after pairs (core.finetune_effect.taught's keys): rated, held out, not checked."""
    return {"question": question, "seen": False, "open": False, "held": True, "before": "It stands in Paris.",
            "after": "", "problem_after": None, "cut_before": False, "cut_after": False, "continuation": continuation,
            "restates_before": False, "restates_after": False, "right": right, "new": False, "checked": False,
            "dropped_before": False, "dropped_after": False, "changed_after": False}


def test_the_cards_pair_of_a_rated_continuation_says_continuation_not_answer(qtbot, qapp, tiny_model_dir):
    """usertest 18: after a run, the pair of a Text continuation the person liked read "you rated this ·
    not checked automatically (an open answer): compare it with yours", then "your answer: The tower is
    a testament to …": the person wrote no answer, and the text before a continuation is no question."""
    from gui_windows import opened_window

    liked = "The tower is a testament to the ingenuity of French engineering."
    pairs = [_pair("Locally nicknamed the Iron Lady, it was built for the 1889 World's Fair.", liked, True),
             _pair("Tell me about cats.", "Cats are small.", False)]
    m = {"taught": pairs, "margin_before": 0.1, "margin_after": 0.05, "heldout_size": 2, "gate_margin_on": "heldout"}
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        panel.show_run({"id": None, "status": "discarded", "reason": "perplexity rose", "metrics": m, "adapter_id": None})
        yours = [w.text() for w in panel.taught.body.findChildren(type(panel.result_body))
                 if w.objectName() == "TaughtYours"]
        assert sorted(yours) == ["your answer: Cats are small.", f"your continuation: {liked}"], yours
        tags = [w.text() for w in panel.taught.body.findChildren(type(panel.result_body))
                if w.objectName() == "TaughtQuestion"]
        iron = next(t for t in tags if "Iron Lady" in t)
        assert "(a continuation of your text): compare it with yours" in iron and "open answer" not in iron
        assert "(an open answer)" in next(t for t in tags if "cats" in t)


# ---------------------------------------------------------------- F6: a draft survives a kill

def test_the_prompts_draft_is_on_disk_once_typing_pauses(qtbot, qapp, tiny_model_dir):
    """usertest 18: a question typed, deleted, then the app killed (no quit): the next start brought the
    deleted question back, and one typed since the last quit would have been lost. The draft is
    written once typing pauses; a second reader of the settings file sees it without any quit."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.window_state import open_settings
    from gui_windows import opened_window

    def on_disk() -> str:
        return open_settings(AppPaths.resolve()).value("prompt_draft", "") or ""

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        window.prompt.setFocus()
        qtbot.keyClicks(window.prompt, "An unsent question about cats")
        qtbot.waitUntil(lambda: on_disk() == "An unsent question about cats", timeout=WAIT_MS)
        window.prompt.clear()  # deleted: a start after a kill must not bring it back
        qtbot.waitUntil(lambda: on_disk() == "", timeout=WAIT_MS)


# ---------------------------------------------------------------- F7: Delete, then Enter, keeps the conversation

def test_delete_then_enter_on_a_conversation_keeps_it_and_the_question_names_its_ratings(make_window, qtbot):
    """usertest 18: Delete on the conversation list asked "Delete … with all its answers and ratings?"
    with Yes as its default: Delete then Enter took 7 ratings the Fine-tune tab counted, with no undo.
    No is the default now (as for an adapter), and the question says the ratings go with it."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from test_gui import answer_cards, ask

    window = make_window(max_new_tokens=6)
    ask(qtbot, window, "What is the capital of France?")
    qtbot.mouseClick(answer_cards(window)[-1].rating.up, Qt.MouseButton.LeftButton)
    cid = window.chat.conversation_id
    qtbot.waitUntil(lambda: bool(window.chat.store.ratings(answer_cards(window)[-1].message_id)), timeout=WAIT_MS)
    listing = window.conversations.list
    listing.setCurrentRow(0)
    listing.setFocus()
    seen = []

    def press_enter():
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(50, press_enter)
            return
        seen.append((box.text(), box.defaultButton() is box.button(QMessageBox.StandardButton.No)))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    qtbot.keyClick(listing, Qt.Key.Key_Delete)
    ((text, no_by_default),) = seen
    assert no_by_default, "Enter would delete the conversation"
    assert "Its 1 rated answer goes with it: fine-tuning will no longer learn from it." in text, text
    window.chat.tasks.store.wait()
    QApplication.processEvents()
    assert cid in {c["id"] for c in window.chat.store.list_conversations()}


# ---------------------------------------------------------------- F8: the history's margin shows its change

def test_the_adapter_historys_margin_shows_a_change_two_decimals_hide(qtbot):
    """usertest 18: an imported adapter the gate would keep ("your ratings moved the right way") was
    listed "margin 0.96→0.96". Where two decimals read the same, the line takes a third (or fourth)."""
    from PySide6.QtCore import Qt

    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    rows = [{"id": 1, "created": "2026-12-03T20:17:00", "metrics": {"imported": True, "margin_before": 0.9612,
                                                                     "margin_after": 0.9634}},
            {"id": 2, "created": "2026-12-03T20:30:00", "run_id": 4, "metrics": {"margin_before": 0.5,
                                                                                  "margin_after": 0.7}}]
    history.set_adapters(rows)
    tips = {history.list.item(i).data(Qt.ItemDataRole.UserRole): history.list.item(i).toolTip() for i in range(history.list.count())}
    # (session 44: the figures went to the row's tooltip, the row says it in words)
    assert "margin on your ratings" in tips[1] and "0.961 \u2192 0.963" in tips[1], tips[1]
    assert "0.500 \u2192 0.700" in tips[2], tips[2]


# ---------------------------------------------------------------- F9: the model dialog's rows show whole

def test_the_model_dialogs_rows_wrap_instead_of_hiding_in_use_under_a_scroll_bar(tmp_path, tiny_model_dir, qtbot):
    """usertest 18: in the model dialog at its first size the model in use read "SmolLM2-135M-Instruct —
    bundled, offline · llama · 94 M" over a horizontal scroll bar: its "in use" was out of sight. A long
    row wraps within the list's width now."""
    import shutil

    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.model_dialog import ModelDialog

    paths = AppPaths.resolve(tmp_path / "data").ensure()
    long_name = paths.converted_models_dir / "a-model-with-a-rather-long-folder-name-to-show-abc123"
    shutil.copytree(tiny_model_dir, long_name)
    dialog = ModelDialog(paths, str(long_name), in_use=str(long_name))
    qtbot.addWidget(dialog)
    dialog.resize(560, dialog.sizeHint().height())
    dialog.show()
    qtbot.waitExposed(dialog)
    listing = dialog.local
    row = next(listing.item(i) for i in range(listing.count()) if "in use" in listing.item(i).text())
    assert listing.visualItemRect(row).right() <= listing.viewport().width(), "the row runs past the list"
    assert not listing.horizontalScrollBar().isVisible()
