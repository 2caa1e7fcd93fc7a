"""A writer's walk (usertest70) in the Text tab: the inspector's "Token 18 of 269" kept the count from before a
continuation grew the text. pytest-qt, the real window on the tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, continued_and_analysed, not_busy, window_in_text_mode  # noqa: E402,F401 (the window fixture)


def test_the_inspectors_token_count_grows_with_a_continuation(window, qtbot):
    view = window.text_view
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText("The keeper counted the waves and wrote a word about the moon.")
    view.set_editing(False)
    before = len(view.heatmap.records)
    view.heatmap.token_clicked.emit(2)
    source = window.inspector.source
    assert source.text().startswith(f"Token 3 of {before} ")
    continued_and_analysed(qtbot, window)
    after = len(view.heatmap.records)
    assert after > before, "the continuation added tokens (else this tests nothing)"
    assert window.inspector.index == 2, "the token stays in the inspector"
    assert source.text().startswith(f"Token 3 of {after} "), source.text()


def _two_continuations(qtbot, window) -> tuple[int, int]:
    """Two sibling continuations of the text (Continue, then Regenerate): their branch ids, the second shown."""
    view = window.text_view
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText("The keeper counted the waves and wrote a word about the moon.")
    view.set_editing(False)
    continued_and_analysed(qtbot, window)
    window.popover.seed.setValue(99)  # another sample
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.regenerate_button.click()
    qtbot.waitUntil(lambda: not_busy(window), timeout=WAIT_MS)
    window.chat.tasks.store.wait()
    first, second = sorted(b for b in window.text.tree.by_id)
    return first, second


def _tip_over(panel, branch_id: int):
    """The tooltip of the main text's row shown, as a hover shows it, and a point on it over ``branch_id``'s row."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.tip_clicks import shown_tip

    outline, viewport = panel.outline, panel.outline.viewport()
    hovered = outline.visualItemRect(panel.item_for(None)).center()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, hovered, viewport.mapToGlobal(hovered)))
    QApplication.processEvents()
    tip = shown_tip()
    assert tip is not None, "the main row's tooltip shows"
    row = outline.visualItemRect(panel.item_for(branch_id))
    covered = tip.geometry().intersected(row.translated(viewport.mapToGlobal(QPoint(0, 0))))
    assert not covered.isEmpty(), "the tooltip covers the row (else this tests nothing)"
    return tip, covered.center()


def test_a_click_on_a_tooltip_over_a_branch_row_chooses_that_branch_and_the_thumb_rates_it(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    first, second = _two_continuations(qtbot, window)
    panel, tree = window.text_view.branch_panel, window.text.tree
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        panel._clicked(panel.item_for(second))
    panel.up_button.click()  # the writer liked the second
    window.chat.tasks.store.wait()
    window.resize(1280, 800)
    QApplication.processEvents()  # the rating's outline shown
    tip, point = _tip_over(panel, first)
    QTest.mousePress(tip, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tip.mapFromGlobal(point))
    QTest.mouseRelease(tip, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tip.mapFromGlobal(point))
    assert tree.shown == first, "the row under the tooltip is the one chosen"
    assert panel.outline.currentItem() is panel.item_for(first)
    assert panel.branch_name(first) in panel.down_button.toolTip(), "the thumb names the branch it rates"
    panel.down_button.click()
    window.chat.tasks.store.wait()
    assert tree.ratings(first)["thumbs"] == -1 and tree.ratings(second)["thumbs"] == 1
    said = window.statusBar().currentMessage()
    assert said.startswith("Rated \u201c") and panel.branch_name(first) in said and "bad" in said, said


def test_the_branch_columns_header_says_how_likely_and_fits_at_1024x640(window, qtbot):
    from desktop_app.core import branch_words

    _two_continuations(qtbot, window)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    panel = window.text_view.branch_panel
    outline = panel.outline
    assert outline.headerItem().text(1) == "how likely"
    assert outline.headerItem().toolTip(1) == branch_words.PERCENT_TIP and "how likely" in branch_words.PERCENT_TIP
    if not outline.isHeaderHidden():  # beside the text: the header's words whole, the branch's words keep room
        header = outline.header()
        assert header.sectionSize(1) >= header.fontMetrics().horizontalAdvance("how likely")
        assert header.sectionSize(0) >= 2 * header.sectionSize(1)
