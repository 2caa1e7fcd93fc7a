"""Usertest 14, finding 6: a fine-tune's measuring of the model in use, between its second and third
steps, took minutes on a busy core under "Checking whether it helps: measuring your current model: ...",
with the loss curve standing still at step 2: it read as a stall, or as the run checking a result it
had not trained yet. It now says training is paused for it, which part of it runs (each part's count
starts at 0 again), and from which step training goes on; a run from an adapter in use counts its
scoring of the ratings with the base model too, which ran with no count at all."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import train_run_progress  # noqa: E402
from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from desktop_app.core.training import run_finetune  # noqa: E402
from gui_windows import active, liked_answer_counted  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import TRAIN_MS, cancelled  # noqa: E402
from test_training import FAST, env  # noqa: E402,F401  (a fixture)
from test_training_data import add_answer  # noqa: E402

STEPS = 30
RUN = FineTuneSettings(max_steps=STEPS, min_steps=STEPS, heldout_fraction=0.0, reask_count=1, reask_tokens=6)


def re_asking_before_training(p) -> bool:
    return p.phase == "evaluating" and p.training_follows and p.total > 0 and "re-asking" in p.message


def test_the_panel_says_training_is_paused_which_part_runs_and_where_training_goes_on(make_window, qtbot):
    window = active(qtbot, make_window(max_new_tokens=6))
    liked_answer_counted(qtbot, window)
    panel = window.finetune_panel
    panel.set_settings(RUN)
    window.show_finetune()
    try:
        # the panel's slot heard the report before the wait ends; later reports wait for the event loop
        with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS,
                              check_params_cb=re_asking_before_training) as measuring:
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        p = measuring.args[0]
        line, tip = panel.phase_label.text(), panel.phase_label.toolTip()
        assert line == "Measuring your current model: part 3 of 3", line  # its count in the tooltip (words70)
        assert tip.startswith("Training paused: measuring your current model "
                              "(part 3 of 3, re-asking your questions and a few fixed ones): re-asking "), tip
        assert "Checking whether it helps" not in line
        assert panel.bar.maximum() == p.total and panel.bar.value() == p.step
        step = panel.curve.steps[-1]
        assert f"then training goes on from step {step + 1} of {STEPS}" in panel.eta_label.text()
        status = window.finetune_side.label.text()
        assert "checking" not in status and ("measuring your current model" in status or "re-asking" in status), status
    finally:
        cancelled(qtbot, window)


def test_a_run_from_an_adapter_counts_every_part_of_its_measuring_before_training(env, tiny_model,  # noqa: F811
                                                                                   monkeypatch):
    """The second run of a person (from the adapter the first kept) scores the ratings with the base
    model too, as part 4 of 4 of the measuring; the parts only go forward."""
    monkeypatch.setattr(train_run_progress.Pace, "EVERY_S", 0.0)
    store, paths = env
    first = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST))
    assert first.kept, first.reason
    _c, _u, mid, _ids = add_answer(store, tiny_model, "One more question?", seed=40)
    store.rate_message(mid, -1)
    seen = []
    second = run_finetune(store, tiny_model, paths, FineTuneSettings(**FAST), progress=seen.append)
    assert second.status in ("kept", "discarded"), second.reason
    before = [p for p in seen if p.training_follows]
    counted = [p for p in before if p.total]
    assert len(before) == len(counted) + 1, [p.message for p in before if not p.total]  # its first line alone
    assert {p.part[1] for p in counted} == {4}
    assert [p.part[0] for p in counted] == sorted(p.part[0] for p in counted)
    base = [p for p in counted if p.message.startswith("measuring the base model too: ")]
    assert base and all(p.part == (4, 4) for p in base) and base[-1].step == base[-1].total
    assert all(p.message.startswith("measuring your current model: ") for p in counted if p.part[0] < 4)
