"""The model dialog's radio buttons (and the window's check boxes) read in both themes: their
circle or box stands out from the window at least 3:1 (WCAG's for a control's edge), and a chosen
radio's dot from its inside. Fusion drew the radios' circles from the window colour, all but
invisible on dark. pytest-qt on the real dialog and the real window's "Score my prompts"."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionButton  # noqa: E402


def luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def indicator_pixels(button, element):
    """The colours inside ``button``'s indicator as drawn, and the colour at its centre."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    rect = button.style().subElementRect(element, option, button)
    image = button.grab().toImage()
    colours = [image.pixelColor(x, y) for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1)]
    return colours, image.pixelColor(rect.center())


@pytest.mark.parametrize("dark", [False, True])
def test_the_model_dialogs_radios_stand_out(qapp, qtbot, dark):
    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.model_dialog import ModelDialog
    from desktop_app.gui.theme import apply_theme, colors

    apply_theme(qapp, dark=dark)
    try:
        dialog = ModelDialog(AppPaths.resolve().ensure(), "bundled")
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        window, base, accent = (QColor(colors(dark)[k]) for k in ("window", "base", "accent"))
        for radio in (dialog.family_radio, dialog.bundled_radio):
            radio.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its edge, not the keyboard's ring
        dialog.setFocus()
        for radio in (dialog.family_radio, dialog.bundled_radio):
            pixels, centre = indicator_pixels(radio, QStyle.SubElement.SE_RadioButtonIndicator)
            edge = max(contrast(p, window) for p in pixels)
            assert edge >= 3, f"{'dark' if dark else 'light'}: {radio.text()!r}'s circle {edge:.1f}:1 on the window"
        assert dialog.bundled_radio.isChecked()
        _pixels, centre = indicator_pixels(dialog.bundled_radio, QStyle.SubElement.SE_RadioButtonIndicator)
        assert contrast(centre, base) >= 3, f"the chosen radio's dot {contrast(centre, base):.1f}:1"
    finally:
        apply_theme(qapp, dark=False)


@pytest.mark.parametrize("dark", [False, True])
def test_an_empty_check_box_stands_out(qapp, qtbot, dark):
    from PySide6.QtWidgets import QCheckBox

    from desktop_app.gui.theme import apply_theme, colors

    apply_theme(qapp, dark=dark)
    try:
        box = QCheckBox("Score my prompts")
        box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its edge, not the keyboard's ring
        qtbot.addWidget(box)
        box.show()
        QApplication.processEvents()
        pixels, _centre = indicator_pixels(box, QStyle.SubElement.SE_CheckBoxIndicator)
        edge = max(contrast(p, QColor(colors(dark)["window"])) for p in pixels)
        assert edge >= 3, f"{'dark' if dark else 'light'}: an empty box's edge {edge:.1f}:1 on the window"
    finally:
        apply_theme(qapp, dark=False)
