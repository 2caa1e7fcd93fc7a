"""The Text tab's PNG export draws what the tab shows: the measure's colours with the measure's
key, and while "Fine-tune's change" is on the change's colours (red more likely under the
adapter, purple less) with a key that says so. Real window, tiny model, a real LoRA adapter;
the pictures are read back from the files, pixel by pixel."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QImage  # noqa: E402

from desktop_app.core.palette import CHANGE_PALETTE, VIRIDIS, change_color, color_for  # noqa: E402
from desktop_app.gui import heatmap_legend, text_change_words  # noqa: E402
from desktop_app.gui.compare_words import nice_scale  # noqa: E402
from desktop_app.gui.text_export import EXPORT_LEAST_RATIO, MARGIN  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
TEXT = " ".join(f"Line {i} says the river near village {i} rose in the night." for i in range(8))


def _colours(path, top: int, bottom: int, least: int = 1) -> set:
    """The RGB colours of the picture's rows ``top`` .. ``bottom`` (negative: from the end) that
    cover ``least`` pixels or more (a token's background does; the text's smoothed edges do not)."""
    image = QImage(str(path))
    assert not image.isNull()
    # the Text tab's PNG has at least 2 pixels to each of its own (usertest71): the rows named are the picture's own
    top, bottom = (round(edge * EXPORT_LEAST_RATIO) for edge in (top, bottom))
    least = round(least * EXPORT_LEAST_RATIO ** 2)  # as many pixels again each way
    top, bottom = (edge if edge >= 0 else image.height() + edge for edge in (top, bottom))
    counts = Counter(image.pixelColor(x, y).getRgb()[:3] for y in range(top, bottom) for x in range(image.width()))
    return {colour for colour, count in counts.items() if count >= least}


def _near(colours: set, rgb, within: int = 6) -> bool:
    """Whether some colour of ``colours`` is ``rgb`` give or take ``within`` per channel (a gradient's end)."""
    return any(all(abs(a - b) <= within for a, b in zip(colour, rgb)) for colour in colours)


def _export(view, path) -> set:
    written = view.analysis_tools.export("png", str(path))
    assert written == path
    return written


def test_the_png_draws_the_change_while_it_is_on_and_the_measure_when_off(window, qtbot, tiny_model_dir, tmp_path):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode = window.text_view, window.text_view.change_mode
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText(TEXT)
    records = view.heatmap.records
    measured = _export(view, tmp_path / "measure.png")
    mode.toggle.click()
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete, timeout=WAIT_MS)
    change = mode.change
    changed = _export(view, tmp_path / "change.png")
    mode.toggle.click()
    measured_again = _export(view, tmp_path / "measure-again.png")

    scale = nice_scale(change.deltas)
    change_colours = {change_color(d, scale) for d in change.deltas}
    probability_colours = {color_for(r, "probability") for r in records}
    assert len(change_colours - {(247, 247, 247)}) >= 3  # a random adapter moves tokens both ways
    # the text's rows (the first line of tokens, above any key) are in the colours the tab showed
    line = (MARGIN + 2, MARGIN + 12)
    on_screen_change = _colours(changed, *line, least=40) - {WHITE, BLACK}
    on_screen_measure = _colours(measured, *line, least=40) - {WHITE, BLACK}
    assert len(on_screen_change) >= 2 and on_screen_change <= change_colours
    assert on_screen_measure and on_screen_measure <= probability_colours
    assert not on_screen_measure & on_screen_change
    # the key under the change's text runs purple .. red; the measure's runs along viridis
    key_rows = (-MARGIN - 30, -MARGIN)
    change_key, measure_key = _colours(changed, *key_rows), _colours(measured, *key_rows)
    assert _near(change_key, CHANGE_PALETTE[0]) and _near(change_key, CHANGE_PALETTE[-1])
    assert not _near(measure_key, CHANGE_PALETTE[-1]) and _near(measure_key, VIRIDIS[-1])
    assert not _near(change_key, VIRIDIS[-1])
    assert _colours(measured_again, 0, -1) == _colours(measured, 0, -1)  # off: the measure's picture again


def test_the_change_key_says_what_the_colours_mean():
    caption = text_change_words.export_caption("your adapter (run 3)", 2.0)
    key = heatmap_legend.key_from(caption, text_change_words.key(None))
    assert "log-probability under your adapter (run 3) minus under the base model" in key.title
    assert "green, more likely" in key.title and "purple, less likely" in key.title and "\u00b12 nats" in key.title
    assert key.gradient == CHANGE_PALETTE and "less likely" in key.stops[0][0] and "more likely" in key.stops[1][0]


def test_an_export_while_the_change_is_scored_says_so_and_writes_nothing(window, qtbot, tiny_model_dir, tmp_path):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    view, mode = window.text_view, window.text_view.change_mode
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText(TEXT)
    errors = []
    window.text.error.connect(errors.append)
    mode.toggle.setChecked(True)
    mode.change = None  # as between the toggle and the change's result
    assert view.analysis_tools.export("png", str(tmp_path / "early.png")) is None
    assert errors and "still being scored" in errors[0] and not (tmp_path / "early.png").exists()
