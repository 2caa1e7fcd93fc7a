"""icons68: under a desktop's 14 pt font the icons stayed 16 px beside 14 pt words (the toolbar, the prompt row,
the answers' thumbs), the Text tab's Regenerate, icon only, kept the fixed 34 px least width where it asked more,
and the branches panel's 260 px, with the icons grown, cut "Better…". Each at 14 pt, and at the usual 9 pt that
the sizes are those drawn. icons69: the sizes come from a style-sheet rule added above 9 pt, not a Python proxy
style (its pixelMetric ran at every paint; it also grew the tabs' icons twice, to 39 px). pytest-qt, offscreen, the
real window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import (QApplication, QMenu, QProxyStyle, QStyle, QTabWidget, QToolBar, QToolButton,  # noqa: E402
                               QTreeWidget)

from gui_windows import ask  # noqa: E402
from test_bigfont68_nothing_cut import font, settled  # noqa: E402,F401
from test_gui import make_window  # noqa: E402,F401
from test_scale108_large_font import LARGE_PT, large_font  # noqa: E402,F401

GROWN = LARGE_PT / 9  # the application font's scale at 14 pt


def test_icons_grow_with_a_large_font_and_stay_16_px_at_the_usual_one(font, make_window, qtbot):
    from desktop_app.gui.theme import _grown_sides

    window = make_window()
    ask(qtbot, window)
    answer = [card for card in window.transcript.cards if card.role == "assistant"][-1]
    thumbs = [b for b in answer.findChildren(QToolButton, "ThumbButton") if b.isVisible()]
    assert thumbs, "the answer's thumbs"
    buttons = [window.send_button, window.settings_button, window.model_button, thumbs[0]]
    toolbar = window.findChild(QToolBar, "ViewToolBar")
    sides = icon_sides(window)
    assert not QApplication.instance().findChildren(QProxyStyle), "no Python style: its metric ran at every paint"
    assert toolbar.findChild(QToolButton, "qt_toolbar_ext_button").iconSize().width() == 12, "the overflow stays narrow"
    if font == "usual":
        assert "icon-size" not in QApplication.instance().styleSheet(), "at 9 pt the sheet as drawn"
        assert [b.iconSize().width() for b in buttons] == [16] * 4
        assert sides == {"tabs": 16, "menu": 16, "tree": 16}
        assert toolbar.iconSize().width() == 18
        assert _grown_sides() == (), "the icons drawn at the sides they had"
        return
    assert [b.iconSize().width() for b in buttons] == [round(16 * GROWN)] * 4, "beside 14 pt words"
    assert sides == dict.fromkeys(("tabs", "menu", "tree"), round(16 * GROWN)), "the tabs', menus' and rows' icons too"
    assert toolbar.iconSize().width() == round(18 * GROWN)
    assert _grown_sides() == (round(16 * GROWN), round(18 * GROWN)), "drawn at the grown sides, not scaled down"


def icon_sides(window) -> dict:
    """The icon sides of the side panel's tabs (Fine-tune has one), a menu's actions and the branch outline's rows."""
    style = QApplication.style()
    menu = QMenu(window)  # a menu's icons are its style's small icon size
    side_tabs = window.findChild(QTabWidget, "SideTabs")
    outline = window.findChild(QTreeWidget, "BranchOutline")
    return {"tabs": side_tabs.tabBar().iconSize().width(),
            "menu": style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, menu),
            "tree": style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, outline)}


def test_the_text_tab_s_regenerate_and_better_keep_their_width(font, make_window, qtbot):
    from desktop_app.gui.prompt_box import ICON_ONLY_WIDTH, icon_only_width

    window = make_window(mode="text")
    window.resize(1366, 768)
    settled(qtbot)
    view = window.text_view
    regenerate, better = view.regenerate_button, view.branch_panel.better_button
    branches = view.lower.sizes()[1]
    if font == "usual":
        assert regenerate.minimumWidth() == ICON_ONLY_WIDTH, "the drawn least width at 9 pt"
        assert branches == 260, "the branches' drawn width beside the text at 9 pt"
        return
    assert regenerate.minimumWidth() >= icon_only_width(regenerate), "its icon and padding whole at 14 pt"
    assert regenerate.width() >= icon_only_width(regenerate)
    assert better.width() >= better.sizeHint().width(), f"'Better…' cut: {better.width()} of {better.sizeHint().width()}"
    assert branches >= view.branch_panel.minimumSizeHint().width()
    assert branches <= view.lower.width() / 3, "the text keeps most of the room"


def test_the_sheet_gains_its_icon_rule_only_where_the_icons_grow(qapp):
    from desktop_app.gui.theme import icon_rules

    assert icon_rules(1.0) == "", "at 9 pt the sheet as drawn, byte for byte"
    assert icon_rules(9.2 / 9) == "", "a font whose icons still round to 16 px adds nothing"
    assert "{ icon-size: 20px; }" in icon_rules(11 / 9), "GNOME's 11 pt"
    assert "{ icon-size: 25px; }" in icon_rules(GROWN)
