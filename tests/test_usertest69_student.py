"""usertest69: a first-year student used the inspector as a textbook for a report with figures. What stopped them:
the surprise list's "Model expected" named a rank-1 token's runner-up as what the model expected; Copy figures left
out the sampler lines' figures; no answer said which temperature wrote it; after Cancel the Text tab's plain line
still said "is being worked out below"; the temperature's tooltip did not say the colours stay the model's own; the
entropy key spoke of "the distribution". pytest-qt on the real window, the tiny model, a real store."""

from __future__ import annotations

import dataclasses
import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.palette import MEASURES  # noqa: E402
from desktop_app.core.records import Alternative  # noqa: E402
from desktop_app.core.surprises import Surprise  # noqa: E402
from desktop_app.gui import surprise_words  # noqa: E402
from desktop_app.gui.answer_words import written_with_words  # noqa: E402
from desktop_app.gui.explain_plain import STOPPED, WORKING, plain_why  # noqa: E402
from desktop_app.gui.settings_popover import FIELD_TIPS  # noqa: E402
from test_gui_explain import WAIT_MS, _answer, _explain, window  # noqa: E402,F401  (the window with one answer)
from test_gui_text import TEXT, text_window  # noqa: E402,F401 (the window fixture)
from test_gui_text_explain import continued_token_picked, explained  # noqa: E402


def _surprise(rank: int) -> Surprise:
    return Surprise(index=5, text=" Paris", prob=0.956, rank=rank, surprisal_bits=0.07, entropy_bits=0.5,
                    expected=Alternative(id=450, text=" L", prob=0.0079))


def test_a_first_choice_is_not_said_to_have_been_expected_as_something_else():
    first = _surprise(rank=1)
    tip = surprise_words.row_tip(first)
    assert "It expected" not in tip and "first choice" in tip and "0.79%" in tip, tip
    line = surprise_words.chat_jump_words(first, 3, 5)
    assert "where it expected" not in line and "first choice" in line, line
    assert "It expected" in surprise_words.row_tip(_surprise(rank=4)), "a token below the first keeps the words"
    assert "Model expected" not in surprise_words.HEADERS and "rank 1" in surprise_words.HEADER_TIPS[2]


