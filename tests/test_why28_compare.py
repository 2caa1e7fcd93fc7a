"""Usertest 11, #12: the compare view on real widgets (the tiny GPT-2 with a random LoRA, the real
store). A whitespace token among the movers says what it is; "less likely" is not painted in
the blue of selected text; a long answer's change is said per token, not as "over a billion
times", with no sentence about the chance of exactly this text "under both"."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QColor, QPalette  # noqa: E402

from desktop_app.core.records import TokenRecord  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402


def _shown(rich: str) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<small.*?</small>", "", rich)).replace("&nbsp;", " ")


def _hue_distance(a: QColor, b: QColor) -> int:
    d = abs(a.hslHue() - b.hslHue())
    return min(d, 360 - d)


def test_less_likely_is_not_painted_like_selected_text(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    view.values = [-8.0, 8.0]  # the palette's two ends, as the view paints them
    darkest_less, darkest_more = (QColor(*rgb) for rgb in view.colours())
    selection = view.view.palette().color(QPalette.ColorRole.Highlight)
    assert _hue_distance(darkest_less, selection) >= 50, (
        f"much less likely {darkest_less.name()} reads as selected text {selection.name()}")
    assert _hue_distance(darkest_less, QColor("#2166ac")) >= 50  # the blue it was
    assert _hue_distance(darkest_less, darkest_more) >= 60  # and still far from "more likely"
    assert "purple" in view.low_label.toolTip() and "blue" not in view.low_label.toolTip()


def test_a_whitespace_token_among_the_movers_says_what_it_is(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = stored_answer(window, text=" Boil an egg.  Then cool it.")
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    spaces = [i for i, r in enumerate(view.after) if r.text and not r.text.strip()]
    assert spaces, [r.text for r in view.after]  # the tiny tokenizer keeps the double space's first one alone
    i = spaces[0]
    view.values = [0.0] * len(view.values)
    view.values[i] = 0.45  # it rose most, as in the user's egg answer
    view._summarise()
    rose = _shown(view.movers.text()).split("Fell most")[0]
    assert "(space)" in rose and "\u2423 " not in rose.replace("\u2423\u2423", "")


def _records(logprobs):
    return [TokenRecord(i, f" w{i}", lp, 1, 1.0, ()) for i, lp in enumerate(logprobs)]


def test_a_long_answer_that_fell_a_lot_is_said_per_token_without_a_billion(qapp):
    from desktop_app.gui.compare_words import change_words, summary_words, times_words

    before, after = _records([-1.0] * 74), _records([-2.0] * 74)  # 74 nats: e^74 times less likely
    text = summary_words(before, after, False)
    shown = _shown(text)
    assert "billion" not in text and "under both" not in text
    assert "much less likely" in shown and "each of its 74 tokens 2.7\u00d7 less likely" in shown
    assert "chance" not in shown, "no sentence on the chance of exactly this long text in the headline"
    assert "-74.0 \u2192 -148.0" in text, "the figures stay, in small print"
    assert times_words(74.0) == "over a million times" and "billion" not in change_words(-73.0, -147.2)
    short = summary_words(_records([-0.1, -0.1]), _records([-0.2, -0.2]), False)
    assert "stays at about" in short or "went from" in short  # a short text's chance still said, in a sentence
