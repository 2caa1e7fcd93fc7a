"""text67: a writer's notes on the Text tab in a real window. "Why this token?" said it was working twice,
a ratio showed two ways, a branch from inside a word was named from the middle of the word."""

from __future__ import annotations

from desktop_app.core import attribution
from desktop_app.core.branch_words import sibling_labels
from desktop_app.core.percent_words import likelier_words
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.gui import explain_words as words
from desktop_app.gui.explain_view import ExplainView
from desktop_app.gui.inspector_words import versus_words


def _rough(scores, difference=1.0):
    return attribution.Attribution(token_ids=[1, 2], token_texts=["a", "b"], scores=scores, target_id=3,
                                   other_id=4, target_text="c", other_text="d", difference=difference,
                                   baseline_difference=0.0, steps=2)


def test_why_this_token_says_it_is_working_once(qtbot):
    view = ExplainView()
    qtbot.addWidget(view)
    view.ranking.working(in_text=True)
    view.progress_text.setText(words.time_left_words(None))  # what _show_first_part puts beside the bar
    shown = [label.text() for label in (view.ranking.caption, view.progress_text) if not label.isHidden()]
    assert [line for line in shown if line.startswith("Working out")] == [view.progress_text.text()]
    view.ranking.show_estimate(_rough([40.0, 20.0], difference=0.1))  # too rough to list: the caption says so
    assert not view.ranking.caption.isHidden()
    assert not view.ranking.caption.text().startswith("Working out")


def test_a_stopped_run_without_figures_says_so():
    view = ExplainView()
    view.ranking.working(in_text=False)
    view.ranking.stopped(started=True)
    assert not view.ranking.caption.isHidden() and "not worked out" in view.ranking.caption.text()
    view.deleteLater()


def test_a_ratio_reads_one_way_the_way_up():
    assert likelier_words(7.31e-06) == "136,799\u00d7 less likely"
    assert likelier_words(2.44) == "2.4\u00d7 more likely"
    assert likelier_words(1.01) == "about as likely"
    record = TokenRecord(id=1, text=" cove", logprob=-0.105360516, rank=1, entropy=0.1)
    said = versus_words(Alternative(id=2, text=" cave", prob=0.9 * 7.31e-06), record)
    assert "136,799\u00d7 less likely." in said and "as likely" not in said


def _branch(bid, text, start=0):
    return {"id": bid, "text": text, "start": start, "parent_id": None, "title": None}


def test_a_branch_from_inside_a_word_is_named_from_the_word_start():
    siblings = [_branch(1, "ave and fell into the water", 20), _branch(2, "ove and a boat", 20)]
    labels = sibling_labels(siblings, {1: "The boat came to a c", 2: "The boat came to a c"})
    assert labels == {1: "cave and fell into the water", 2: "cove and a boat"}
    after_a_word = sibling_labels([_branch(3, " and then", 5)], {3: "Hello"})
    assert after_a_word == {3: "and then"}  # a branch that starts a word keeps its own words
