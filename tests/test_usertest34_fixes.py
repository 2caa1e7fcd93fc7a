"""usertest34, a new user on the Text tab and the inspector: what they met, fixed.

- "Why this token?"'s gist said "temperature 0.4 raised that to 86.9%; then the repetition penalty 1.1 … took it
  to 100.0%": the penalty (applied first) lowered the likelier token, and its part was given to temperature.
- Stopped with no word listed, it said the layer grid was "above": it is below.
- The Text tab's two histograms said nothing of what a bar counts; F1 listed keys only.
- An alternative at 7.18% beside 56.16% was "cut by min-p 0.1" (over a tenth as shown): temperature 0.4
  sharpened the chances first, and the line did not say so; in Text it spoke of "the answer's sampler"."""

from __future__ import annotations

import pytest

from desktop_app.core.generation import SamplingSettings
from desktop_app.core.records import Alternative, TokenRecord
from desktop_app.core.sampler_cut import cut_words, sampler_cut
from desktop_app.core.sampler_facts import SamplerFacts
from desktop_app.core.sampler_words import other_settings_words, story_words


def _egg_facts() -> SamplerFacts:
    """The bundled model's " egg" in a story (usertest34's figures): 11.7% under the model, " dragon" at 15.6%
    and already written; the penalty lowered it, temperature then did most, min-p cut the rest."""
    stages = (("repetition penalty", 0.138), ("temperature", 0.869), ("top-k", 0.869), ("min-p", 1.0),
              ("top-p", 1.0))
    return SamplerFacts(token_id=1, raw_prob=0.117, used_prob=1.0, kept=True, kept_size=1, mass95_size=644,
                        temperature=0.4, top_k=50, top_p=0.95, greedy=False, stages=stages,
                        repetition_penalty=1.1, min_p=0.1)


def test_the_gist_tells_the_penalty_first_where_the_sampler_applied_it_first():
    s = _egg_facts()
    steps, ends_there = story_words(s, "answer")
    assert steps.startswith("the repetition penalty 1.1 raised that to 13.8%"), steps
    assert steps.index("repetition penalty") < steps.index("then temperature 0.4 raised it to 86.9%"), steps
    assert not ends_there
    # what the story told is not told again as "then … took it to 100.0%"
    assert other_settings_words(s) == "min-p 0.1"


def test_a_setting_after_the_movers_is_still_told_after_them():
    stages = (("temperature", 0.964), ("top-k", 0.964), ("top-p", 1.0))
    s = SamplerFacts(token_id=1, raw_prob=0.567, used_prob=1.0, kept=True, kept_size=3, mass95_size=4,
                     temperature=0.4, top_k=50, top_p=0.95, greedy=False, stages=stages)
    assert story_words(s, "answer") == ("temperature 0.4 raised that to 96.4%", False)
    assert other_settings_words(s) == "top-p 0.95"


def test_min_p_names_the_temperature_that_sharpened_the_chances_first():
    top = (Alternative(1, " destroyed", 0.5616), Alternative(2, " abandoned", 0.0718))
    cooled = sampler_cut(top, SamplingSettings(temperature=0.4, top_k=0, top_p=1.0, min_p=0.1))
    assert cooled.cut == {2: "cut by min-p 0.1 after temperature 0.4"}
    assert cut_words(cooled, top) == ("1 dimmed: the sampler could not have picked it "
                                      "(cut by min-p 0.1 after temperature 0.4).")
    # at temperature 1 the chances as shown decide it, and nothing more is said
    assert sampler_cut(top, SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.1)).cut == {}


def test_the_figure_words_say_what_a_histogram_bar_counts():
    from desktop_app.gui.figure_words import bin_words

    assert bin_words("probability", 9, 10, 12) == "probability 90\u2013100%: 12 tokens"
    assert bin_words("entropy", 0, 10, 1) == "entropy 0.0\u20131.2 bits: 1 token"
    assert bin_words("entropy", 9, 10, 3) == "entropy 10.8+ bits: 3 tokens"


