"""The Settings popover under a large desktop font: at 14 pt its fields need about 470 px, and at the
fixed 340 px the spin boxes' arrows, the end of "Enter sends (Shift+Enter: new line)" and the system
text's box ran past its right edge (it scrolls only up and down). It now widens to what its fields
need, within the window. pytest-qt, offscreen, the real popover."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from gui_windows import settings_popover  # noqa: E402
from test_scale108_large_font import large_font  # noqa: E402,F401


def cut_fields(popover) -> list[str]:
    """The fields whose right edge lies past the scroll area's visible width."""
    viewport = popover.scroll.viewport()
    fields = (popover.temperature, popover.seed, popover.system, popover.enter_sends, popover.greedy, popover.theme)
    cut = []
    for field in fields:
        right = field.mapTo(viewport, QPoint(field.width(), 0)).x()
        wanted = field.sizeHint().width()
        if right > viewport.width() or field.width() < wanted:
            cut.append(f"{type(field).__name__} right {right} of {viewport.width()}, {field.width()} of {wanted} px")
    return cut


def test_a_large_font_widens_the_popover_so_no_field_is_cut(large_font, qtbot):
    with settings_popover(qtbot) as popover:
        qtbot.wait(50)
        assert not cut_fields(popover), cut_fields(popover)
        assert popover.width() > 340


def test_the_usual_font_keeps_the_popover_narrow_and_whole(qtbot):
    with settings_popover(qtbot) as popover:
        qtbot.wait(50)
        assert not cut_fields(popover), cut_fields(popover)
        assert popover.width() < 440, "the usual width, about 410 px"
