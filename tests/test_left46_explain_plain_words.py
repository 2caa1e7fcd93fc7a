""""Why this token?" while it runs speaks a newcomer's words (usertest 21 called its progress jargon:
"Step 2 · ... it stops once the figures settle (17 steps at least, 129 at most)", integrated gradients,
path points): what it works out and how far it is, in passes; the method's name only in the tooltip."""

from __future__ import annotations

from desktop_app.core import attribution
from desktop_app.core.attribution import ExplainProgress
from desktop_app.gui import explain_words as words
from desktop_app.gui.explain_view import ExplainView

JARGON = ("integrated", "gradient", "path", "point", "step", "figures settle", "nats")


def _rough(scores, difference=1.0):
    return attribution.Attribution(token_ids=[1, 2], token_texts=["a", "b"], scores=scores, target_id=3,
                                   other_id=4, target_text="c", other_text="d", difference=difference,
                                   baseline_difference=0.0, steps=2)


def _running_words() -> list[str]:
    far, near = _rough([40.0, 20.0], difference=0.1), _rough([0.7, 0.1])
    return [words.time_left_words(None),
            words.progress_line(ExplainProgress(3, 129, 60.0, sweep=17)),
            words.progress_line(ExplainProgress(40, 129, 400.0, sweep=17)),
            words.estimate_words(far), words.estimate_words(near), words.estimate_words(near, 1, 2),
            words.stopped_words(far), words.stopped_words(near), words.paused_words(near)]


def test_the_running_words_say_what_it_works_out_without_the_methods_terms():
    said = _running_words()
    for line in said:
        assert not [term for term in JARGON if term in line.lower()], line
    assert said[1].startswith("Working out which earlier words mattered: 3 of 17 passes \u00b7 about")
    assert "after 3 passes they are still far off" in said[3]


def test_the_method_is_named_in_the_progress_tooltip(qtbot):
    view = ExplainView()
    qtbot.addWidget(view)
    view._show_progress(ExplainProgress(3, 129, 60.0, sweep=17))
    assert view.progress_text.text().startswith("Working out which earlier words mattered: 3 of 17 passes")
    assert "integrated gradients" in view.progress_text.toolTip()
    assert "integrated gradients" in view.bar.toolTip()
