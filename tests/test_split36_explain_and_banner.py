"""Two things a person met in the window (session 36), with real widgets:

- "Why this token?": the ranking (which earlier words mattered most) sat under the layer grid,
  below the fold at 1280x800 on a 30-layer model; it shows without scrolling at 1280x800 and
  800x600. Its colours over the text were a dark blue beside the selected token, read as the
  text selection; they are colours of their own, which the colour key shows.
- The first start's notice (which model is in use, "Choose a model…") was cut to two lines at
  800x600, mid-sentence, its button out of view; it reads whole at 800x700. At 800x600 its whole form
  left the chat 180 px (session 46), so it keeps to one line there, cut after a word, its button
  beside it in view and the whole a hover or a click away (tests/test_room46_notice_room.py).
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from desktop_app.core.palette import ATTRIBUTION_PALETTE, attribution_color  # noqa: E402
from gui_windows import answered_window  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_polish2 import settle, visible_in  # noqa: E402

WAIT_MS = 60_000
DEEP_LAYERS = 30  # the bundled SmolLM2-135M's: its layer grid is this tall
SETTLE_ROUNDS = 6  # event-loop rounds after a change: the section and the banner lay out in a few


def top_in_window(widget) -> int:
    return widget.mapTo(widget.window(), QPoint(0, 0)).y()


@pytest.fixture(scope="module")
def deep_model_dir(tiny_model_dir, tmp_path_factory):
    """The tiny GPT-2 (its tokenizer, its width) with 30 layers: a layer grid as tall as the bundled model's."""
    import shutil

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = tmp_path_factory.mktemp("deep-gpt2")
    for path in tiny_model_dir.iterdir():
        if path.is_file() and path.name not in ("config.json", "model.safetensors"):
            shutil.copy(path, folder / path.name)
    config = GPT2Config.from_pretrained(tiny_model_dir)
    config.n_layer = DEEP_LAYERS
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture
def deep_window(qtbot, qapp, deep_model_dir):
    """The window on the 30-layer model with one answer."""
    with answered_window(qtbot, qapp, deep_model_dir, WAIT_MS) as window:
        settle(SETTLE_ROUNDS)
        yield window


def explain(qtbot, window, index: int = 6):
    """Click a token of the answer, then "Explain this token", as a person does; wait for the result."""
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    index = min(index, len(card.records) - 1)
    card.view.select_token(index)
    window.show_token(card, index)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    settle(SETTLE_ROUNDS)
    return card, view


# ---------------------------------------------------------------- the ranking above the fold

@pytest.mark.parametrize("size", [(1280, 800), (800, 600)])
def test_the_ranking_shows_above_the_layer_grid_without_scrolling(deep_window, qtbot, size):
    window = deep_window
    window.resize(*size)
    settle(SETTLE_ROUNDS)
    card, view = explain(qtbot, window)
    assert len(view.result.lens.layer_names) == DEEP_LAYERS + 1 and view.grid.height() > 300, "a tall grid"
    assert view.contributors.text().count("<br>") == 4, "five earlier words ranked"
    port = window.inspector.scroll.viewport()
    for part in (view.contrib_caption, view.contributors, view.toggle):
        assert visible_in(part, port), f"{part.text()[:40]!r} is below the fold at {size}"
    assert top_in_window(view.contributors) < top_in_window(view.grid), "the ranking comes before the grid"
    assert view.contributors.width() >= 200, f"the rows are squeezed at {size}: {view.contributors.width()} px"


# ---------------------------------------------------------------- the attribution's own colours

def hue_apart(a: QColor, b: QColor) -> int:
    d = abs(a.hsvHue() - b.hsvHue()) % 360
    return min(d, 360 - d)


