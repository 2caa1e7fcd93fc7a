"""usertest51, at 1024x600: in the Text tab the empty Token inspector gives the text its width; a click on a token
low in the coloured text brought the inspector forward at its full width, the text narrowed and its lines
wrapped again, and the token just clicked went below the view: the inspector showed a token the writer could no
longer see. The heatmap keeps its ringed token in view when its width changes (since usertest55 a click no longer
changes it under 1088 px: a narrowed window does). pytest-qt, the real window on the
tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect  # noqa: E402

from gui_windows import WAIT_MS, window_with_text  # noqa: E402
from test_small40_short_window import settle  # noqa: E402

PARAGRAPH = ("The harbour town woke slowly that winter. Fishing boats lay tilted in the mud, their ropes stiff with "
             "frost, and the baker on Quay Street lit his ovens an hour later than he had in summer. ")


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, PARAGRAPH * 6) as win:
        yield win


def _seen_rect(window, index: int) -> QRect:
    """Token ``index``'s rectangle in the heatmap scroll area's viewport."""
    view = window.text_view
    rect = view.heatmap.span_rect(index)
    top_left = view.heatmap.viewport().mapTo(view.heatmap_scroll.viewport(), rect.topLeft())
    return QRect(top_left, rect.size())


def _in_view(window, index: int) -> bool:
    return window.text_view.heatmap_scroll.viewport().rect().contains(_seen_rect(window, index))


def _last_token_in_view(window) -> int:
    """The last token whole in the view: low in it, where a narrower text pushes it down."""
    count = len(window.text_view.heatmap.records)
    return max(i for i in range(count) if _in_view(window, i))


def test_a_clicked_token_stays_in_view_when_the_text_narrows(window, qtbot):
    """Since usertest55 the click itself narrows nothing under 1088 px (the inspector keeps its narrow form); the
    window narrowed after it does, and the ringed token must stay on screen through that reflow."""
    window.resize(1024, 600)
    view = window.text_view
    view.set_editing(False)
    qtbot.waitUntil(lambda: window.width() == 1024 and view.heatmap.isVisible(), timeout=WAIT_MS)
    settle()
    settle()
    empty_width = view.heatmap_scroll.viewport().width()
    assert window.inspector.record is None
    index = _last_token_in_view(window)
    assert index < len(view.heatmap.records) - 1, "the text runs on below the view"
    view.heatmap.select_token(index)  # as a click on it does (textfold77's click_a_token)
    window.show_text_token(index, view.heatmap.records[index])
    settle()
    settle()
    assert view.heatmap_scroll.viewport().width() == empty_width, "the click moved the text"
    window.resize(900, 600)
    qtbot.waitUntil(lambda: view.heatmap_scroll.viewport().width() < empty_width, timeout=WAIT_MS)
    settle()
    settle()
    assert window.inspector.record is not None and view.heatmap.selected == index
    assert _in_view(window, index), "the token the inspector shows is on screen"
