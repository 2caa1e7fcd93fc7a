"""glyph70: characters drawn as people read them. A grapheme cluster a tokenizer spread over several tokens (an emoji
family joined by ZERO WIDTH JOINERs, a flag, a thumbs-up and its skin tone) is drawn whole in the cell of the token
that finishes it, the earlier tokens' cells showing the piece mark, and the inspector and the tooltip name the whole
cluster; in a joining script (Arabic) a piece's cell shows no mark, which had cut a word's letters apart. The texts
below are the bundled SmolLM2 tokenizer's tokens of those strings, as its records decode them."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from helpers import token_record  # noqa: E402

FAMILY = "\U0001F469\u200d\U0001F469\u200d\U0001F467"
FAMILY_TOKENS = ["A", " family", " ", "", "\U0001F469", "", "\u200d", "", "", "\U0001F469", "", "\u200d", "", "",
                 "\U0001F467", " here"]
FLAG_TOKENS = ["Paris", " ", "", "\U0001F1EB", "", "", "\U0001F1F7", " flag"]
THUMB_TOKENS = ["ok", " ", "", "\U0001F44D", "", "", "\U0001F3FD", " yes"]
HEART_TOKENS = ["heart", " ", "", "\u2764", "\ufe0f", " love"]
# "كثير" with its ث split in two tokens, as a byte-level tokenizer splits a rarer letter
ARABIC_TOKENS = ["\u0643", "", "\u062b", "\u064a\u0631", " \u062c\u062f\u0627"]


def _records(texts):
    return [token_record(i, text, 0.3 + 0.02 * i) for i, text in enumerate(texts)]


def _view(qtbot, records=()):
    from desktop_app.gui.token_view import TokenView

    view = TokenView()
    qtbot.addWidget(view)
    view.set_records(records)
    view.resize(520, 120)
    view.show()
    QApplication.processEvents()
    return view


def _cells(view):
    """Each token's cell as the document holds it (positions count UTF-16 units, as Qt's do)."""
    units = view.document().toRawText().encode("utf-16-le", "surrogatepass")
    return [units[2 * start:2 * end].decode("utf-16-le", "surrogatepass") for start, end in zip(view.starts, view.ends)]


@pytest.mark.parametrize("texts, cluster", [(FAMILY_TOKENS, FAMILY), (FLAG_TOKENS, "\U0001F1EB\U0001F1F7"),
                                            (THUMB_TOKENS, "\U0001F44D\U0001F3FD"), (HEART_TOKENS, "\u2764\ufe0f")],
                         ids=["family", "flag", "skin-tone", "variation-selector"])
def test_a_cluster_spread_over_tokens_is_drawn_whole_in_its_last_token_s_cell(qtbot, texts, cluster):
    view = _view(qtbot, _records(texts))
    cells, last = _cells(view), max(i for i, text in enumerate(texts) if text and text in cluster)
    assert cells[last] == cluster, cells  # one readable glyph: its characters in one run of one format
    first = texts.index("", 0)
    assert all(cell == "\u00b7" for cell in cells[first:last]), cells  # the earlier tokens: the piece mark
    assert view.written_text(0, view.ends[-1]) == "".join(texts), "a copy is the text as written, marks left out"


@pytest.mark.parametrize("texts", [FAMILY_TOKENS, FLAG_TOKENS, ARABIC_TOKENS], ids=["family", "flag", "arabic"])
def test_streamed_tokens_draw_what_the_whole_text_draws(qtbot, texts):
    """A chat answer streams in: the cluster grows as its joiner, then the emoji it joins, come."""
    whole, streamed = _view(qtbot, _records(texts)), _view(qtbot)
    for record in _records(texts):
        streamed.append_records([record])
    assert _cells(streamed) == _cells(whole) and streamed.document().toRawText() == whole.document().toRawText()
    if texts is FAMILY_TOKENS:  # the first woman's tooltip, set as she came, names the family that grew after her
        assert f"(part of \u201c{FAMILY}\u201d)" in _tooltip_at(streamed, 4)


def _tooltip_at(view, index):
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(view.starts[index] + 1)
    return cursor.charFormat().toolTip()


def test_the_inspector_and_the_tooltip_name_the_whole_cluster():
    from desktop_app.core.token_words import completed_character, piece_label, tooltip_html

    records = _records(FAMILY_TOKENS)
    assert {completed_character(records, i) for i in range(3, 15)} == {FAMILY}, "each of its tokens names it"
    assert completed_character(records, 1) == completed_character(records, 15) == ""
    joiner = records[6]
    assert piece_label(joiner.text, FAMILY) == f"<U+200D> (part of \u201c{FAMILY}\u201d)"
    assert f"(part of \u201c{FAMILY}\u201d)" in tooltip_html(records[3], completes=completed_character(records, 3))
    assert completed_character(_records(FLAG_TOKENS), 3) == "\U0001F1EB\U0001F1F7"


def test_a_piece_inside_an_arabic_word_shows_no_mark_so_its_letters_keep_joining(qtbot):
    view = _view(qtbot, _records(ARABIC_TOKENS))
    assert "\u00b7" not in view.document().toRawText(), "a mark between \u0643 and \u062b cut the word apart"
    assert view.document().toRawText() == "".join(ARABIC_TOKENS)
    assert _cells(view)[1] == "" and view.written_text(0, view.ends[-1]) == "".join(ARABIC_TOKENS)
    emoji = _view(qtbot, _records(["\u0643", "", "\U0001F600"]))  # a piece before an emoji keeps its mark
    assert _cells(emoji)[1] == "\u00b7"


def test_drawn_texts_follow_the_cluster_as_tokens_come_one_by_one():
    from desktop_app.core.grapheme_cells import drawn_texts, redraw_start

    for texts in (FAMILY_TOKENS, FLAG_TOKENS, THUMB_TOKENS, HEART_TOKENS, ["e", "\u0301", "\U0001F1EB", "\U0001F1F7",
                                                                          "\U0001F1E9", "\U0001F1EA", " x"]):
        drawn = []
        for first in range(len(texts)):
            start = redraw_start(texts[:first + 1], drawn, first)
            drawn = drawn[:start] + drawn_texts(texts[start:first + 1])
        assert drawn == drawn_texts(texts) and "".join(drawn) == "".join(texts)
    assert drawn_texts(["e", "\u0301", "\U0001F1EB", "\U0001F1F7", "\U0001F1E9", "\U0001F1EA"]) == [
        "", "e\u0301", "", "\U0001F1EB\U0001F1F7", "", "\U0001F1E9\U0001F1EA"]  # two flags, not a pair across them


def test_the_html_page_draws_a_cluster_whole_and_an_arabic_word_without_marks():
    """The page to share draws the cells as the window does: its CSS put a "\u00b7" in an empty span."""
    from desktop_app.core.heatmap_html import text_html

    family = text_html(_records(FAMILY_TOKENS), "probability")
    assert f">{FAMILY}</span>" in family and family.count('class="t e"') == 11
    arabic = text_html(_records(ARABIC_TOKENS), "probability")
    assert 'class="t e"' not in arabic and arabic.count('<span class="t') == len(ARABIC_TOKENS)


def test_the_text_tab_s_inspector_names_the_whole_family(qtbot, qapp, tiny_model_dir):
    from gui_windows import window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, f"A family {FAMILY} here") as window:
        heatmap = window.text_view.heatmap
        joiner = next(i for i, r in enumerate(heatmap.records) if r.text == "\u200d")
        window.text_mode.show_token(joiner, heatmap.records[joiner])
        assert window.inspector.token_label.text() == f"<U+200D> (part of \u201c{FAMILY}\u201d)"
        last = max(i for i, r in enumerate(heatmap.records) if r.text and r.text in FAMILY)
        assert _cells(heatmap)[last] == FAMILY, "drawn whole where the analysis coloured it"
        window.chat.shutdown()
