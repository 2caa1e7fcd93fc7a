"""The change colours read naturally: a token more likely under the adapter is green, not red (red
read as bad or wrong, when a liked answer rising is the good news), less likely purple; the compare
window's legend says which model the colours are of and which colour is which, in the words the Text
tab's key and its exported PNG's caption use too."""

from __future__ import annotations

from desktop_app.core.palette import CHANGE_PALETTE, change_color
from desktop_app.gui import compare_words, text_change_words
from test_gui import WAIT_MS, make_window  # noqa: F401 (a fixture)
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % rgb


def test_more_likely_is_green_and_less_likely_purple():
    r, g, b = change_color(2.0)
    assert g > r and g > b  # green up
    r, g, b = change_color(-2.0)
    assert r > g and b > g  # purple down
    for delta in (0.25, 0.5, 1.0, 1.5, 2.0):
        r, g, b = change_color(delta)
        assert g >= r, (delta, (r, g, b))  # no red anywhere on the "more likely" side
    assert (_hex(CHANGE_PALETTE[-1]), _hex(CHANGE_PALETTE[0])) == (compare_words.GREEN, compare_words.PURPLE)


def test_the_words_name_the_colours_the_palette_paints():
    key = compare_words.COLOUR_KEY
    assert key.startswith("Green: more likely under the adapter") and "purple: less likely" in key
    liked = " ".join(compare_words.answer_expectation(1, False, False))
    assert "green" in liked and "red" not in liked
    assert "(green)" in compare_words.mark_words("\u25b2 answer")
    assert key in text_change_words.KEY_TIP
    caption = text_change_words.export_caption("your adapter (adapter 2)", 2.0)
    assert "green, more likely with the adapter" in caption and "red" not in caption


def test_the_compare_legend_says_whose_colours_and_which_is_which(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, rating=1)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: view.message_id == mid and len(view.values) > 0, timeout=WAIT_MS)
    assert view.legend_title.text() == "Under the adapter:" and view.legend_title.isVisible()
    assert view.low_label.text().endswith("less likely") and view.high_label.text().endswith("more likely")
    for part in (view.legend_title, view.low_label, view.bar, view.high_label):
        assert part.toolTip().startswith(compare_words.COLOUR_KEY)
    assert "green" in view.expect_label.text() and "red<" not in view.expect_label.text()
