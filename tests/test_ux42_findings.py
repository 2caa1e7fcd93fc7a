"""A new user's test of the window (ux42), each finding fixed and held here with the real store, the
tiny GPT-2 and real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

from desktop_app.core import answer_checks, reasking
from desktop_app.core import finetune_effect as fe
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from test_gui import make_window  # noqa: F401
from test_training_data import add_answer

pytest.importorskip("PySide6")

# ---------------------------------------------------------------- 1: the card shows the better answer the person wrote

HAMLET = "Who wrote Hamlet?"
BETTER = "William Shakespeare wrote Hamlet."


def _hamlet_pairs(store, loaded, after: str) -> list[dict]:
    """A run's before/after pairs, as core.finetune_effect makes them from a real store where the person
    disliked the answer to "Who wrote Hamlet?" and wrote a better one (their correction)."""
    _conv, _user, mid, _ids = add_answer(store, loaded, HAMLET, text="Hamlet was written by a man.")
    store.rate_message(mid, -1)
    store.set_correction(mid, BETTER)
    data = build_training_data(store, loaded.tokenizer, loaded.context_window)
    plan = fe.plan_reasks(store, data, data, data.split(0.0)[1], loaded.tokenizer, loaded.context_window,
                          count=3, unseen=0, tokens=6)
    assert [q for _ids, q in plan.prompts] == [HAMLET] and plan.rights == (BETTER,)
    answers = [reasking.Reask(q, after, answer_checks.degenerate(q, after), answer_checks.restates(q, after))
               for _ids, q in plan.prompts]
    return fe.taught(["Hamlet was written by a man."], answers, plan.unseen_from, plan.open_from,
                     plan.held_count, plan.rights, plan.news)


@pytest.mark.parametrize("after", ["William Shakespeare wrote it.", "Christopher Marlowe wrote it."])
def test_the_cards_pair_of_a_corrected_question_shows_the_better_answer_written(qtbot, tmp_path, tiny_model, after):
    """ux42: the pair of "Who wrote Hamlet?", which the person corrected, showed the model's before and
    after, tagged "you rated this" (or "misses your answer"), and never the answer the person wrote:
    the card showed it only for questions the check could not read."""
    from desktop_app.gui.taught_view import TaughtView

    store = Store.open(AppPaths.resolve(tmp_path / "data").ensure().db_path)
    try:
        pairs = _hamlet_pairs(store, tiny_model, after)
    finally:
        store.close()
    assert pairs[0]["checked"]  # a short fact: the check reads it
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(pairs)
    yours = [w.text() for w in view.body.findChildren(type(view.title)) if w.objectName() == "TaughtYours"]
    assert yours == [f"your answer: {BETTER}"], yours


# ---------------------------------------------------------------- 2: "Fine-tune again?" words the gate's reason as the card does

def test_fine_tune_again_words_a_discarded_runs_reason_as_the_card_does(make_window, qtbot, tmp_path):
    """ux42: the question before training again on the same ratings read "Run 1 already trained on these
    ratings and was discarded: the held-out margin did not move the right way (0.08315 -> -0.04502)";
    the card words the same reason with finetune_words.why_words. A real store, a click, the real question."""
    from PySide6.QtCore import Qt

    from desktop_app.core import gate
    from desktop_app.gui.finetune_words import why_words
    from gui_windows import answer_modal
    from test_counts39_gui_counts import recount
    from test_gui import ask

    m = {"gate_margin_on": "heldout", "heldout_size": 2, "train_size": 3, "margin_heldout_before": 0.08315,
         "margin_heldout_after": -0.04502, "margin_all_before": 0.5, "margin_all_after": 0.7,
         "probe_ppl_before": 28.06, "probe_ppl_after": 29.25}
    verdict = gate.judge(m, 0.05)
    assert not verdict.kept and "0.083 -> -0.045" in verdict.reason  # margin_figures, as the summary prints it (cli63)
    window = make_window(max_new_tokens=6)
    store, panel, model = window.chat.store, window.finetune_panel, window.chat.loaded.model_id
    store.rate_message(ask(qtbot, window, "Who wrote Hamlet?")["message_id"], 1)
    kept = store.create_run({}, model)  # run 1 kept, its adapter in use; one more rating; run 2 from it, discarded
    (tmp_path / "adapter-1").mkdir()
    adapter = store.add_adapter(tmp_path / "adapter-1", base_model=model, run_id=kept)
    store.update_run(kept, status="kept", adapter_id=adapter)
    store.set_active_adapter(adapter, model)
    store.rate_message(ask(qtbot, window, "Who painted the Mona Lisa?")["message_id"], -1)
    run = store.create_run({}, model, parent_adapter_id=adapter)
    store.update_run(run, status="discarded", reason=verdict.reason, metrics=m)
    recount(qtbot, window)
    window.show_finetune()
    seen = []
    answer_modal("Not now", seen)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert seen, "a click asks before training on what run 2 already trained on"
    asked = seen[0][0]
    assert f": {why_words(verdict.reason, m)}. Train again" in asked, asked
    assert "->" not in asked and "0.08315" not in asked
    assert "the 2 ratings kept out of training to test it" in asked and "(preference margin 0.083 \u2192 -0.045)" in asked
    assert not window.finetune.running


# ---------------------------------------------------------------- 3: Continue on an empty text

def test_continue_is_off_on_an_empty_text_and_says_why(qtbot, qapp, tiny_model_dir):
    """ux42: Continue on an empty text wrote junk from nothing, with no warning. As the tab's other buttons
    do when they have nothing to work on ("Nothing to export", "Nothing to regenerate"), it is off and its
    tooltip says why; Ctrl+Enter says so in the status line and writes nothing; typed words turn it on."""
    from PySide6.QtCore import Qt

    from desktop_app.gui.off_words import CONTINUE_TIP, NOTHING_TO_CONTINUE
    from gui_windows import opened_window
    from test_gui_loom import branches

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4, seed=5) as window:
        view = window.text_view
        assert window.mode == "text" and not view.editor.toPlainText()
        assert not view.continue_button.isEnabled() and view.continue_button.toolTip() == NOTHING_TO_CONTINUE
        view.editor.setPlainText("   \n ")  # blanks only: still nothing to go on from
        assert not view.continue_button.isEnabled()
        view.editor.setFocus()
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert view.status.text() == NOTHING_TO_CONTINUE
        assert not window.text.continuing and not branches(window)
        view.editor.setPlainText("Once upon a time")
        assert view.continue_button.isEnabled() and view.continue_button.toolTip() == CONTINUE_TIP
        view.editor.setPlainText("")
        assert not view.continue_button.isEnabled() and view.continue_button.toolTip() == NOTHING_TO_CONTINUE


# ---------------------------------------------------------------- 4: an unsent question stays with its conversation

def test_an_unsent_question_stays_with_its_conversation(make_window, qtbot):
    """ux42: a question typed in conversation A and not sent stayed in the box after New conversation
    (or another conversation clicked), one Enter from being sent there. As in a chat app, each
    conversation keeps its own: the box empties for B, A's comes back with A, and the ones put aside
    are on disk (settings' prompt_drafts) so a kill loses none."""
    import json

    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.window_state import open_settings
    from test_gui import ask

    window = make_window(max_new_tokens=4)
    ask(qtbot, window, "Hello")
    a = window.chat.conversation_id
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "A question for A")
    window.new_conversation()
    assert window.chat.conversation_id is None and window.prompt.toPlainText() == ""
    aside = json.loads(open_settings(AppPaths.resolve()).value("prompt_drafts", "") or "{}")
    assert aside == {str(a): "A question for A"}
    ask(qtbot, window, "Hi there")  # B: written with its first prompt
    b = window.chat.conversation_id
    assert b != a and window.prompt.toPlainText() == ""
    qtbot.keyClicks(window.prompt, "Half a question for B")
    window.open_conversation(a)
    assert window.prompt.toPlainText() == "A question for A"
    window.open_conversation(b)
    assert window.prompt.toPlainText() == "Half a question for B"
    window.prompt.clear()  # B's question deleted: nothing of it comes back
    window.open_conversation(a)
    window.open_conversation(b)
    assert window.prompt.toPlainText() == ""
    window.new_conversation()  # A's question stays A's, not the new conversation's
    assert window.prompt.toPlainText() == ""
    window.open_conversation(a)
    assert window.prompt.toPlainText() == "A question for A"


