"""A switch to the dark theme while the window runs draws its icons again in the dark theme's ink:
the thumbs, Regenerate, the toolbar's actions, the Fine-tune tab and the count tiles kept the light
theme's dark ink, dim on the dark panels. Real window with a real answer, tiny GPT-2."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QLabel

from desktop_app.gui.theme import DARK, LIGHT, apply_theme
from gui_windows import answered_window
from test_gui import answer_cards


def ink(pixmap) -> QColor:
    """The mean colour of an icon's opaque pixels."""
    image, total, count = pixmap.toImage(), [0, 0, 0], 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() > 200:
                total = [total[0] + pixel.red(), total[1] + pixel.green(), total[2] + pixel.blue()]
                count += 1
    assert count, "the icon has no opaque pixels"
    return QColor(*(round(t / count) for t in total))


def close_to(colour: QColor, hex_colour: str) -> bool:
    want = QColor(hex_colour)
    return max(abs(colour.red() - want.red()), abs(colour.green() - want.green()), abs(colour.blue() - want.blue())) < 40


def icons_of(window) -> dict:
    card = answer_cards(window)[-1]
    tabs = window.side_tabs.tabBar()
    fine_tune = next(i for i in range(tabs.count()) if "Fine-tune" in tabs.tabText(i))
    return {"thumb up": (card.rating.up.icon(), "text"), "thumb down": (card.rating.down.icon(), "text"),
            "Regenerate": (window.regenerate_button.icon(), "text"),
            "Text thumb up": (window.text_view.branch_panel.up_button.icon(), "text"),
            "Text Regenerate": (window.text_view.regenerate_button.icon(), "text"),
            "toolbar": (window.panel_actions["side_tabs"].icon(), "text"),
            "Fine-tune tab": (tabs.tabIcon(fine_tune), "text")}


def test_a_runtime_switch_to_dark_draws_the_icons_again(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        for name, (icon, role) in icons_of(window).items():
            assert close_to(ink(icon.pixmap(16, 16)), LIGHT[role]), f"{name} before the switch"
        apply_theme(qapp, dark=True)
        QApplication.processEvents()
        for name, (icon, role) in icons_of(window).items():
            assert close_to(ink(icon.pixmap(16, 16)), DARK[role]), f"{name} kept the light theme's ink"
        up = answer_cards(window)[-1].rating.up
        filled = up.icon().pixmap(16, 16, QIcon.Mode.Normal, QIcon.State.On)
        assert close_to(ink(filled), DARK["good"]), "a chosen thumb is filled in the dark theme's green"
        tiles = [w for w in window.finetune_panel.findChildren(QLabel)
                 if w.property("gpt2desk_icon") is not None]
        assert tiles and all(close_to(ink(t.pixmap()), DARK["muted"]) for t in tiles), "the count tiles' icons"
        apply_theme(qapp, dark=False)
        QApplication.processEvents()
        assert close_to(ink(window.regenerate_button.icon().pixmap(16, 16)), LIGHT["text"]), "and back to light"


def test_the_same_theme_again_redraws_nothing_and_another_redraws_all(qapp):
    """Applying the theme in use again is free: no re-polish, no icon drawn again (a start that
    restores "Light" on a light system froze the window a second for that); another theme redraws."""
    from PySide6.QtWidgets import QToolButton

    from desktop_app.gui.theme import apply_theme, icon

    apply_theme(qapp, dark=False)
    button = QToolButton()
    button.setIcon(icon("settings"))
    drawn = button.icon().cacheKey()
    apply_theme(qapp, dark=False)
    assert button.icon().cacheKey() == drawn, "the same theme drew the icon again"
    apply_theme(qapp, dark=True)
    assert button.icon().cacheKey() != drawn, "another theme left the old icon"
    apply_theme(qapp, dark=False)
