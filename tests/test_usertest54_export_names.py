"""usertest54: the names an export suggests. An answer's export menu suggested "answer-11.html" (a database id the
person never sees, the same pattern for every answer), and a Text tab text of two sentences, "The river runs through
the old town. In spring…", suggested "The river runs through the old town In.html" (the next sentence's first word
ran on). pytest-qt, the real window on the tiny model; the file dialog alone is replaced (a modal cannot run here)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog  # noqa: E402

from gui_windows import WAIT_MS, answered_window, window_with_text  # noqa: E402
from test_gui import answer_cards  # noqa: E402


def test_an_answers_export_suggests_its_prompts_words(qtbot, qapp, tiny_model_dir, monkeypatch, tmp_path):
    asked = []

    def save_dialog(_parent, _title, start, _pattern):  # records the suggested name, answers with a path here
        asked.append(start)
        return str(tmp_path / Path(start).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as window:
        card = answer_cards(window)[-1]
        written = window.cards.export_card(card, "html")
    assert Path(asked[0]).name == "Hello-how-are-you-answer.html"
    assert written and Path(written).exists(), "the page is written where the dialog said"


def test_a_text_of_two_sentences_suggests_its_first_sentence(qtbot, qapp, tiny_model_dir):
    text = "The river runs through the old town. In spring the river rises and the bridges close."
    with window_with_text(qtbot, qapp, tiny_model_dir, text) as window:
        tools = window.text_view.analysis_tools
        assert tools.suggested_name("html") == "The river runs through the old town.html"
        assert tools.suggested_name("csv") == "The river runs through the old town-summary.csv"


@pytest.mark.parametrize("title, stem", [
    ("Dr. Who meets the Daleks", "Dr Who meets the Daleks"),  # a short "sentence": an abbreviation, kept whole
    ("What is the capital of France?", "What is the capital of France"),
    ("It rained all day. Then\u2026", "It rained all day"),
])
def test_a_file_stem_keeps_a_title_whole_unless_a_real_sentence_ends_in_it(title, stem):
    from desktop_app.core.text_export import file_stem

    assert file_stem(title) == stem
