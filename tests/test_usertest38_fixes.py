"""usertest38's fixes in the real window on the tiny GPT-2 (pytest-qt, the real store): the run card's summary of a
re-asked answer with no space in it ("TheTheThe…", the tiny model's) no longer widens the Fine-tune panel past its
dock; the status bar's "… stays hidden … until Ctrl+Shift+B" goes once the panel is shown again; F2's rename dialog
is wide enough for its title and the whole name it renames; the compare view's "Rose most" chip of a token that is
part of a character reads "(part of a character)" on one line."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.train_verdict import RunResult  # noqa: E402
from test_card28_card import kept_run  # noqa: E402
from test_card28_taught_words import usertest_pairs  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402

UNBROKEN = "The" * 40  # the tiny model's re-asked answer after a run: one word, 120 characters


def _kept_run_missing_an_answer(window, tmp_path) -> RunResult:
    """A kept run whose first rated question, asked again, misses the person's answer with an answer of one long word."""
    pairs = usertest_pairs()
    pairs[0] = {**pairs[0], "after": UNBROKEN, "checked": True, "dropped_after": True}
    return kept_run(window, tmp_path, pairs)


def test_a_missed_answer_without_spaces_in_the_run_summary_does_not_widen_the_panel(make_window, tmp_path, qtbot):
    window = make_window()
    window.resize(1280, 800)
    panel = window.finetune_panel
    window.show_finetune()
    panel.refresh_adapters()
    panel.on_finished(_kept_run_missing_an_answer(window, tmp_path))
    settle(window)
    summary = panel.result_body
    assert UNBROKEN[:30] in summary.text().replace("\u200b", ""), "the missed answer is named in the summary"
    qtbot.waitUntil(lambda: panel.widget().width() <= panel.viewport().width(), timeout=5000)
    right = summary.mapTo(panel.viewport(), summary.rect().topRight()).x()
    assert right < panel.viewport().width(), f"the summary ends at {right}, past the viewport"


def test_showing_a_hidden_panel_again_takes_back_the_words_that_it_stays_hidden(make_window):
    from desktop_app.gui.view_toolbar import hidden_words

    window = make_window()
    window.resize(1280, 800)
    settle(window)
    for attr in ("side_tabs", "conversations"):  # Ctrl+Shift+B, Ctrl+B
        window.panel_actions[attr].trigger()
        settle(window)
        assert window.statusBar().currentMessage() == hidden_words(attr)
        window.panel_actions[attr].trigger()  # the same key again: the panel is back
        settle(window)
        assert getattr(window, attr).isVisible()
        said = window.statusBar().currentMessage()
        assert "hidden" not in said, f"the panel is shown and the status bar says {said!r}"


def test_showing_a_panel_leaves_other_words_in_the_status_bar(make_window):
    window = make_window()
    window.resize(1280, 800)
    settle(window)
    window.panel_actions["side_tabs"].trigger()
    settle(window)
    window.statusBar().showMessage("Rated the answer good", 10_000)
    window.panel_actions["side_tabs"].trigger()
    settle(window)
    assert window.statusBar().currentMessage() == "Rated the answer good"


QUESTION = "What is the capital of France, and which river runs through it?"


def test_f2_on_a_conversation_opens_a_rename_dialog_that_shows_its_title_and_the_whole_name(make_window, qtbot):
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QApplication, QLineEdit

    from gui_windows import ask

    window = make_window(max_new_tokens=3)
    window.resize(1280, 800)
    ask(qtbot, window, QUESTION)
    conversations = window.conversations.list
    qtbot.waitUntil(lambda: conversations.count() == 1, timeout=5000)
    conversations.setCurrentRow(0)
    conversations.setFocus()
    seen = []

    def look_and_cancel():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, look_and_cancel)
            return
        field = dialog.findChild(QLineEdit)
        bold = QFont(dialog.font())
        bold.setBold(True)
        seen.append((dialog.width(), QFontMetrics(bold).horizontalAdvance(dialog.windowTitle()),
                     field.width(), field.fontMetrics().horizontalAdvance(field.text()), field.text()))
        dialog.reject()

    QTimer.singleShot(50, look_and_cancel)
    qtbot.keyClick(conversations, Qt.Key.Key_F2)
    assert seen, "F2 opened no dialog"
    width, title_width, field_width, name_width, name = seen[0]
    assert name == conversations.item(0).text() and name.startswith("What is the capital of France")
    assert width >= title_width + 100, f"{width} px for a title of {title_width} px: the title bar cuts it"
    assert field_width > name_width, f"the field is {field_width} px for a name of {name_width} px"


def _lines_of(label, start: int, end: int) -> set[int]:
    """The lines of ``label``'s laid-out rich text that hold its characters ``start`` to ``end``."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setHtml(label.text())
    document.setTextWidth(label.contentsRect().width())
    document.size()  # lays the document out: until then its blocks have no lines
    block = document.findBlock(start)
    layout = block.layout()
    return {layout.lineForTextPosition(at - block.position()).lineNumber() for at in (start, end)}


def test_a_mover_chip_of_several_words_is_not_broken_over_two_lines(qtbot, qapp):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel

    from desktop_app.core.records import TokenRecord
    from desktop_app.gui.compare_words import movers_words
    from desktop_app.core.token_words import token_label

    texts = ["\x05", "", "01", "", " of"]  # the tiny model's answer: two tokens hold part of a character
    before = [TokenRecord(i, t, -5.8, 3, 8.0) for i, t in enumerate(texts)]
    after = [TokenRecord(i, t, -5.8 + 0.1 * (len(texts) - i), 3, 8.0) for i, t in enumerate(texts)]
    values = [a.logprob - b.logprob for b, a in zip(before, after)]
    label = QLabel()
    qtbot.addWidget(label)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(movers_words(before, after, values, 1.0, lambda i: token_label(texts[i]), token_label))
    label.show()
    document = QTextDocument()
    document.setHtml(label.text())
    start = document.toPlainText().replace("\u00a0", " ").index("(part of a character)")
    end = start + len("(part of a character)") - 1
    for width in range(300, 720, 10):  # the compare view's widths: somewhere the chip comes at a line's end
        label.resize(width, 400)
        lines = _lines_of(label, start, end)
        assert len(lines) == 1, f"{width} px: the chip is broken over lines {lines}, read as two tokens"
