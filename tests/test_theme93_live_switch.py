"""theme93: Settings → Colours switched to Dark while a token was shown. The heatmap took the dark
scale at once (dark87), but the inspector's swatch, the colour key's rank boxes, "Why this token?"'s
ranked figures and its colours over the chat kept the light ones until the next token; a dark
window's PNG showed the light attribution key under dark attribution colours. pytest-qt on the
real window (tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.palette import (ATTRIBUTION_PALETTE_DARK, attribution_color,  # noqa: E402
                                      color_for, css_colours)
from gui_windows import answered_window  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.theme import apply_theme

    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        try:
            yield win
        finally:
            apply_theme(qapp, dark=False)


def _answer(window):
    return [c for c in window.transcript.cards if c.role == "assistant"][-1]


def _switch_to_dark(qtbot, qapp):
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=True)
    qtbot.wait(10)  # the palette's change events are posted


def test_the_swatch_and_the_rank_key_take_the_dark_colours_at_once(window, qtbot, qapp):
    from desktop_app.gui.theme import apply_theme
    from desktop_app.gui.token_view import legend_stops

    card = _answer(window)
    index = min(range(len(card.records)), key=lambda i: card.records[i].prob)  # the low end: the scales differ
    window.show_token(card, index)
    light_swatch = css_colours(color_for(card.records[index], "probability", False))[0]
    assert f"background:{light_swatch}" in window.inspector.token_label.styleSheet()
    _switch_to_dark(qtbot, qapp)
    dark_swatch = css_colours(color_for(card.records[index], "probability", True))[0]
    assert dark_swatch != light_swatch
    assert f"background:{dark_swatch}" in window.inspector.token_label.styleSheet()
    apply_theme(qapp, dark=False)
    window.legend.set_measure("rank")
    light_boxes = [rgb for _label, rgb in window.legend.bar.stops]
    _switch_to_dark(qtbot, qapp)
    assert [rgb for _label, rgb in window.legend.bar.stops] == [rgb for _l, rgb in legend_stops("rank")]
    assert window.legend.bar.stops[0][1] != light_boxes[0]


def _explained(qtbot, window, index: int):
    card = _answer(window)
    card.view.select_token(index)
    window.show_token(card, index)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    return card, view


def _background(view, index: int):
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)
    return cursor.charFormat().background().color().getRgb()[:3]


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def test_why_this_token_recolours_its_figures_key_and_overlay_in_the_dark(window, qtbot, qapp):
    card, view = _explained(qtbot, window, 4)
    a = view.result.attribution
    view.toggle.setChecked(True)
    scale = max(abs(s) for s in a.scores)
    first = a.scores[a.prompt_len]
    assert _background(card.view, 0) == attribution_color(first, scale, False)
    top = a.top(5)[0]
    _switch_to_dark(qtbot, qapp)
    assert _background(card.view, 0) == attribution_color(first, scale, True) != attribution_color(first, scale)
    assert window.legend.key["gradient"] == ATTRIBUTION_PALETTE_DARK
    from desktop_app.gui.explain_ranking import attribution_scale

    chip = attribution_color(a.scores[top], attribution_scale(a), True)
    assert _hex(chip) in view.ranking.rows.text()


def test_a_dark_windows_png_key_is_the_dark_attribution_palette(window, qtbot, qapp):
    from desktop_app.gui.heatmap_legend import key_for

    _switch_to_dark(qtbot, qapp)
    assert key_for("probability", attribution=True).gradient == ATTRIBUTION_PALETTE_DARK
