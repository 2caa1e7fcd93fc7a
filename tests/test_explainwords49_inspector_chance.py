""""Why this token?" on 16-bit weights said "The model alone gave it 16.7%" while the inspector said 17.1%
for the same chat token: the explanation re-reads the whole text in one pass, the answer's record came
from generation, one token a pass, and bfloat16 rounds the two apart. The explanation now gives the
inspector's figure as the token's chance, and the re-read's only beside it, saying why."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.percent_words import percent  # noqa: E402
from gui_windows import answered_window  # noqa: E402
from test_gui_explain import WAIT_MS  # noqa: E402


@contextmanager
def fast_window(qtbot, qapp, model_dir):
    """The answered window on Fast (bfloat16) weights, as the model dialog saves the choice (the tiny
    model's chances, near 0.3% each, do not round apart: the bundled model's do)."""
    from desktop_app.core.precision import cpu_has_native_bf16
    from desktop_app.gui.main_window import open_settings

    if not cpu_has_native_bf16():
        pytest.skip("this CPU has no native bfloat16: Fast falls back to Exact")
    open_settings(AppPaths.resolve().ensure()).setValue("precision", "fast")
    with answered_window(qtbot, qapp, model_dir, WAIT_MS) as window:
        assert window.chat.loaded.precision == "bfloat16"
        yield window


def _first_part(qtbot, window, index):
    """Token ``index`` explained as far as its sampler part (the attribution, minutes on the bundled
    model, cancelled: the gist and the sampler lines are in by then)."""
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(index)
    window.show_token(card, index)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.partial is not None, timeout=WAIT_MS)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    return view


def _first_rounded_apart(qtbot, window):
    """The first answer token whose re-read rounds apart from its record, with the inspector's figure."""
    answer = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    for index in range(len(answer.records)):
        view = _first_part(qtbot, window, index)
        if view.partial.rounded_apart and not view.partial.sampler.forced:
            return view, window.inspector.stat_values["probability"].text()
    pytest.fail("no token of the answer rounded apart on bfloat16")


def test_the_explanation_gives_the_inspectors_chance_and_the_rereads_beside_it(qtbot, qapp, bundled_model_dir):
    with fast_window(qtbot, qapp, bundled_model_dir) as window:
        view, inspector = _first_rounded_apart(qtbot, window)
        partial = view.partial
        reread = percent(partial.sampler.raw_prob)
        assert reread != inspector  # two figures for one token: the case this is about
        gist = view.gist.text()
        # the inspector may show a second decimal to tell its row from a neighbour's ("15.83%" over "15.8%")
        inspector = f"{float(inspector.rstrip('%')):.1f}%" if float(inspector.rstrip('%')) >= 1 else inspector
        assert f"The model alone gave it {inspector} (read again as a whole text: {reread})" in gist, gist
        assert "When written" not in gist and "When written" not in view.sampler.text()  # said once, by the figure
        assert f"{inspector} under the model (read again as a whole text: {reread})" in view.sampler.text()
        assert partial.recorded_note in view.gist.toolTip()  # the rounding's why, in full, where the clause is
