"""loose69: the Settings popover's labels sat on boxes of their own beside their fields: 3 px above a spin box's
digits at 9 pt, and above (9 pt) or below (14 pt) the system text's first line. Each label now sits on its field's
text baseline, as a desktop form sets it. Read from the popover as drawn (its grab), by where the first letter of
the label and of the field's text end: both are letters without a descender. pytest-qt, offscreen, the real
popover."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402

from gui_windows import settings_popover  # noqa: E402
from test_scale108_large_font import large_font  # noqa: E402,F401


def first_letter_bottom(image, popover, widget, inset: int) -> int:
    """The lowest dark row of the first letter drawn in ``widget`` (its frame ``inset`` px left out)."""
    at = widget.mapTo(popover, QPoint(0, 0))
    room = QRect(at.x() + inset, at.y() + inset, widget.width() - 2 * inset - 20, widget.height() - 2 * inset)
    rows = range(room.top(), room.bottom())

    def dark(x, y):
        return image.pixelColor(x, y).lightness() < 110

    first = next(x for x in range(room.left(), room.right()) if any(dark(x, y) for y in rows))
    return max(y for y in rows if any(dark(x, y) for x in range(first, first + 5)))


def baselines_apart(qtbot) -> dict[str, int]:
    """{label: px between its baseline and its field's text's}, for the fields with text on a line of their own."""
    with settings_popover(qtbot) as popover:
        popover.system.setPlainText("Be brief.")
        popover.close_button.setFocus()  # the first field's digits selected (white on the accent) are not read
        qtbot.wait(50)
        image = popover.grab().toImage()
        # labels whose first letter stands on the baseline (a "T" shows its bar first)
        fields = (popover.max_new, popover.seed, popover.alternatives, popover.system)
        return {popover.form.labelForField(f).text(): first_letter_bottom(image, popover, f, 4)
                - first_letter_bottom(image, popover, popover.form.labelForField(f), 0) for f in fields}


def test_each_label_sits_on_its_fields_text_at_the_usual_font(qtbot):
    apart = baselines_apart(qtbot)
    assert all(abs(px) <= 1 for px in apart.values()), apart


def test_each_label_sits_on_its_fields_text_at_a_large_font(large_font, qtbot):
    apart = baselines_apart(qtbot)
    assert all(abs(px) <= 1 for px in apart.values()), apart
