"""left70: leftovers of a11y70 and glyph70. A rich (HTML) tooltip is a screen reader's description in plain words,
not with its tags; the compare view's token under the keys is said by its change, which its colour shows; `score`
colours an emoji sequence spread over tokens once, where it ends, so a terminal draws it whole; the HTML page's
figures box names the character a piece of one is part of. Real widgets (pytest-qt), a real store, the tiny model."""

from __future__ import annotations

import io
import json
import math
import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAccessible  # noqa: E402
from PySide6.QtGui import Qt as GuiQt  # noqa: E402
from PySide6.QtWidgets import QLabel, QWidget  # noqa: E402

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from window_focus_chain import fresh_window  # noqa: E402

FAMILY = "\U0001F469\u200d\U0001F469\u200d\U0001F467"  # 👩‍👩‍👧: one glyph over five characters


def described(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Description)


@pytest.fixture(name="window")
def first_start_window(qtbot, qapp):
    window = fresh_window()
    qtbot.addWidget(window)
    yield window
    window.close()
    window.chat.store.close()


def test_a_rich_tooltip_is_described_in_plain_words(window):
    """The Text tab's histograms, "Order of the surprises" and the surprise figures had their HTML read out."""
    rich = [w for w in window.findChildren(QWidget) if w.toolTip() and GuiQt.mightBeRichText(w.toolTip())]
    kinds = [type(w).__name__ for w in rich]
    assert kinds.count("Histogram") == 2 and "QComboBox" in kinds and "QLabel" in kinds, kinds
    for widget in rich:
        said = described(widget)
        assert said and not re.search(r"<\w|&\w+;", said), (type(widget).__name__, said[:80])


def test_the_description_follows_the_tooltip(qtbot):
    from desktop_app.gui.tips import rich_tip

    label = QLabel("figures")
    qtbot.addWidget(label)
    rich_tip(label, "<b>Preference margin</b>: liked &rarr; disliked<br><b>Perplexity</b>: surprise")
    assert described(label) == "Preference margin: liked \u2192 disliked\nPerplexity: surprise"
    rich_tip(label, "Plain words, read as they are")
    assert label.accessibleDescription() == "", "a plain tooltip is the description itself"
    assert described(label) == "Plain words, read as they are"


def _record(token_id: int, text: str, prob: float) -> TokenRecord:
    return TokenRecord(token_id, text, math.log(prob), 1, 1.0, (Alternative(token_id, text, prob),))


def test_the_compare_view_says_the_token_the_keys_reach_by_its_change(window, qtbot):
    """It colours by the change, so a screen reader hears the change, in its tooltip's words, not the chance."""
    from desktop_app.gui.compare_dialog import CompareDialog

    dialog = CompareDialog(window.chat.store, window.chat)
    qtbot.addWidget(dialog)
    before = [_record(5, " The", 0.2), _record(7, " moon", 0.1), _record(8, " rose", 0.3)]
    after = [_record(5, " The", 0.2), _record(7, " moon", 0.32), _record(8, " rose", 0.15)]
    dialog.view.set_data(before, after)
    heatmap = dialog.view.view
    heatmap.setFocus()
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert described(heatmap) == "The, unchanged under the adapter"
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert described(heatmap) == "moon, 3.20\u00d7 more likely under the adapter"
    qtbot.keyClick(heatmap, Qt.Key.Key_Right)
    assert heatmap.accessibleDescription() == "rose, 2.00\u00d7 less likely under the adapter"


def test_the_change_names_both_adapters_where_two_are_compared():
    from desktop_app.gui.compare_words import change_said

    said = change_said("\u2423moon", math.log(3.2), names=("adapter 2", "adapter 3"))
    assert said == "moon, 3.20\u00d7 more likely under adapter 3 than under adapter 2"
    assert change_said("", -math.log(2), end=True).startswith("the end of the answer, 2.00\u00d7 less likely")


def _written_on_a_terminal(write) -> str:
    """What ``write`` (given the stream) sends to a real terminal (a pseudo-terminal: colours on), as it gets it."""
    import os
    import pty

    reader, writer = pty.openpty()
    with os.fdopen(writer, "w", encoding="utf-8", closefd=True) as terminal:
        write(terminal)
    chunks = []
    with os.fdopen(reader, "rb", buffering=0, closefd=True) as sent:
        while True:  # a terminal hands over what was written in parts; EIO once all is read and the writer closed
            try:
                chunk = sent.read(1 << 16)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8")


def test_score_colours_an_emoji_sequence_spread_over_tokens_once_where_it_ends(tiny_model):
    """A colour code between the pieces of "👩‍👩‍👧" broke the sequence: a terminal drew its people apart."""
    from desktop_app.cli.model_cmds import write_token, write_tokens
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, f"Hi {FAMILY} ok")
    assert sum(1 for r in records if r.text and set(r.text) & set(FAMILY)) > 1, "the family is spread over tokens"
    one_by_one = _written_on_a_terminal(lambda terminal: [write_token(r, terminal) for r in records])
    assert FAMILY not in one_by_one, "a streamed token's colour codes fall inside the sequence (what score did)"
    sent = _written_on_a_terminal(lambda terminal: write_tokens(records, terminal))
    assert "\x1b[" in sent, "colours on a terminal"
    assert FAMILY in sent, repr(sent)
    assert re.sub(r"\x1b\[[\d;]*m", "", sent) == "".join(r.text for r in records)


def test_the_html_pages_figures_box_names_the_character_a_piece_is_part_of(tiny_model):
    """As the inspector names it, "(part of “首”)": the page's box said "(part of a character)" and never which."""
    from desktop_app.core.heatmap_html import heatmap_html
    from desktop_app.core.scoring import score_text

    text = "\u65e5\u672c\u306e\u9996\u90fd"  # 日本の首都: characters the tiny model's tokenizer splits into bytes
    _ids, records = score_text(tiny_model, text)
    pieces = [i for i, r in enumerate(records) if r.text == ""]
    assert pieces, "a character split over tokens"
    page = heatmap_html(records, title="Pieces", model="tiny")
    figures = json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S).group(1))
    for index in pieces:
        label = figures[index][0]
        named = re.fullmatch("\\(part of \u201c(.+)\u201d\\)", label)
        assert named and named.group(1) in text, label
