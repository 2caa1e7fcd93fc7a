"""usertest51: a writer asked "Why this token?" on a token of their text, waited two minutes while its attribution
ran, pressed Ctrl+F (which brings Chat to the front) and came back with Ctrl+2: the token showed again with the
"Why this token?" button and none of its grid or figures, the minutes of passes thrown away. An answer token's
explanation is set aside on a tab switch and goes on from its passes on return (aside79); a Text token's now is too.
pytest-qt, the real window on the tiny model, its passes held by the hook aside79 uses."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_aside79_branch_sets_aside import GradientPasses  # noqa: E402
from test_gui_text import TEXT, WAIT_MS, analysed, text_window  # noqa: E402,F401
from test_gui_text_explain import click_heatmap  # noqa: E402

PASSES_BEFORE_LEAVING = 2  # attribution passes let through before the writer goes to Chat


def _explanation_under_way(qtbot, window, index: int, passes: GradientPasses):
    """Token ``index`` of the coloured text clicked and "Why this token?" asked, its attribution held after
    ``PASSES_BEFORE_LEAVING`` passes."""
    analysed(qtbot, window, TEXT)
    window.text_view.set_editing(False)
    click_heatmap(qtbot, window, index)
    view = window.inspector.explain
    assert view.button.isVisible(), view.status.text()
    view.button.click()
    qtbot.waitUntil(lambda: view.bar.value() == PASSES_BEFORE_LEAVING, timeout=WAIT_MS)
    return view


def test_a_text_tokens_explanation_goes_on_from_its_passes_after_a_visit_to_chat(text_window, qtbot, monkeypatch):
    from desktop_app.core import attribution

    monkeypatch.setattr(attribution, "IG_TOKENS_PER_BATCH", 1)  # one pass a batch: a report after each
    window = text_window()
    index = 6
    passes = GradientPasses(window, PASSES_BEFORE_LEAVING)
    try:
        view = _explanation_under_way(qtbot, window, index, passes)
        window.set_mode("chat")  # what Ctrl+F and Ctrl+1 do
        passes.open()  # the pass held half way goes on, and stops at its next layer
        qtbot.waitUntil(lambda: not window.chat.lane.find("explain"), timeout=WAIT_MS)
        QApplication.processEvents()
        assert view.set_aside is not None, "the Text token's explanation is kept, not thrown away"
        key, partial, _go_on, _estimate = view.set_aside
        assert key[0] == "text" and partial is not None

        window.set_mode("text")  # Ctrl+2: the token ringed in the heatmap shows again
        QApplication.processEvents()
        assert view.in_text and view.index == index
        assert view.set_aside is None and view.grid.lens is partial.lens, "taken up with its layer grid"
        assert f"going on from the {PASSES_BEFORE_LEAVING} passes made before" in view.progress_text.text()
        qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    finally:
        passes.open()
        passes.handle.remove()
    assert view.result.attribution.complete and view.result.context.in_text