# ---------------------------------------------------------------- 5: an import's "moved the right way" by its size

def test_an_imported_adapters_reason_says_a_tiny_margin_change_barely_moved(qtbot):
    """ux42: importing an adapter said "The gate would keep it: your ratings moved the right way" over a
    margin of 0.9612 -> 0.9634. The reason words the move by its size, with the figures the card gives."""
    from desktop_app.core import gate
    from desktop_app.core.adapter_import import ImportResult, kept_reason
    from desktop_app.gui.adapter_export import import_message

    tiny = {"gate_margin_on": "all", "margin_all_before": 0.9612, "margin_all_after": 0.9634,
            "margin_before": 0.9612, "margin_after": 0.9634, "probe_ppl_before": 28.0, "probe_ppl_after": 28.1}
    assert gate.judge(tiny).kept  # the gate keeps it: its words must not oversell it
    said = import_message(ImportResult(3, True, kept_reason(tiny), tiny))
    assert ("The gate would keep it: your ratings barely moved the right way (preference margin 0.961 \u2192 0.963) "
            "and general text reads as fluently as before.") in said, said
    clear = {**tiny, "margin_all_after": 0.7, "margin_all_before": 0.5, "margin_before": 0.5, "margin_after": 0.7}
    assert kept_reason(clear) == ("your ratings moved the right way (preference margin 0.500 \u2192 0.700) and "
                                  "general text reads as fluently as before")
    same3 = {**tiny, "margin_before": 0.96121, "margin_after": 0.96139}  # three decimals alike: a fourth shows it
    assert "barely moved the right way (preference margin 0.9612 \u2192 0.9614)" in kept_reason(same3)


