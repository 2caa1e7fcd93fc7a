"""The inspector's "Why this token?" section with pytest-qt, on the tiny model: computed on a
worker, drawn as a grid and a list, shown over the transcript on a toggle, stopped and cleared
when another token is chosen."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.palette import attribution_color  # noqa: E402
from gui_windows import answered_window  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    """The window on the tiny model with one answer ("Hello, how are you?", 12 tokens, seed 7)."""
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


def _answer(win):
    return [c for c in win.transcript.cards if c.role == "assistant"][-1]


def _explain(qtbot, win, index):
    card = _answer(win)
    card.view.select_token(index)
    win.show_token(card, index)
    view = win.inspector.explain
    assert view.button.isVisible() and not view.details.isVisible()
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    return card, view


def _background(view, index):
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)
    fmt = cursor.charFormat()
    return fmt.background().color().getRgb()[:3] if fmt.hasProperty(fmt.Property.BackgroundBrush) else None


def test_explain_shows_lens_contributors_and_sampler(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    result = view.result
    assert result.context.index == 3 and result.context.message_id == card.message_id
    assert view.details.isVisible() and view.grid.isVisible() and view.grid.lens is result.lens
    assert len(result.lens.layer_names) == 3 and view.grid.height() > 3 * view.grid.row_h()
    assert abs(result.lens.probs[-1][0] - card.records[3].prob) < 1e-5
    assert view.contributors.text().count("<br>") == 4  # five contributors
    assert result.attribution.complete and "within" in view.contrib_caption.toolTip()
    assert "temperature" in view.sampler.text() and "tokens kept" in view.sampler.text()
    row, column = view.grid.cell_at(view.grid.LABEL_W + 2, view.grid.HEADER_H + 1)
    assert (row, column) == (0, 0)


def test_toggle_paints_the_attribution_over_the_transcript_and_clears_it(window, qtbot):
    card, view = _explain(qtbot, window, 4)
    a = view.result.attribution
    before = [_background(card.view, i) for i in range(len(card.records))]
    view.toggle.setChecked(True)
    scale = max(abs(s) for s in a.scores)
    for i in range(4):  # the answer so far, in the attribution's colours
        assert _background(card.view, i) == attribution_color(a.scores[a.prompt_len + i], scale)
    assert _background(card.view, 5) is None  # after the token: nothing to attribute
    prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
    pieces = prompt_card.view.overlay.prefix_pieces
    assert "".join(text for text, _rgb, _tip in pieces) == prompt_card.view.prefix
    assert any(rgb is not None for _t, rgb, _tip in pieces)
    assert prompt_card.view.toPlainText() == prompt_card.view.prefix
    view.toggle.setChecked(False)
    assert card.view.overlay is None and prompt_card.view.overlay is None
    assert [_background(card.view, i) for i in range(len(card.records))] == before
    view.toggle.setChecked(True)
    window.show_token(card, 1)  # another token: the heatmap and the result go
    assert card.view.overlay is None and prompt_card.view.overlay is None
    assert view.result is None and not view.toggle.isChecked() and view.button.isVisible()


def _hold_lane(window):
    """A real task that keeps the model lane busy until released, so what comes next waits."""
    import threading

    from desktop_app.gui.tasks import Task

    release = threading.Event()
    window.chat.lane.submit(Task(lambda _r, _c: release.wait(30), "hold the lane", "hold"))
    return release


def test_choosing_another_token_stops_the_explanation(window, qtbot):
    card = _answer(window)
    window.show_token(card, 2)
    view = window.inspector.explain
    release = _hold_lane(window)
    view.ask()
    (task,) = window.chat.lane.find("explain")
    window.show_token(card, 3)
    assert task.state.value == "cancelled" and not window.chat.lane.find("explain")  # dropped while waiting
    release.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert view.result is None and view.index == 3 and view.button.isEnabled()


def test_a_running_explanation_stops_between_steps(window, qtbot):
    card = _answer(window)
    window.show_token(card, 2)
    view = window.inspector.explain
    release = _hold_lane(window)
    view.ask()
    (task,) = window.chat.lane.find("explain")
    task.cancel.set()  # what cancelling a running task does; it is checked before and between steps
    release.set()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert view.result is None and view.status.text() == "The explanation was stopped."


def test_asking_for_an_answer_pauses_an_explanation_which_runs_after_it(window, qtbot):
    card = _answer(window)
    window.show_token(card, 2)
    view = window.inspector.explain
    release = _hold_lane(window)
    view.ask()
    (task,) = window.chat.lane.find("explain")
    window.prompt.setPlainText("And then?")
    window.send()
    assert task.state.value == "cancelled"  # the answer goes first
    release.set()  # (what the view says meanwhile: test_gui_usertest9_fixes)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # then it runs again, by itself
    assert view.index == 2


def test_prompt_tokens_are_not_explained(window, qtbot):
    window.legend.score_prompts.setChecked(True)
    prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
    qtbot.waitUntil(lambda: bool(prompt_card.records), timeout=WAIT_MS)
    window.show_token(prompt_card, 0)
    view = window.inspector.explain
    assert not view.button.isVisible() and "finished answer" in view.status.text()


def _gate_the_attribution(window):
    """A real hook on the model's first block that holds every gradient pass (the attribution's;
    the lens runs without gradients) until released: the run is caught half way."""
    import threading

    import torch

    from desktop_app.core.lens import lens_parts

    gate = threading.Event()
    block = lens_parts(window.chat.loaded.model)[0][0]

    def hold(*_args) -> None:  # returns None: the block's output stays as it is
        if torch.is_grad_enabled():
            gate.wait(30)

    return gate, block.register_forward_hook(hold)


def test_the_layer_grid_shows_before_the_attribution_and_the_bar_advances(window, qtbot, monkeypatch):
    from desktop_app.core import attribution

    monkeypatch.setattr(attribution, "IG_TOKENS_PER_BATCH", 1)  # one pass per batch: a report after each
    card = _answer(window)
    window.show_token(card, 3)
    view = window.inspector.explain
    assert "a minute or more" in view.status.text() and "few seconds" not in view.status.text()
    values = []
    view.bar.valueChanged.connect(values.append)
    gate, handle = _gate_the_attribution(window)
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
        assert view.result is None and window.chat.lane.find("explain")  # still running
        assert view.details.isVisible() and view.grid.isVisible() and view.grid.lens is view.partial.lens
        assert "temperature" in view.sampler.text()
        assert view.progress_box.isVisible() and view.cancel_button.isEnabled()
        assert not view.contributors.isVisible() and not view.contrib_caption.isVisible()
        assert view.progress_text.text().startswith("Working out")  # said once, beside the bar (text67)
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    steps = view.result.attribution.steps
    assert len(values) >= 3 and values == sorted(values) and values[-1] == steps + 1 <= view.bar.maximum()
    assert not view.progress_box.isVisible() and view.contributors.isVisible()


def test_cancel_keeps_the_grid_and_leaves_the_section_usable(window, qtbot):
    card = _answer(window)
    window.show_token(card, 3)
    view = window.inspector.explain
    gate, handle = _gate_the_attribution(window)
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
        (task,) = window.chat.lane.find("explain")  # the attribution, a task of its own after the grid's
        qtbot.waitUntil(lambda: task.state.value == "running", timeout=WAIT_MS)  # held at its gate
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
        assert task.cancel.is_set()  # the run is told at once; it stops at its next layer
        assert view.button.isVisible() and view.button.isEnabled() and not view.progress_box.isVisible()
        assert "Cancelled" in view.status.text() and view.grid.isVisible()  # what was shown stays
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert task.state.value == "done" and view.result is None and "Cancelled" in view.status.text()
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)  # usable: ask again, it finishes
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert view.contributors.isVisible() and view.button.isHidden()


def hold_after_the_first_batch(window):
    """The attribution's first batch of passes (gradients on) goes through; the next waits until the returned
    gate is set (30 s at most). Returns (gate, hook handle): set the gate and remove the handle when done."""
    import threading

    import torch

    from desktop_app.core.lens import lens_parts

    gate, batches = threading.Event(), []

    def hold_after_the_first(*_args) -> None:
        if torch.is_grad_enabled():
            batches.append(1)
            if len(batches) > 1:
                gate.wait(30)

    return gate, lens_parts(window.chat.loaded.model)[0][0].register_forward_hook(hold_after_the_first)


def test_the_figures_so_far_show_after_the_first_passes_and_stay_on_cancel(window, qtbot):
    """The first batch of passes (both ends of the path) goes through; the second is held:
    the ranking is on screen, called rough, before the attribution ends; Cancel keeps it."""
    gate, handle = hold_after_the_first_batch(window)
    card = _answer(window)
    window.show_token(card, 3)
    view = window.inspector.explain
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.estimate is not None, timeout=WAIT_MS)
        assert view.result is None and window.chat.lane.find("explain")  # still running
        # one estimate: no word's place has held from one to the next yet, so none is listed
        # (usertest 11: the first figures are often far from the finished ones)
        assert view.contributors.isHidden() and "after 2 passes" in view.contrib_caption.text()
        assert "mattered: 2 of " in view.progress_text.text() and "first rough" not in view.progress_text.text()
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert view.result is None and "Cancelled" in view.status.text()
    assert "figures so far stay" not in view.status.text()  # none was listed: none is said to stay
    assert "Stopped after 2 passes" in view.contrib_caption.text()
    assert not view.toggle.isVisible()  # the overlay is for a finished attribution


def _off(result, precision: str):
    """The same explanation as if ``precision`` had made it and its contributions did not add
    up (three times their size, and one nat more on the first token), as a bfloat16 path can
    leave them."""
    from dataclasses import replace

    a = result.attribution
    scores = [3 * s for s in a.scores]
    scores[0] += 1.0
    return replace(result, precision=precision, attribution=replace(a, scores=scores))


def test_a_ranking_that_does_not_add_up_on_fast_weights_is_called_doubtful(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    assert not view.exact_button.isVisible()  # it adds up: nothing to doubt
    fine = view.result
    view.show_result(view.ticket, _off(fine, "float32"))
    assert "read them loosely" in view.contrib_caption.text() and not view.exact_button.isVisible()  # Exact: no offer
    doubtful = _off(fine, "bfloat16")
    view.show_result(view.ticket, doubtful)
    caption = view.contrib_caption.text()
    gap = f"{doubtful.attribution.gap * 100:.0f}%" if doubtful.attribution.gap < 1 else "do not add up"
    assert not doubtful.attribution.complete and "Fast (bfloat16)" in caption and gap in caption
    assert "sure" in caption or "order" in caption  # what of the ranking holds (usertest 12)
    # an offer, not a promise: on 16-bit weights the miss is the path's roughness (float32 arithmetic
    # already), and Exact weights have missed by more than Fast on some tokens
    assert "may make them add up" in caption and "make the figures add up" not in caption
    assert view.exact_button.isVisible() and "may add up" in view.exact_button.toolTip()


def test_the_sampler_says_one_token_not_one_tokens(window, qtbot):
    from dataclasses import replace

    card, view = _explain(qtbot, window, 3)
    result = view.result
    view._show_sampler(replace(result, sampler=replace(result.sampler, kept_size=1, mass95_size=1)))
    assert "the 1 token kept" in view.sampler.text() and "lies in 1 token." in view.sampler.text()
    view._show_sampler(replace(result, sampler=replace(result.sampler, kept_size=1200, mass95_size=3)))
    assert "the 1,200 tokens kept" in view.sampler.text() and "lies in 3 tokens." in view.sampler.text()


def test_one_click_reloads_with_exact_weights_and_explains_the_token_again(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    view.show_result(view.ticket, _off(view.result, "bfloat16"))
    window.activateWindow()
    view.exact_button.setFocus()
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.exact_button, Qt.MouseButton.LeftButton)
        assert "Exact weights" in view.status.text() and not view.details.isVisible()
        assert view.button.hasFocus(), "the focus stays in the section, not down the window"
    assert window.chat.loaded.precision == "float32" and window.settings.value("precision") == "exact"
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # asked again, by itself
    result = view.result
    assert (result.context.message_id, result.context.index) == (card.message_id, 3)
    assert result.precision == "float32" and result.attribution.complete
    assert not view.exact_button.isVisible() and "within" in view.contrib_caption.toolTip()


def test_another_token_chosen_while_exact_loads_is_not_explained_by_itself(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    view.show_result(view.ticket, _off(view.result, "bfloat16"))
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.exact_button, Qt.MouseButton.LeftButton)
        window.show_token(card, 2)  # the person moved on
    QApplication.processEvents()
    assert view.pending_exact is None and view.result is None and not window.chat.lane.find("explain")
    assert view.button.isVisible() and view.button.isEnabled()


def test_a_token_the_person_put_there_gets_no_sampler_settings(window, qtbot):
    """A branch's (or a written text's) token was never sampled: the paragraph says so and gives
    the model's own probability, not temperature or the kept set of a sampling that did not happen."""
    from dataclasses import replace

    card, view = _explain(qtbot, window, 3)
    result = view.result
    agreed = replace(result.context, recorded_prob=0.289)  # the record says the same: no rounding apart
    view._show_sampler(replace(result, context=agreed, sampler=replace(result.sampler, forced=True, raw_prob=0.289)))
    text = view.sampler.text()
    assert "chosen by you (a branch), not sampled" in text and "The model gave it 28.9%." in text
    assert "temperature" not in text and "kept" not in text and "as sampled" not in text
    view._show_sampler(replace(result, sampler=replace(result.sampler, forced=False)))
    assert "temperature" in view.sampler.text() and "as sampled" in view.sampler.text()