def test_copy_figures_takes_the_sampler_lines_figures(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    qtbot.mouseClick(window.inspector.copy_button, Qt.MouseButton.LeftButton)
    whole = json.loads(QApplication.clipboard().text())
    assert whole["message_id"] == card.message_id and whole["index"] == 3, "what `gpt2-desk explain` takes"
    copied = whole["sampler"]
    shown = view.result.told_sampler
    assert copied["raw_prob"] == shown.raw_prob and copied["used_prob"] == shown.used_prob
    assert copied["settings"] == shown.how and shown.how in view.sampler.text(), "the settings as the section says"
    assert [tuple(stage) for stage in copied["stages"]] == list(shown.stages)
    from desktop_app.gui.explain_words import sampler_gist, sampler_words

    tiny = dataclasses.replace(view.result, sampler=dataclasses.replace(shown, raw_prob=1e-7))
    assert "<0.0001% under the model" in _shown(sampler_words(tiny)), "not taken for a tag (usertest69)"
    assert "gave it <0.0001%" in _shown(sampler_gist(tiny)), _shown(sampler_gist(tiny))


def test_an_answer_says_which_settings_wrote_it(window):
    card = _answer(window)
    settings = card.message["settings"]
    tip = card.meta.toolTip()
    assert f"temperature {settings['temperature']:g}" in tip and f"seed {settings['seed']}" in tip, tip
    assert card.meta.text() in tip, "the meta line's own words stay first"
    assert f"temperature {settings['temperature']:g}" in card.role_label.toolTip(), "where the meta line gave way"
    assert written_with_words({"settings": {"temperature": 0.4, "greedy": True}}).startswith("Written with greedy")
    assert written_with_words({"settings": {}}) == "", "an imported answer has no settings to tell"


def test_a_cancelled_explanation_no_longer_says_it_is_being_worked_out(text_window, qtbot):
    window = text_window(max_new_tokens=8)
    _index, view = continued_token_picked(qtbot, window, TEXT, (1280, 800))
    first_part = dataclasses.replace(explained(qtbot, view), attribution=None)
    assert WORKING in plain_why(first_part) and STOPPED in plain_why(first_part, stopped=True)
    view.result, view.partial = None, first_part  # the attribution still running, as after the lens came in
    view.plain.setText(plain_why(first_part))
    view.cancel()
    assert STOPPED in view.plain.text() and WORKING not in view.plain.text(), view.plain.text()


def test_the_temperatures_tip_and_the_entropy_key_say_what_a_student_needs():
    temperature = dict(FIELD_TIPS)["Temperature"]
    assert "model's own" in temperature and "Why this token?" in temperature
    assert "distribution" not in MEASURES["entropy"] and "bits" in MEASURES["entropy"]


def _shown(rich: str) -> str:
    """What a rich-text label shows of ``rich``, as plain text."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText().replace("\u00a0", " ")


def test_a_chance_under_a_millionth_is_shown_not_taken_for_a_tag(qapp):
    from desktop_app.core.records import TokenRecord
    from desktop_app.gui.compare_words import movers_words

    texts = ["El", ",", " east"]  # Compare read "Fell most  El 40.6% →  , 40.7% → 0.058%": the "," chip lost
    before = [TokenRecord(i, t, lp, 1, 0.5) for i, (t, lp) in enumerate(zip(texts, (-0.9, -0.9, -1.7)))]
    after = [TokenRecord(i, t, lp, 9, 0.5) for i, (t, lp) in enumerate(zip(texts, (-16.0, -7.4, -8.3)))]
    values = [a.logprob - b.logprob for b, a in zip(before, after)]
    shown = _shown(movers_words(before, after, values, 8.0, lambda i: texts[i], str))
    assert "El  40.7% → <0.0001%" in shown and " ,  40.7% → 0.061%" in shown, shown
    tip = _shown(surprise_words.row_tip(dataclasses.replace(_surprise(rank=900), prob=1e-7)))
    assert "“␣Paris” <0.0001% here" in tip, tip


def test_the_loss_curves_ends_say_they_are_means_of_steps():
    from desktop_app.core.loss_trend import loss_caption

    falling = [2.9, 2.6, 2.3, 1.1, 0.6, 0.3, 0.1, 0.05, 0.04, 0.022]  # the progress line says the last: 0.022
    caption = loss_caption(falling)
    assert "2.60 \u2192 0.0373 (means of the first and of the last 3 steps)" in caption, caption


def test_the_layer_grids_key_keeps_both_ends_of_its_scale_in_a_narrow_panel(qtbot):
    from PySide6.QtGui import QFontMetrics

    from desktop_app.gui.explain_view import LensGrid
    from test_gui_usertest9_panels import _small_model_lens

    grid = LensGrid()
    qtbot.addWidget(grid)
    grid.set_lens(_small_model_lens())
    metrics = QFontMetrics(grid.small_font())
    for width in (400, 215, 190):  # 215: the inspector's grid at 1024 x 600 read "log scale: ≤0…"
        grid.resize(width, grid.height())
        bar, words = grid.key_layout(metrics)
        assert "\u2026" not in words and grid.key_text(short=True) in words, (width, words)  # both ends
        assert grid.LABEL_W + 7 + bar + metrics.horizontalAdvance(words) <= width, (width, bar, words)
    grid.resize(400, grid.height())
    assert grid.key_layout(metrics) == (grid.KEY_BAR_W, grid.key_text()), "where it fits, the whole key"


def test_the_nat_is_named_where_log_probability_is_explained():
    from desktop_app.gui.figure_words import GLOSSARY
    from desktop_app.gui.inspector_words import STAT_TIPS

    said = "1 bit = 0.69 nats"  # ("natural" alone says "nat")
    assert said in dict(GLOSSARY)["log-probability"] and said in STAT_TIPS["log-probability"]