def test_a_continuations_question_on_the_card_starts_at_a_whole_word(tmp_path):
    from desktop_app.core import documents, text_branches as tb
    from desktop_app.core.store import Store
    from desktop_app.core.text_training import QUESTION_CHARS, question_for

    text = ("The old lighthouse keeper climbed the stairs every evening to light the lamp. For forty years he had "
            "never missed a night, even when the storms came in from the north and the sea rose over the rocks. "
            "One winter, a letter arrived from the city.")
    cut = len(text) - QUESTION_CHARS
    assert text[cut - 1].isalpha() and text[cut].isalpha(), "the plain cut falls inside a word (\"stairs\")"
    store = Store.open(tmp_path / "db.sqlite3")
    try:
        doc = documents.create_document(store, text)
        branch = tb.add_branch(store, doc, None, len(text), " It was from the king.", model_id="tiny")
        question = question_for(store, branch)
    finally:
        store.close()
    assert question.startswith("\u2026every evening to light the lamp."), question
    assert question.endswith("arrived from the city.") and len(question) <= QUESTION_CHARS + 1


pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402

from test_gui import make_window  # noqa: E402,F401
from test_gui_explain import window  # noqa: E402,F401  (the window with one answer, on the tiny model)
from test_why28_explain import _explained  # noqa: E402
from test_gui_loom import continue_with, pick_an_alternative, window as loom_window  # noqa: E402,F401
from test_gui_text import TEXT, WAIT_MS, analysed, text_window  # noqa: E402,F401
from test_gui_text_explain import click_heatmap, explained  # noqa: E402


def test_stopped_with_no_word_listed_points_down_to_the_grid_which_stands_below(window, qtbot):
    from desktop_app.gui import explain_words as words

    view = _explained(window, qtbot)
    rough = view.result.attribution.__class__(
        token_ids=[1, 2], token_texts=["a", "b"], scores=[40.0, 20.0], target_id=3, other_id=4, target_text="c",
        other_text="d", difference=0.1, baseline_difference=0.0, steps=1)
    said = words.stopped_words(rough)
    assert "what each layer predicted, below, is complete" in said and "above" not in said
    caption_y = view.contrib_caption.mapTo(view, QPoint(0, 0)).y()
    grid_y = view.grid.mapTo(view, QPoint(0, 0)).y()
    assert view.grid.isVisible() and caption_y < grid_y, (caption_y, grid_y)


def test_the_histograms_tooltips_say_what_they_count_and_the_bar_under_the_pointer(qtbot):
    from desktop_app.core.documents import TextSummary
    from desktop_app.gui.text_summary import SummaryPanel

    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 200)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_summary(TextSummary(tokens=20, bucket_counts=(14, 4, 2, 0), mean_surprisal_bits=3.0,
                                  perplexity=8.0, probability_histogram=(5, 1, 1, 0, 0, 0, 0, 1, 0, 12),
                                  entropy_histogram=(2, 3, 5, 4, 2, 1, 1, 1, 0, 1)))
    probabilities, entropies = panel.probabilities, panel.entropies
    assert "from 0% (left) to 100% (right)" in probabilities.toolTip()
    assert probabilities.toolTip().startswith("<p>"), "rich text, which Qt wraps (a plain tip ran off the screen)"
    assert "entropy" in entropies.toolTip() and "bits" in entropies.toolTip()
    right = probabilities.tip_at(probabilities.width() - 1)
    assert right.endswith("probability 90\u2013100%: 12 tokens"), right
    assert probabilities.tip_at(0).endswith("probability 0\u201310%: 5 tokens")
    assert entropies.tip_at(entropies.width() - 1).endswith("entropy 10.8+ bits: 1 token")


def test_f1_has_a_tab_that_says_what_the_figures_mean(make_window, qtbot):
    from desktop_app.gui.shortcuts import show_shortcuts

    window = make_window(wait=False)
    box = show_shortcuts(window)
    qtbot.waitExposed(box)
    assert box.tabs.count() == 2 and box.tabs.currentWidget() is box.browser, "the keys first, as before"
    box.tabs.setCurrentIndex(1)
    glossary = box.figures.toPlainText()
    for figure in ("probability", "rank", "entropy", "surprisal", "perplexity", "mean p", "Sure of something else"):
        assert figure in glossary, figure
    assert "1 is its first choice" in glossary and "0.69 doubles the odds" in glossary
    assert "second tab" in box.browser.toPlainText(), "the F1 row says where the figures are"