def test_the_attribution_has_colours_of_its_own_and_the_key_shows_them(deep_window, qtbot):
    from desktop_app.gui.legend import ATTRIBUTION_KEY
    from desktop_app.gui.theme import DARK, LIGHT

    window = deep_window
    card, view = explain(qtbot, window)
    view.toggle.setChecked(True)
    settle(SETTLE_ROUNDS)
    a = view.result.attribution
    scale = max(abs(s) for s in a.scores)
    painted = card.view.overlay.colours
    assert painted and all(painted[i] == attribution_color(a.scores[a.prompt_len + i], scale) for i in painted)
    # the text selection's blue (the theme's accent, both themes, and the palette's highlight):
    # neither end of the attribution's colours, nor its middle tints, is near it in hue
    selections = [QColor(LIGHT["accent"]), QColor(DARK["accent"]), window.palette().highlight().color()]
    for push in (-1.0, -0.6, -0.3, 0.3, 0.6, 1.0):
        colour = QColor(*attribution_color(push * scale, scale))
        for selection in selections:
            assert hue_apart(colour, selection) >= 60, f"{colour.name()} reads as the selection's {selection.name()}"
    # the colour key over the chat says what those colours are, with the same ends
    legend = window.legend
    assert legend.attribution_key and legend.bar.isVisible()
    assert legend.bar.gradient == ATTRIBUTION_PALETTE
    assert [rgb for _label, rgb in legend.bar.stops] == [ATTRIBUTION_PALETTE[0], ATTRIBUTION_PALETTE[-1]]
    assert legend.low.text() == ATTRIBUTION_KEY["low"] and legend.high.text() == ATTRIBUTION_KEY["high"]
    assert "blue" not in ATTRIBUTION_KEY["tip"] and "pink" in ATTRIBUTION_KEY["tip"]
    bar = legend.bar.grab().toImage()
    left, right = QColor(bar.pixel(2, bar.height() // 2)), QColor(bar.pixel(bar.width() - 3, bar.height() // 2))
    assert hue_apart(left, QColor(*ATTRIBUTION_PALETTE[0])) <= 15, f"the key's left end is {left.name()}"
    assert hue_apart(right, QColor(*ATTRIBUTION_PALETTE[-1])) <= 15, f"the key's right end is {right.name()}"


# ---------------------------------------------------------------- the first start's notice

def first_start_notice(monkeypatch) -> str:
    from desktop_app.core import model_sources

    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    return model_sources.resolve_spec(None, probe=lambda: False).notice


def test_the_first_start_notice_reads_whole_at_800x700_with_its_button_in_view(make_window, monkeypatch):
    window = make_window()
    notice = first_start_notice(monkeypatch)
    window.chat.model_notice.emit(notice)
    banner = window.notice_banner
    window.resize(800, 700)
    settle(SETTLE_ROUNDS)
    label, button = banner.label, banner.action_button
    assert banner.isVisible() and label.text() == notice
    assert label.cut_text is None and label.height() >= label.heightForWidth(label.width()), "cut at 800x700"
    assert button.isVisible() and visible_in(button, window), "Choose a model\u2026 out of view"
    assert visible_in(label, window) and visible_in(banner, window)
    assert not QRect(label.mapTo(window, QPoint()), label.size()).intersects(
        QRect(button.mapTo(window, QPoint()), button.size())), "the button covers the text"
    assert label.width() >= 320, f"the text squeezed beside its button: {label.width()} px"
    assert window.minimumSizeHint().height() <= 600, "the window still fits 800x600"
    assert window.transcript.height() >= 260, "the chat keeps its room beside the whole notice"


def test_at_1280x800_the_notice_keeps_its_button_beside_the_text(make_window, monkeypatch):
    window = make_window()
    window.chat.model_notice.emit(first_start_notice(monkeypatch))
    window.resize(1280, 800)
    settle(SETTLE_ROUNDS)
    banner = window.notice_banner
    label, button = banner.label, banner.action_button
    assert label.cut_text is None and button.isVisible()
    assert button.mapTo(window, QPoint()).x() > label.mapTo(window, QPoint()).x() + label.width(), "beside it"
    assert top_in_window(button) < top_in_window(label) + label.height(), "not under the text"
    assert banner.height() <= label.height() + 24, "as tall as its text, no more"


def test_a_notice_without_a_button_still_keeps_to_two_lines_at_800x600(make_window, monkeypatch):
    window = make_window()
    notice = first_start_notice(monkeypatch)
    window.notice_banner.show_message(notice * 2, "info")  # the same words, nothing to choose
    window.resize(800, 600)
    settle(SETTLE_ROUNDS)
    label = window.notice_banner.label
    assert label.cut_text is not None and label.height() <= 2 * label.fontMetrics().lineSpacing() + 4
