"""aside79: "Why this token?" ran (17 passes) and "Continue with “4”" was clicked on an alternative: the inspector
emptied and said the explanation was set aside, and the researcher read 17 -> 25 passes as the attribution working on
while the branch was written. It does not: the branch's answer stops it within a layer and runs alone, the set-aside
explanation computes nothing until its token is shown again, and there it goes on from the passes it had made. The
25 was the first batch made after coming back: an even sweep of 17 points, then a round of 8 in the roughest
intervals (about 3 s on the bundled model). pytest-qt, the real window on the tiny model."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, answered_window  # noqa: E402

ALLOWED_BEFORE_BRANCH = 3  # attribution passes let through before the branch; the next one is held half way


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        yield win


class GradientPasses:
    """Every attribution pass (a pass with gradients) through the model's first block, on the lane's thread: it
    waits for a permit first, and notes whether an answer was running on the lane meanwhile."""

    def __init__(self, window, permits: int):
        import torch

        from desktop_app.core.lens import lens_parts

        self.permits = threading.Semaphore(permits)
        self.beside_answer: list[bool] = []  # one entry a pass: an answer task was running on the lane
        lane = window.chat.lane

        def seen(*_args) -> None:  # returns None: the block's output stays as it is
            if torch.is_grad_enabled():
                self.permits.acquire(timeout=30)
                self.beside_answer.append(any(t.kind == "answer" and t.state.value == "running"
                                              for t in list(lane.tasks)))

        self.handle = lens_parts(window.chat.loaded.model)[0][0].register_forward_hook(seen)

    def open(self) -> None:
        self.permits.release(10_000)


def _answer_card(window, message_id=None):
    answers = [c for c in window.transcript.cards if c.role == "assistant"]
    return answers[-1] if message_id is None else next(c for c in answers if c.message_id == message_id)


def test_a_branch_sets_the_running_explanation_aside_until_its_token_is_shown_again(window, qtbot, monkeypatch):
    from desktop_app.core import attribution

    monkeypatch.setattr(attribution, "IG_TOKENS_PER_BATCH", 1)  # one pass a batch: a report after each
    card = _answer_card(window)
    message_id = card.message_id
    card.view.select_token(3)
    window.show_token(card, 3)
    view = window.inspector.explain
    passes = GradientPasses(window, ALLOWED_BEFORE_BRANCH)
    try:
        view.ask()
        qtbot.waitUntil(lambda: view.bar.value() == ALLOWED_BEFORE_BRANCH, timeout=WAIT_MS)
        (task,) = window.chat.lane.find("explain")
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.inspector.branch_requested.emit(message_id, 3, card.records[3].top[1].id)  # "Continue with" it
            assert task.cancel.is_set()  # the run is told at once
            passes.open()  # the pass held half way goes on, and stops at its next layer
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
        QApplication.processEvents()
        assert True not in passes.beside_answer  # no attribution pass while the branch was written
        assert len(passes.beside_answer) == ALLOWED_BEFORE_BRANCH + 1  # the held one was the last
        key, partial, _go_on, estimate = view.set_aside
        assert key == (message_id, 3) and partial is not None and estimate.steps + 1 == ALLOWED_BEFORE_BRANCH
        assert not window.chat.lane.find("explain") and view.message_id is None  # nothing computes it meanwhile

        reported = []
        view.bar.valueChanged.connect(reported.append)
        window.chat.choice[_answer_card(window).message["parent_id"]] = message_id  # the first answer shown again
        window.chat.thread_changed.emit()
        QApplication.processEvents()
        back = _answer_card(window, message_id)
        back.view.select_token(3)
        window.show_token(back, 3)
        assert view.set_aside is None and view.grid.lens is partial.lens  # taken up with its grid
        assert f"going on from the {ALLOWED_BEFORE_BRANCH} passes made before" in view.progress_text.text()
        qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    finally:
        passes.open()
        passes.handle.remove()
    done = [value for value in reported if value > 0]
    assert done[0] == ALLOWED_BEFORE_BRANCH  # its first report counts only the passes made before the branch
    assert done == sorted(done) and done[-1] == view.result.attribution.steps + 1
    assert view.result.attribution.complete and (view.message_id, view.index) == (message_id, 3)
