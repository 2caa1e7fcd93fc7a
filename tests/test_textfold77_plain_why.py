"""textfold77: "Why this token?" in the Text tab opened on log-probability, layers and passes, heavy reading for a
writer. Its first line now says in plain words how likely the model thought the word and which earlier words pointed
to it; the figures follow below it, as before. pytest-qt on the real window, the tiny random GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.sampler_words import model_percent  # noqa: E402
from desktop_app.gui.explain_plain import likelihood_words, plain_word  # noqa: E402
from test_gui_text import TEXT, text_window  # noqa: E402,F401 (the window fixture)
from test_gui_text_explain import continued_token_picked, explained  # noqa: E402


def test_a_continuation_token_is_explained_first_in_a_writers_words(text_window, qtbot):
    window = text_window(max_new_tokens=8)
    _index, view = continued_token_picked(qtbot, window, TEXT, (1280, 800))
    result = explained(qtbot, view)
    plain = view.plain.text()
    assert view.plain.isVisible()
    word = plain_word(result.token_text)
    assert word in plain and f"({model_percent(result)})" in plain, plain
    assert "log-probability" not in plain and "layer" not in plain, "the expert's words stay below it"
    assert f"rather than {plain_word(result.attribution.other_text)}" in plain, plain
    assert "being worked out" not in plain, "the attribution is in"
    below = view.contrib_caption.mapTo(view, view.contrib_caption.rect().topLeft()).y()
    assert view.plain.mapTo(view, view.plain.rect().topLeft()).y() < below, "the plain line comes first"
    assert "log-probability" in view.contrib_caption.text(), "the detail is kept under it"


@pytest.mark.parametrize(("chance", "opening"), [(0.78, "The model expected"), (0.31, "The model thought “city” likely"),
                                                 (0.08, "one of several"), (0.004, "“city” surprised the model")])
def test_the_first_words_follow_the_chance(chance, opening):
    assert opening in likelihood_words("“city”", chance, f"{chance * 100:.1f}%")


def test_an_invisible_token_is_named():
    assert plain_word("\n") == "a line break" and plain_word(" ") == "a space" and plain_word(" city") == "“city”"