def test_a_continuations_cut_alternative_names_the_continuations_sampler(qtbot):
    from desktop_app.gui.inspector import InspectorPanel

    top = (Alternative(1, " destroyed", 0.5616), Alternative(2, " abandoned", 0.0718))
    record = TokenRecord(1, " destroyed", -0.577, 1, 2.5, top, "float32")
    found = sampler_cut(top, SamplingSettings(temperature=0.4, top_k=0, top_p=1.0, min_p=0.1))
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.show_token(None, 0, record, can_branch=False, cut=found)
    inspector.allow_text_actions(branch=True, rate=True)
    inspector.pick(1)
    assert inspector.versus.text().endswith("The continuation's sampler could not have picked it "
                                            "(cut by min-p 0.1 after temperature 0.4)."), inspector.versus.text()


def test_the_text_pickers_open_list_shows_whole_titles_not_cut_in_the_middle(qtbot):
    from PySide6.QtCore import Qt

    from desktop_app.gui.title_combo import TitleCombo

    titles = ("The old lighthouse keeper climbed the stairs\u2026", "Permission is hereby granted, free of charge\u2026")
    combo = TitleCombo()
    qtbot.addWidget(combo)
    combo.addItems(titles)
    combo.resize(240, 30)
    combo.show()
    qtbot.waitExposed(combo)
    longest = max(combo.fontMetrics().horizontalAdvance(t) for t in titles)
    assert longest > combo.width(), "the titles are wider than the box (the list had cut them in the middle)"
    combo.showPopup()
    try:
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        assert view.textElideMode() == Qt.TextElideMode.ElideRight
        assert view.width() >= longest, (view.width(), longest)
    finally:
        combo.hidePopup()


def test_text_mode_start_token_counts_as_hidden_and_is_left_out_of_the_ranking(text_window, qtbot):  # noqa: F811
    """The bundled model's " letter": the start token, nobody's word, led the ranking at -4.55 of -5.93
    ("start of text, hidden") with nothing to say why; it is now hidden text, as the chat template is."""
    from dataclasses import replace

    from desktop_app.core.prompt_sources import START

    window = text_window()
    window.resize(1280, 800)
    analysed(qtbot, window, TEXT)
    click_heatmap(qtbot, window, 3)
    view = window.inspector.explain
    result = explained(qtbot, view)
    a = result.attribution
    assert a.source(0) == START and a.hidden(0) and not any(a.hidden(i) for i in range(1, len(a.scores)))
    # the tiny GPT-2 pads with its start token, so the blank input leaves that token no share; the bundled
    # SmolLM2 pads with another, and its start token took -4.55 of a -5.93 difference: given so here
    heavy = replace(a, scores=[-4.55, *a.scores[1:]])
    view.show_result(view.ticket, replace(result, attribution=heavy))
    share = heavy.hidden_share()
    assert share > 0.5, share
    assert view.shown_only.isVisible() and view.shown_only.isChecked() and view.shown_only.text() == "Only your text"
    note = view.hidden_note.text()
    assert view.hidden_note.isVisible() and f"{share * 100:.0f}% of the weight is on the start token" in note
    assert "start of text, hidden" not in view.contributors.text(), "left out of the ranking"
    view.shown_only.setChecked(False)  # ranked again, first, marked hidden
    assert "start of text, hidden" in view.contributors.text().split("<br>")[0]
    view.shown_only.setChecked(True)
    view.toggle.setChecked(True)
    assert view.overlay_note.isVisible() and view.overlay_note.text().startswith("Only your text is coloured")


