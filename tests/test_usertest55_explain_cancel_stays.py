"""usertest55: "Why this token?"'s Cancel keeps its place while the attribution runs. Its caption grows from
"the first figures are still too rough…" to "Rough result after 73 passes, still refining… Listed: …", two lines
more, and Cancel sat under it: a writer's click, aimed as the rough figures came, landed 28 px above the button.
The bar and Cancel now sit over the caption. The real window (tiny model), the attribution held half way."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_explain import _answer, hold_after_the_first_batch, window  # noqa: E402,F401  (window: a fixture)

LONGER = ("Rough result after 73 passes, still refining\u2026 Which earlier words led to it rather than the "
          "runner-up, in log-probability. Listed: the 4 of the top 5 words whose place has settled; the figures "
          "can still change. " * 2)


def _cancel_top(view) -> int:
    view.layout().activate()
    QApplication.processEvents()
    return view.cancel_button.mapTo(view, QPoint(0, 0)).y()


def test_cancel_stays_put_as_the_rough_result_lengthens_the_caption(window, qtbot):
    gate, handle = hold_after_the_first_batch(window)
    window.show_token(_answer(window), 3)
    view = window.inspector.explain
    try:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.estimate is not None, timeout=WAIT_MS)
        assert view.cancel_button.isVisible() and view.contrib_caption.isVisible()
        before = _cancel_top(view)
        view.contrib_caption.setText(LONGER)  # the rough result's caption, lines longer
        assert _cancel_top(view) == before
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    finally:
        gate.set()
        handle.remove()
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    assert "Cancelled" in view.status.text()
