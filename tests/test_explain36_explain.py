"""user test 12, finding 4, with real widgets on the tiny model: "Why this token?" paused for a
question goes on from its finished steps (it restarted from step 2, and once from the grid)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui_explain import WAIT_MS, _answer, window  # noqa: E402,F401

HELD_AT = 5  # gradient passes let through before the gate holds the attribution


def _gate_after(window, passes: int):
    """A hook on the model's first block that lets ``passes`` gradient passes through, then holds
    the next until released: the attribution is caught with that many path points done."""
    import torch

    from desktop_app.core.lens import lens_parts

    gate, seen = threading.Event(), []

    def hold(*_args) -> None:
        if torch.is_grad_enabled():
            seen.append(1)
            if len(seen) > passes:
                gate.wait(30)

    return gate, seen, lens_parts(window.chat.loaded.model)[0][0].register_forward_hook(hold)


def test_a_question_asked_during_the_explanation_keeps_its_finished_steps(window, qtbot, monkeypatch):
    from desktop_app.core import attribution

    monkeypatch.setattr(attribution, "IG_TOKENS_PER_BATCH", 1)  # one path point per batch: a report after each
    card = _answer(window)
    window.show_token(card, 3)
    view = window.inspector.explain
    values, grid_hidden = [], []
    view.bar.valueChanged.connect(values.append)
    gate, seen, handle = _gate_after(window, HELD_AT)
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(seen) > HELD_AT, timeout=WAIT_MS)  # held with HELD_AT points done
        qtbot.waitUntil(lambda: view.bar.value() == HELD_AT, timeout=WAIT_MS)  # its report has come
        first = view.partial
        assert first is not None
        window.chat.tokens.connect(lambda _batch: grid_hidden.append((view.grid.isHidden(),
                                                                      view.contrib_caption.text())))
        window.prompt.setPlainText("And then?")
        window.send()
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # it went on by itself
    assert grid_hidden and not any(hidden for hidden, _ in grid_hidden)  # the grid stayed during the answer
    assert f"Paused after {HELD_AT} passes" in grid_hidden[0][1] and "goes on from there" in grid_hidden[0][1]
    assert view.partial is first  # the layers were not read again
    after_pause = values[values.index(HELD_AT) + 1:]
    restarted = [v for v in after_pause if 0 < v < HELD_AT]
    assert not restarted, f"the steps went back to {restarted} after the pause"
    assert view.result.attribution.steps + 1 == view.bar.value() and view.index == 3


def test_an_attribution_stopped_half_way_goes_on_from_its_points_to_the_same_result(tiny_model):
    from desktop_app.core import attribution
    from desktop_app.core.explain import runner_up
    from desktop_app.core.explain_errors import ExplainCancelled
    from desktop_app.core.lens import final_logits

    ids = tiny_model.tokenizer("The cat sat on the mat and looked at the door")["input_ids"]
    seen, chosen = ids[:-1], ids[-1]
    other = runner_up(final_logits(tiny_model, seen), chosen)
    whole = attribution.integrated_gradients(tiny_model, seen, chosen, other)
    points, cancel, reports = {}, threading.Event(), []

    def stop_after_the_first_batch(progress) -> None:
        reports.append(progress)
        cancel.set()

    with pytest.raises(ExplainCancelled):
        attribution.integrated_gradients(tiny_model, seen, chosen, other, cancel=cancel,
                                         progress=stop_after_the_first_batch, points=points)
    kept = len(points)
    assert kept == reports[-1].done >= 2  # the batches finished before the stop are kept
    resumed = []
    result = attribution.integrated_gradients(tiny_model, seen, chosen, other, progress=resumed.append, points=points)
    assert resumed[0].done == kept and resumed[0].kept == kept  # it starts where it stopped
    assert result.steps == whole.steps and result.complete
    assert max(abs(a - b) for a, b in zip(result.scores, whole.scores)) < 1e-5


TWO_THE = ["<|im_start|>", "user", "\n", "Who", " painted", " the", " Mona", " Lisa", "?", "<|im_end|>", "\n",
           "It", " is", " attributed", " to", " the", " Italian", " painter"]


def _two_the(result):
    """``result`` with an attribution over TWO_THE whose two " the" rank first and second."""
    from dataclasses import replace

    from desktop_app.core.prompt_sources import CONVERSATION, TEMPLATE

    scores = [0.01 * (n % 3) for n in range(len(TWO_THE))]
    scores[5], scores[15] = 0.9, 0.7
    sources = (TEMPLATE,) * 3 + (CONVERSATION,) * 6 + (TEMPLATE,) * 2
    a = replace(result.attribution, token_ids=list(range(len(TWO_THE))), token_texts=TWO_THE, scores=scores,
                prompt_len=len(sources), sources=sources)
    a = replace(a, baseline_difference=a.difference - sum(scores))  # they add up
    return replace(result, attribution=a)


def test_ranking_rows_of_the_same_word_say_which_one_they_are(window, qtbot):
    from test_gui_explain import _explain

    card, view = _explain(qtbot, window, 3)
    view.show_result(view.ticket, _two_the(view.result))
    rows = view.contributors.text().split("<br>")
    assert "Who painted <b>the</b> Mona Lisa?" in rows[0]
    assert "attributed to <b>the</b> Italian" in rows[1]
    assert rows[0].split("</span>", 1)[1] != rows[1].split("</span>", 1)[1]  # not two rows of just "the"


def test_rate_this_token_bad_under_the_ranking_rates_that_token(window, qtbot):
    from test_gui_explain import _explain

    card, view = _explain(qtbot, window, 3)
    store, mid = window.chat.store, card.message_id
    assert view.next_row.isVisible() and view.rate_bad_button.isEnabled()
    other = view.result.attribution.other_text
    assert view.runner_up_button.isVisible() and other.strip() in view.runner_up_button.text()
    qtbot.mouseClick(view.rate_bad_button, Qt.MouseButton.LeftButton)
    assert card.rating.tokens.get(3) == -1 and window.inspector.bad_button.isChecked()  # as the token menu rates
    qtbot.waitUntil(lambda: {r["token_index"]: r["value"] for r in store.ratings(mid)
                             if r["token_index"] is not None} == {3: -1}, timeout=WAIT_MS)
    assert not view.rate_bad_button.isEnabled() and "Rated bad" in view.rate_bad_button.text()
    assert "The model alone gave it" in view.gist.text() and view.gist.isVisible()  # the sampler's part, by the caption


def test_continue_with_the_runner_up_branches_at_that_token(window, qtbot):
    from test_gui_explain import _explain

    card, view = _explain(qtbot, window, 3)
    other, mid = view.result.attribution.other_id, card.message_id
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(view.runner_up_button, Qt.MouseButton.LeftButton)
    branch = window.chat.store.get_message(finished.args[0]["message_id"])
    assert branch["id"] != mid and branch["parent_id"] == window.chat.store.get_message(mid)["parent_id"]


def test_figures_that_miss_on_fast_weights_say_the_first_row_is_sure_when_it_leads_by_more(window, qtbot):
    from dataclasses import replace

    from test_gui_explain import _explain

    card, view = _explain(qtbot, window, 3)
    a = view.result.attribution
    scores = [0.0] * len(a.scores)
    scores[:5] = [2.0, -0.5, 0.45, 0.4, 0.3]  # the first leads by 1.5, the next ones by 0.05 to 0.1
    off = replace(a, scores=scores, baseline_difference=a.difference - sum(scores) - 0.2)  # 0.2 nats missing
    view.shown_only.setChecked(False)
    view.show_result(view.ticket, replace(view.result, precision="bfloat16", attribution=off))
    caption = view.contrib_caption.text()
    assert "doubtful" not in caption and "off by about 0.20" in caption
    assert "The first row is sure" in caption and "may swap" in caption
    sure = replace(off, scores=[2.0, -1.5, 1.0, 0.6, 0.3] + scores[5:])
    sure = replace(sure, baseline_difference=a.difference - sum(sure.scores) - 0.2)
    view.show_result(view.ticket, replace(view.result, precision="bfloat16", attribution=sure))
    assert "The order holds" in view.contrib_caption.text()
