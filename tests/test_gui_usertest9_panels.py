"""usertest9's startup and panel findings (pytest-qt, offscreen, the tiny random GPT-2, the real SQLite store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401

BUNDLED_NAME = "SmolLM2-135M-Instruct (bundled, offline)"


def _settle(rounds: int = 4) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


# ---------------------------------------------------------------- B4: the prompt row's words at 1280x800

def test_at_the_first_size_the_buttons_keep_their_words_and_the_long_model_name_gives_way(make_window):
    from PySide6.QtCore import QRect

    from desktop_app.gui.responsive import first_geometry

    window = make_window()
    first = first_geometry(QRect(0, 0, 1280, 800), window.minimumSize()).size()  # 1088x680 on that screen
    window.resize(first)
    window.show()
    window.prompt_area.set_model_name(BUNDLED_NAME)
    _settle()
    words = [b.text() for b in (window.settings_button, window.regenerate_button, window.stop_button,
                                window.send_button)]
    assert words == ["Settings", "Regenerate", "Stop", "Send"], "at 1280x800 they were five bare icons"
    row = window.prompt_area
    assert all(b.geometry().right() <= row.width() for b in row.buttons)
    assert window.model_button.toolTip().endswith(f"{BUNDLED_NAME})"), "the name is still one hover away"

    window.resize(660, 800)  # narrower: every word goes, nothing overflows
    _settle()
    assert window.send_button.text() == "" or window.prompt_area.width() >= row.sizeHint().width()
    window.resize(first)
    _settle()
    assert window.send_button.text() == "Send" and window.settings_button.text() == "Settings"


# ---------------------------------------------------------------- B5: the layer grid's colours fit its values

def _small_model_lens():
    """A lens like the bundled model's: every probability between 0 and about 10%."""
    from desktop_app.core.lens import LogitLens

    probs = [[0.001 * (row + 1) * (col + 1) for col in range(3)] for row in range(5)]  # highest 1.5%
    probs[-1][0] = 0.1043
    return LogitLens(layer_names=["embeddings"] + [f"layer {i}" for i in range(1, 5)], token_ids=[1, 2, 3],
                     token_texts=[" French", " the", " a"], probs=probs,
                     ranks=[[1] * 3 for _ in range(5)], layer_top=[(1, " French", 0.1)] * 5, first_top1=None)


def _pixel(image, grid, row, column):
    x = grid.LABEL_W + column * grid._cell_w() + 3
    y = grid.HEADER_H + row * grid.row_h() + 2
    return image.pixelColor(int(x), int(y)).getRgb()[:3]


def test_the_layer_grid_spans_its_colours_over_its_own_values_and_has_a_key(qtbot):
    from desktop_app.core.palette import sequential_color
    from desktop_app.gui.explain_view import LensGrid

    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 10)
    grid.set_lens(_small_model_lens())
    grid.show()
    image = grid.grab().toImage()
    brightest = _pixel(image, grid, 4, 0)  # 10.43%: the grid's highest
    assert brightest == sequential_color(1.0), "at 0-100% the 10% cell was as dark as the rest"
    assert _pixel(image, grid, 0, 0) != brightest
    assert "10.4%" in grid.key_text() and "log scale" in grid.key_text()
    key_row = grid.height() - grid.KEY_H // 2
    assert image.pixelColor(grid.LABEL_W + grid.KEY_BAR_W - 2, key_row).getRgb()[:3] != \
        image.pixelColor(grid.LABEL_W + 3, key_row).getRgb()[:3], "the key's gradient is drawn under the grid"


def test_the_layer_grid_tells_unlikely_layers_apart_on_a_log_scale(qtbot):
    """usertest 54: for a token unlikely in the early layers, a straight scale up to the grid's
    highest painted 0.001% and 0.1% the same dark colour, so only tooltips told the layers apart.
    On a log scale each ten times likelier is a visible step, and the key and caption say so."""
    from desktop_app.core.lens import LogitLens
    from desktop_app.gui.explain_view import LensGrid, lens_words

    chosen = [0.00001, 0.0001, 0.001, 0.01, 0.3]
    lens = LogitLens(layer_names=["embeddings"] + [f"layer {i}" for i in range(1, 5)], token_ids=[1, 2],
                     token_texts=[" Paris", " the"], probs=[[p, 0.00002] for p in chosen],
                     ranks=[[40000, 9000], [3000, 8000], [300, 900], [30, 400], [1, 500]],
                     layer_top=[(2, " the", 0.2)] * 5, first_top1=4)
    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 10)
    grid.set_lens(lens)
    grid.show()
    image = grid.grab().toImage()
    colours = [_pixel(image, grid, row, 0) for row in range(5)]
    steps = [sum(abs(a - b) for a, b in zip(lower, higher)) for lower, higher in zip(colours, colours[1:])]
    assert min(steps) >= 40, f"each tenfold step is a visible change of colour: {colours}"
    assert "log scale" in grid.key_text() and "log scale" in lens_words(lens)
    from desktop_app.core.log_scale import log_scale
    from desktop_app.gui.explain_grid import low_words

    assert low_words(log_scale([[1e-9, 0.5]])[0]) == "0.0001%", "the floor is said once: not \u2264<0.0001%"


# ---------------------------------------------------------------- B3: ratings given while a run trains

def recount_ratings(qtbot, window) -> None:
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS):
        window.writer.recount()
    QApplication.processEvents()


def test_ratings_given_during_a_run_are_said_to_go_into_the_next_one(make_window, qtbot):
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    store.rate_message(ask(qtbot, window, "Hello")["message_id"], 1)
    recount_ratings(qtbot, window)
    # the panel hears a run start as from the controller (a real run could end before the rating below)
    window.finetune.running_changed.emit(True)
    assert "since this run started" not in panel.ready_label.text()
    for text in ("Hi", "Why?"):
        store.rate_message(ask(qtbot, window, text)["message_id"], -1)
    recount_ratings(qtbot, window)
    text = panel.ready_label.text()
    assert "3 ratings ready" in text  # counts59: the ratings, as the tab counts them
    assert "<b>2 new since this run started</b> \u2014 they go into the next fine-tune." in text, text
    window.finetune.running_changed.emit(False)
    assert "since this run started" not in panel.ready_label.text(), "the run ended: nothing to set apart"
