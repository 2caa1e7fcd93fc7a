"""usertest43: a text reopened (as after a restart) showed the model's continuation as plain words, like the
person's own, until the model had loaded and coloured it (about 30 s on the bundled model). The plain preview
now writes the model's stretches in italics after the orange bar, as the coloured heatmap does (pytest-qt, tiny
random GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS  # noqa: E402
from test_gui_loom import window  # noqa: E402,F401
from test_text36_usertest12 import continued  # noqa: E402


def _italic_chars(heatmap) -> list[bool]:
    from PySide6.QtGui import QTextCursor

    cursor, italic = QTextCursor(heatmap.document()), []
    for position in range(1, heatmap.document().characterCount()):
        cursor.setPosition(position)
        italic.append(cursor.charFormat().fontItalic())
    return italic


def test_a_reopened_texts_continuation_is_in_italics_before_its_colours_come(window, qtbot):  # noqa: F811
    view = window.text_view
    continued(qtbot, window)
    story = window.text.document_id
    text = view.editor.toPlainText()
    (start, end), = window.text.model_spans(text)
    window.text_view.new_document("Another text altogether.")
    qtbot.waitUntil(lambda: window.text.document_id not in (None, story), timeout=WAIT_MS)
    seen = []
    window.text.opened.connect(lambda _doc: seen.append((view.heatmap.records, _italic_chars(view.heatmap),
                                                         view.heatmap.model_starts())))
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        view.open_document(story)
    records, italic, starts = seen[0]
    assert records == [], "not coloured yet: the plain preview"
    assert italic == [start <= i < end for i in range(len(text))], "the model's words, and only they, in italics"
    assert starts == [start], "the orange bar where the continuation begins"
    qtbot.waitUntil(lambda: bool(view.heatmap.records), timeout=WAIT_MS)  # coloured: its own marks take over
    assert view.heatmap.prefix_model_spans == [] and view.heatmap.model_written