# ---------------------------------------------------------------- 6: the status bar's entropy has its unit

@pytest.mark.parametrize("width", [800, 1280])
def test_a_hovered_tokens_entropy_in_the_status_bar_says_bits_and_keeps_its_room(make_window, width):
    """ux42: the status bar's hover line said "entropy 5.30" with no unit. It says bits, as the inspector does,
    and the room the bar keeps for the line (STATUS_SAMPLE) holds it whole beside the model's
    name at 800 px as at 1280."""
    import math

    from PySide6.QtWidgets import QApplication

    from desktop_app.core.records import TokenRecord
    from desktop_app.core.token_words import STATUS_SAMPLE, token_status_words

    record = TokenRecord(id=5, text=" lighthouse", logprob=math.log(0.2935), rank=12, entropy=5.3 * math.log(2))
    message = token_status_words(124, record)
    assert message.endswith("entropy 5.30 bits"), message
    window = make_window()
    window.model_label.setText("SmolLM2-135M-Instruct (bundled, offline) \u00b7 cpu \u00b7 Fast (bfloat16)")
    window.resize(width, 600)
    QApplication.processEvents()
    bar = window.statusBar()
    assert bar.fontMetrics().horizontalAdvance(message) <= bar.fontMetrics().horizontalAdvance(STATUS_SAMPLE)
    bar.showMessage(message)
    QApplication.processEvents()
    permanent = [w for w in (window.finetune_side.label, window.progress_label, window.progress, window.speed_label,
                             window.model_label, window.adapter_label) if w.isVisible()]
    room = min(w.geometry().left() for w in permanent)
    assert bar.fontMetrics().horizontalAdvance(message) + 8 <= room, (width, room)


def test_the_all_ratings_margin_reason_is_worded_too():
    """ux42: with 1-3 ratings held out the gate also asks the margin over all ratings to rise; its reason,
    "the margin over all ratings did not move the right way (0.61234 -> 0.60987)", kept its jargon and five
    digits on the card and in "Fine-tune again?" (both use why_words)."""
    from desktop_app.core import gate
    from desktop_app.gui.finetune_words import why_words

    m = {"gate_margin_on": "heldout", "heldout_size": 2, "margin_heldout_before": 0.1, "margin_heldout_after": 0.2,
         "margin_all_before": 0.61234, "margin_all_after": 0.60987, "probe_ppl_before": 28.0, "probe_ppl_after": 28.1}
    verdict = gate.judge(m, 0.05)
    assert verdict.failed == ["margin"] and "margin over all ratings" in verdict.reason, verdict.reason
    assert why_words(verdict.reason, m) == ("on all your ratings, the model did not come to prefer what you liked more "
                                            "(preference margin 0.612 \u2192 0.610)")
