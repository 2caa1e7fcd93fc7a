"""intl69: the heatmap with other scripts. A click on right-to-left text (Arabic, Hebrew) picks the token under the
pointer (it picked the one beside it: the rule for finding the character under a caret assumed left-to-right);
a copied selection is the text written, not the heatmap's marks for split characters, line breaks and tabs; a
token's tooltip names a piece of a character as one, not "\ufffd" (real widgets, the tiny model's byte-level
tokenizer)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from helpers import token_record  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

ARABIC = ["\u0645\u0631\u062d\u0628\u0627", " \u0628\u0643", " \u0641\u064a", " \u0627\u0644\u0628\u064a\u062a"]
MIXED = ["The", " word", " \u0645\u0631", "\u062d\u0628\u0627", " means", " hello"]  # "The word مرحبا means hello"
EMOJI_TEXT = "Une famille \U0001F469\u200d\U0001F469\u200d\U0001F467 en vacances \U0001F1EB\U0001F1F7\n\tGr\u00f6\u00dfe \u65e5\u672c"


def _view(qtbot, records):
    from desktop_app.gui.token_view import TokenView

    view = TokenView()
    qtbot.addWidget(view)
    view.set_records(records)
    view.resize(520, 120)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    return view


def _glyph_points(view, index: int):
    """Viewport points inside each character of token ``index``, from the laid-out glyphs themselves (where the
    text's direction puts them)."""
    points = []
    for pos in range(view.starts[index], view.ends[index]):
        block = view.document().findBlock(pos)
        layout = block.layout()
        for run in layout.glyphRuns(pos - block.position(), 1):
            box = run.boundingRect().translated(layout.position())
            y = int(box.center().y()) - view.verticalScrollBar().value()
            points += [QPoint(x, y) for x in range(int(box.left()) + 1, int(box.right()))]
    return points


@pytest.mark.parametrize("words", [ARABIC, MIXED], ids=["arabic", "mixed"])
def test_a_click_on_right_to_left_text_picks_the_token_under_the_pointer(qtbot, words):
    view = _view(qtbot, [token_record(i, w, 0.5) for i, w in enumerate(words)])
    missed = [(i, point.x(), view.index_at(point)) for i in range(len(words))
              for point in _glyph_points(view, i) if view.index_at(point) != i]
    assert not missed, f"(token, x, token picked) where a click picked another token: {missed[:6]}"


def test_a_copied_selection_is_the_text_written_not_the_marks(qtbot, tiny_model):
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, EMOJI_TEXT)
    assert any(r.text == "" for r in records), "the tiny tokenizer splits an emoji over tokens (a · shows)"
    view = _view(qtbot, records)
    assert "\u00b7" in view.toPlainText() and "\u21b5" in view.toPlainText()
    view.selectAll()
    assert view.copy_selected()  # Ctrl+C's and the token menu's Copy
    assert QApplication.clipboard().text() == EMOJI_TEXT
    # a selection that starts inside a token, past an emoji (two UTF-16 positions) and a line break's mark
    start = EMOJI_TEXT.index("\U0001F1F7")
    cursor = view.textCursor()
    cursor.setPosition(view.document().find("\U0001F1F7").selectionStart())
    cursor.setPosition(view.document().find("\u00df").selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.copy_selected()
    assert QApplication.clipboard().text() == EMOJI_TEXT[start:EMOJI_TEXT.index("\u00df") + 1]


def test_a_tooltip_names_a_piece_of_a_character_not_a_replacement_mark(tiny_model):
    from desktop_app.core.heatmap_html import token_figures
    from desktop_app.core.scoring import score_text
    from desktop_app.core.token_words import tooltip_html

    _ids, records = score_text(tiny_model, "\u65e5\u672c\u306e\u9996\u90fd \U0001F469\u200d\U0001F467")
    finished = [r for r in records if r.text and any("\ufffd" in a.text for a in r.top)]
    assert finished, "a token that finishes a split character has pieces among its alternatives"
    for record in finished:
        assert "\ufffd" not in tooltip_html(record)
        assert "(part of a character)" in tooltip_html(record)
        rows = token_figures(record)[6]
        assert all("\ufffd" not in row[0] for row in rows)
        written = [row[0] for row in rows if row[3]]
        assert written in ([], [token_figures(record)[0]]), "the written token's row reads as the token"


FIND_TEXT = "Le caf\u00e9 \U0001F469\u200d\U0001F467 \u65e5\u672c\u306e\u9996\u90fd\u3002\nDie Stra\u00dfe ist gro\u00df."


def test_find_in_the_text_tab_finds_words_whose_characters_are_split_over_tokens(qtbot, qapp, tiny_model_dir):
    from gui_windows import active, window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, FIND_TEXT) as window:
        active(qtbot, window)
        heatmap, find = window.text_view.heatmap, window.text_view.find
        assert "\u9996\u90fd" not in heatmap.toPlainText(), "the heatmap marks a piece of a character between them"
        find.open()
        for words in ("\u9996\u90fd", "stra\u00dfe", "\U0001F469\u200d\U0001F467"):
            find.bar.field.setText(words)
            assert find.bar.count.text() == "1 of 1", words
            start, end = find.spans[0]
            assert heatmap.written_text(start, end).lower() == words.lower(), "the highlight covers the words"
            assert heatmap.starts[heatmap.selected] <= start < heatmap.ends[heatmap.selected], "the match's token"
        window.chat.shutdown()


