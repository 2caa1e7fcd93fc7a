"""In the window: with "Fine-tune's change" on, an edit costs the analysis and the base model's pass
(the analysis is the adapter's pass). Turned on over an analysis the change did not follow (the text
grew while it was off), the base pass alone runs too: the analysis reads every text in the passes a
fresh one reads (repeat51), so the grown one serves as the adapter's pass."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402

SHORT = "The lighthouse keeper counted the waves every night. " * 2
GROWN = SHORT + "One night the sea was flat and he counted none."
EDITED = GROWN + " He slept."


def _analysed(qtbot, window, text: str):
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text_view.editor.setPlainText(text)
    return blocker.args[0]


def _change_of(qtbot, mode, scored):
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete
                    and mode.change.adapter.ids == scored.ids, timeout=WAIT_MS)
    return mode.change


def test_an_edit_with_the_change_on_runs_the_base_pass_alone(window, qtbot, tiny_model_dir):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    mode, controller = window.text_view.change_mode, window.text
    _analysed(qtbot, window, SHORT)
    grown = _analysed(qtbot, window, GROWN)  # keeps SHORT's records, read in the passes a fresh analysis reads
    passes = []
    mode.panel.bar.valueChanged.connect(lambda _v: passes.append(mode.panel.bar.format()))
    mode.toggle.click()
    first = _change_of(qtbot, mode, grown)
    # one text, one set of figures (repeat51): a grown analysis is a fresh one's, so it serves as the
    # adapter's pass; before, its records from a shorter pass made the change read both passes
    assert first.adapter is grown and not any("of 2" in p for p in passes)
    assert controller.previous is first.adapter  # the next analysis goes on from the change's adapter pass
    passes.clear()
    edited = _analysed(qtbot, window, EDITED)
    second = _change_of(qtbot, mode, edited)
    assert second.adapter is edited and controller.scored is edited
    assert passes and not any("your adapter" in p or "of 2" in p for p in passes)
    assert second.deltas[:20] == first.deltas[:20]  # the tokens before the edit: the same passes, the same change