def test_a_rough_estimate_says_how_far_it_adds_up_not_that_it_is_nearly_right():
    from desktop_app.core import attribution
    from desktop_app.gui import explain_words as words

    near = attribution.Attribution(token_ids=[1, 2], token_texts=["a", "b"], scores=[0.7, 0.1], target_id=3,
                                   other_id=4, target_text="c", other_text="d", difference=1.0,
                                   baseline_difference=0.0, steps=1)
    said = words.estimate_words(near)
    assert "nearly right" not in said and "add up to within 20%" in said, said


def test_a_tokens_hover_gives_its_surprisal_beside_its_entropy():
    from desktop_app.core.token_words import tooltip_html

    top = (Alternative(4386, " storm", 0.4193), Alternative(1, " letter", 0.0012))
    record = TokenRecord(1, " letter", -6.762, 74, 3.64, top, "bfloat16")
    tip = tooltip_html(record)
    assert "entropy 5.25 bits &nbsp; surprisal 9.76 bits" in tip, tip


def test_the_compare_views_displaced_line_gives_small_chances_their_digits():
    from desktop_app.gui.compare_words import displaced_words
    from desktop_app.core.token_words import token_label

    def record(prob, top):
        return TokenRecord(2, " Fr", __import__("math").log(prob), 2, 6.0,
                           tuple(Alternative(i, t, p) for i, t, p in top), "float32")

    before = record(0.0032, [(1, "\u00e9", 0.0131), (3, "Q", 0.0049), (2, " Fr", 0.0032)])
    after = record(0.0039, [(1, "\u00e9", 0.0128), (2, " Fr", 0.0039)])
    said = displaced_words(before, after, token_label)
    assert "0.32%" in said and "0.39%" in said and " 0%" not in said, said


def test_continue_with_an_alternative_clears_the_ring_with_the_inspector(loom_window, qtbot):  # noqa: F811
    window = loom_window
    view = window.text_view
    index = 4
    pick_an_alternative(window, index)
    inspector = window.inspector
    assert view.heatmap.selected == index
    continue_with(qtbot, window, inspector.branch_button.click)
    assert inspector.record is None, "the replaced token is not shown"
    assert view.heatmap.selected == -1, "nor ringed in the heatmap beside an empty inspector"


def test_a_text_tokens_finished_explanation_shows_again_when_it_is_clicked_again(text_window, qtbot):  # noqa: F811
    window = text_window()
    window.resize(1280, 800)
    analysed(qtbot, window, TEXT)
    view = window.inspector.explain
    click_heatmap(qtbot, window, 3)
    first = explained(qtbot, view)
    click_heatmap(qtbot, window, 2)  # another token: its own, not explained yet
    assert view.result is None and view.button.isVisible()
    click_heatmap(qtbot, window, 3)  # back: shown at once, nothing worked out anew
    assert view.result is first and view.ranking.final is first.attribution
    view.forget()  # the model or its adapter changed: it no longer holds
    click_heatmap(qtbot, window, 2)
    click_heatmap(qtbot, window, 3)
    assert view.result is None


def test_a_restart_opens_the_text_left_on_screen_not_the_newest_edited(text_window, qtbot):  # noqa: F811
    from desktop_app.core import documents

    window = text_window()
    analysed(qtbot, window, TEXT)
    older = window.text.document_id
    window.text_view.new_document("Permission is hereby granted, free of charge, to any person.")
    qtbot.waitUntil(lambda: window.text.document_id not in (None, older), timeout=WAIT_MS)
    newer = window.text.document_id
    assert documents.list_documents(window.text.store)[0]["id"] == newer, "the licence is the newest"
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        window.text_view.open_document(older)  # the person goes back to the story, and quits there
    window.close()
    again = text_window()
    assert again.text.document_id == older, "the story, as it was left"
    # a text no longer stored: the newest, as before
    assert documents.open_for_editing(again.text.store, left_id=10_000)["id"] == newer


def test_the_layer_grids_caption_names_its_emb_row(window, qtbot):
    view = _explained(window, qtbot)
    assert view.result.lens.layer_names[0] == "embeddings"
    assert "\u201cemb\u201d, the first row: the words' embeddings" in view.lens_caption.text()