def test_continue_with_a_piece_of_a_character_names_its_bytes_as_its_row_does(qtbot, tiny_model):
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.inspector import InspectorPanel

    _ids, records = score_text(tiny_model, "\u65e5\u672c\u306e\u9996\u90fd")
    record = next(r for r in records if any(a.text == "\ufffd" and a.id != r.id for a in r.top))
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.tokenizer = lambda: tiny_model.tokenizer
    panel.show_token(1, records.index(record), record, can_branch=True)
    row = next(i for i, a in enumerate(panel.chart.alternatives) if a.text == "\ufffd" and a.id != record.id)
    panel.pick(row)
    label = panel.chart.rows()[row][0]
    assert label.startswith("bytes "), "the chart names the piece by its bytes"
    assert panel.branch_words == f"Continue with \u201c{label}\u201d", "not \u201c\ufffd\u201d"


def test_the_conversations_search_finds_words_in_any_case_in_any_alphabet(store):
    german = store.create_conversation("Schreib einen Satz \u00fcber \u00dcbermut")
    store.add_message(german, "user", "Die STRA\u00dfE ist gro\u00df.")
    japanese = store.create_conversation("\u65e5\u672c\u306e\u9996\u90fd\u306f\u3069\u3053")
    store.create_conversation("Weather")

    def found(words):
        return [row["id"] for row in store.list_conversations(words)]

    assert found("\u00fcbermut") == [german], "SQLite's LIKE folds ASCII only: \u00fcbermut missed \u00dcbermut"
    assert found("\u00dcBERMUT") == [german] and found("stra\u00dfe") == [german]
    assert found("\u9996\u90fd") == [japanese] and found("\u00e9t\u00e9") == []
    assert found("satz") == [german] and found("50%") == [], "ASCII words as before (LIKE, its wildcards escaped)"


def test_enter_on_the_search_rings_the_words_after_an_emoji(make_window, qtbot):
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    question = "\U0001F469\u200d\U0001F469\u200d\U0001F467 \U0001F1EB\U0001F1F7 Une famille en vacances \u00e0 \u00c9tretat ?"
    store = Store.open(AppPaths.resolve().ensure().db_path)
    cid = store.create_conversation("Vacances")
    store.add_message(cid, "user", question)
    store.close()
    window = make_window()
    window.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.transcript.cards) == 1)
    assert window.chat_search.show_words("\u00e9tretat")
    card = window.transcript.cards[0]
    qtbot.waitUntil(lambda: card.view.flashed is not None)
    start, end, _colour = card.view.flashed
    assert card.view.written_text(start, end) == "\u00c9tretat", "the ring is round the words, not 5 places early"


def test_a_terminal_that_is_not_utf8_gets_escapes_not_an_encoding_error(tmp_path):
    import os
    import subprocess
    import sys

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    store = Store.open(AppPaths.resolve(tmp_path / "data").ensure().db_path)
    store.create_conversation("\u65e5\u672c\u306e\u9996\u90fd \u0645\u0631\u062d\u0628\u0627")
    store.close()
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "import sys; from desktop_app.cli import main; sys.exit(main())",
                           "history", "--data-dir", str(tmp_path / "data")],
                          capture_output=True, env=env, timeout=120)
    said = done.stdout.decode("latin-1")
    assert done.returncode == 0, done.stderr.decode("latin-1")
    assert "\\u65e5\\u672c" in said and "can't encode" not in said + done.stderr.decode("latin-1")
