"""The tree of continuations in the Text view (pytest-qt, offscreen, tiny random GPT-2):
continue again, regenerate, continue from the cursor, branches from an alternative, the
outline (show, rename, delete, make main), and rating continuations for the fine-tune."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QMenu  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core import branch_words  # noqa: E402
from desktop_app.core.train_data import build_training_data  # noqa: E402
from desktop_app.gui.text_tree_panel import MAIN  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402

TEXT = STORY


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, TEXT) as window:
        yield window


def settle(window):
    window.chat.tasks.store.wait()
    QApplication.processEvents()


def branches(window) -> dict[int, dict]:
    settle(window)
    return {b["id"]: b for b in tb.branches(window.text.store, window.text.document_id)}


def continue_with(qtbot, window, action) -> str:
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS) as blocker:
        action()
    settle(window)
    return blocker.args[0]


def outline_labels(window) -> dict:
    return {i.data(0, Qt.ItemDataRole.UserRole): (i.text(0), i.text(1)) for i in window.text_view.branch_panel.items()}


def test_continue_again_adds_and_regenerate_makes_a_sibling(window, qtbot):
    view = window.text_view
    first = continue_with(qtbot, window, view.continue_button.click)
    second = continue_with(qtbot, window, view.continue_button.click)  # again: from the end of what is shown
    rows = branches(window)
    a, b = sorted(rows)
    assert rows[a]["parent_id"] is None and rows[a]["start"] == len(TEXT) and rows[a]["text"] == first
    assert rows[b]["parent_id"] == a and rows[b]["start"] == len(TEXT + first) and rows[b]["text"] == second
    assert view.editor.toPlainText() == TEXT + first + second
    assert view.regenerate_button.isEnabled()
    window.popover.seed.setValue(99)  # another sample
    other = continue_with(qtbot, window, view.regenerate_button.click)
    rows = branches(window)
    (c,) = set(rows) - {a, b}
    assert rows[c]["parent_id"] == a and rows[c]["start"] == rows[b]["start"] and rows[c]["text"] == other
    assert view.editor.toPlainText() == TEXT + first + other and window.text.tree.shown == c
    labels = outline_labels(window)  # first words and mean probability of each
    # under 1% with two significant digits (text58: a small model's rows all read "0%")
    assert labels[c] == (tb.first_words(other), branch_words.percent(rows[c]))
    assert labels[c][1] == f"{rows[c]['mean_prob'] * 100:.0f}%" if rows[c]["mean_prob"] >= 0.01 else "." in labels[c][1]
    assert labels[MAIN][0].startswith("Main text")
    # clicking a branch shows its path as the document; the main text item shows the main text
    panel = view.branch_panel
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        panel._clicked(panel.item_for(b))
    assert view.editor.toPlainText() == TEXT + first + second
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        panel._clicked(panel.item_for(None))
    settle(window)  # the shown path is stored on the store lane (the main text's analysis, all reused, can come first)
    assert view.editor.toPlainText() == TEXT and tb.shown_branch(window.text.store, window.text.document_id) is None


def test_continue_from_the_cursor_keeps_what_followed_in_its_branch(window, qtbot):
    view = window.text_view
    first = continue_with(qtbot, window, view.continue_button.click)
    (a,) = branches(window)
    view.set_editing(True)  # the cursor is the editor's: the coloured text continues from its end
    cursor = view.editor.textCursor()
    inside_a = len(TEXT) + max(1, len(first) // 2)
    cursor.setPosition(inside_a)
    view.editor.setTextCursor(cursor)
    later = continue_with(qtbot, window, view.continue_button.click)
    rows = branches(window)
    (b,) = set(rows) - {a}
    assert rows[b]["parent_id"] == a and rows[b]["start"] == inside_a  # it diverges inside ``a``
    assert view.editor.toPlainText() == (TEXT + first)[:inside_a] + later
    assert rows[a]["text"] == first  # the cut text is still there, in its branch
    view.set_editing(True)
    cursor.setPosition(10)  # inside the main text: a branch off the main text
    view.editor.setTextCursor(cursor)
    early = continue_with(qtbot, window, view.continue_button.click)
    rows = branches(window)
    (c,) = set(rows) - {a, b}
    assert rows[c]["parent_id"] is None and rows[c]["start"] == 10
    assert view.editor.toPlainText() == TEXT[:10] + early
    assert documents.get_document(window.text.store, window.text.document_id)["text"] == TEXT  # nothing lost


def test_rename_delete_and_make_main_from_the_outline(window, qtbot):
    view = window.text_view
    first = continue_with(qtbot, window, view.continue_button.click)
    second = continue_with(qtbot, window, view.continue_button.click)
    a, b = sorted(branches(window))
    view.branch_panel.rename(a, "Calm sea")
    settle(window)
    assert outline_labels(window)[a][0] == "Calm sea" and tb.get_branch(window.text.store, a)["title"] == "Calm sea"
    panel = view.branch_panel  # right-click on ``b``: its menu makes it the main text
    panel._menu(panel.outline.visualItemRect(panel.item_for(b)).center())
    menu = panel.findChildren(QMenu)[-1]
    actions = {action.text(): action for action in menu.actions() if action.text()}
    assert set(actions) == {"Rename\u2026", "Make it the main text", "Delete (with its branches)"}
    actions["Make it the main text"].trigger()
    menu.close()
    settle(window)
    document = documents.get_document(window.text.store, window.text.document_id)
    assert document["text"] == TEXT + first + second and view.editor.toPlainText() == document["text"]
    assert window.text.tree.shown is None
    window.text.tree.show(b)
    window.text.tree.delete(a)  # with ``b``, which grew from it: the shown path goes back up
    rows = branches(window)
    assert a not in rows and b not in rows and window.text.tree.shown is None
    assert view.editor.toPlainText() == document["text"] and a not in outline_labels(window)


def pick_an_alternative(window, index: int):
    """The text's token at ``index`` clicked and, in the inspector, its first alternative that is not the token
    itself picked: returns (the token's record, the alternative's row)."""
    record = window.text_view.heatmap.records[index]
    window.text_view.heatmap.select_token(index)
    window.show_text_token(index, record)
    row = next(i for i, alt in enumerate(record.top) if alt.id != record.id)
    window.inspector.pick(row)
    return record, row


def test_an_alternative_in_the_inspector_starts_a_branch(window, qtbot):
    view = window.text_view
    index = 4
    record, row = pick_an_alternative(window, index)
    inspector = window.inspector
    assert inspector.branch_button.isVisible() and not inspector.rate_box.isVisible()  # the person's own token
    alternative = record.top[row]
    offset = view.offset_of(index)
    view.editor.insertPlainText(" typed")  # the heatmap no longer shows this text: no branch, and why
    assert not view.continue_with(index, alternative) and "does not show the text" in window.error_banner.label.text()
    view.timer.stop()
    view._set_editor_text(TEXT)
    added = continue_with(qtbot, window, inspector.branch_button.click)
    (branch,) = branches(window).values()
    assert branch["kind"] == "alternative" and branch["start"] == offset and branch["parent_id"] is None
    assert branch["tokens"][0][0] == alternative.id and added.startswith(alternative.text)
    assert view.editor.toPlainText() == TEXT[:offset] + added
    assert inspector.record is None and not inspector.branch_button.isVisible(), "the replaced token is not shown"


def test_rating_continuations_counts_and_trains_as_plain_text(window, qtbot):
    view = window.text_view
    first = continue_with(qtbot, window, view.continue_button.click)
    (a,) = branches(window)
    panel = view.branch_panel
    assert panel.up_button.isEnabled()
    with qtbot.waitSignal(window.writer.counts_changed, timeout=WAIT_MS) as counted:
        panel.up_button.click()
    assert counted.args[0]["thumbs_up"] == 1 and "(1)" in window.side_tabs.tabText(1)
    # it looks pressed, in the style's "good" colours (the property the style sheet keys on)
    qtbot.waitUntil(lambda: panel.up_button.isChecked(), timeout=WAIT_MS)
    assert panel.up_button.property("rating") == "up" and not panel.down_button.isChecked()
    # a token the continuation wrote: the inspector rates it
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.analyse_now(save=False)
    records = view.heatmap.records
    index = next(i for i in range(len(records)) if (view.offset_of(i) or 0) >= len(TEXT) and records[i].text)
    window.show_text_token(index, records[index])
    assert window.inspector.rate_box.isVisible()
    window.inspector.bad_button.click()
    view.write_better(a, " and the sea answered.")
    settle(window)
    assert window.text_mode.underlined == {index: -1}  # the heatmap underlines it, as a chat answer does
    rated = tb.branch_ratings(window.text.store, a)
    owner, token = window.text_mode.rated_token(index)
    assert owner == a and rated["tokens"] == {token: -1} and rated["thumbs"] == 1
    assert rated["correction"] == " and the sea answered."
    tokenizer = window.chat.loaded.tokenizer
    data = build_training_data(window.text.store, tokenizer, window.chat.loaded.context_window)
    from desktop_app.core.prompts import plain_text_start

    # the text before, as is, after the token plain text is read after
    prompt = plain_text_start(tokenizer) + tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    assert [e.prompt_ids for e in data.unpaired] == [prompt] and data.unpaired[0].label
    assert data.unpaired[0].completion_ids == [t[0] for t in tb.get_branch(window.text.store, a)["tokens"]]
    assert [p.source for p in data.pairs] == ["correction"] and data.tokens[0].ratings == {token: -1}
    assert tokenizer.decode(data.unpaired[0].completion_ids) == first


def test_the_shown_branch_and_the_outline_come_back_after_a_restart(window, qtbot, tiny_model_dir):
    from desktop_app.gui.main_window import MainWindow

    first = continue_with(qtbot, window, window.text_view.continue_button.click)
    (a,) = branches(window)
    store, paths = window.text.store, window.paths
    window.close()
    again = MainWindow(store, paths, model_spec=str(tiny_model_dir), device="cpu")
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.chat.model_loaded, timeout=WAIT_MS):
        pass
    assert again.mode == "text" and again.text_view.editor.toPlainText() == TEXT + first
    assert again.text.tree.shown == a and a in outline_labels(again)
    again.close()


def test_an_edit_of_a_branch_goes_into_it_and_is_kept_before_another_path_shows(window, qtbot):
    view = window.text_view
    first = continue_with(qtbot, window, view.continue_button.click)
    (a,) = branches(window)
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    view.editor.insertPlainText(" Edited.")
    assert view.timer.isActive()  # not saved yet: waiting for the pause
    panel = view.branch_panel
    panel._clicked(panel.item_for(None))  # another path: the waiting edit is kept first
    settle(window)
    assert tb.get_branch(window.text.store, a)["text"] == first + " Edited."
    assert view.editor.toPlainText() == TEXT
    assert documents.get_document(window.text.store, window.text.document_id)["text"] == TEXT
    panel._clicked(panel.item_for(a))
    panel.up_button.click()  # rated as a continuation of TEXT ...
    view.editor.setPlainText("Another start. " + view.editor.toPlainText())  # an edit before the branch
    view.flush_edit()
    settle(window)
    kept = tb.get_branch(window.text.store, a)  # the rated continuation stays as it was, after TEXT
    assert (kept["parent_id"], kept["start"], kept["kind"]) == (None, len(TEXT), "continuation")
    assert kept["text"] == first + " Edited."
    edited = tb.get_branch(window.text.store, window.text.tree.shown)  # the edit: a branch of its own
    assert (edited["parent_id"], edited["start"], edited["kind"]) == (None, 0, "edited")
    assert edited["text"] == "Another start. " + TEXT + first + " Edited."
    assert documents.get_document(window.text.store, window.text.document_id)["text"] == TEXT
    # ... and its thumbs still train, on the text it continued
    assert [e.label for e in build_training_data(window.text.store, window.chat.loaded.tokenizer, 128).unpaired] \
        == [True]


def test_a_better_continuation_is_written_and_saved_from_the_keyboard(window, qtbot):
    """Text mode's "Better…" opens chat's better-answer box (what it follows shown, lines
    wrapped): Ctrl+Enter saves, Tab leaves the text; it was a plain input box that trapped keys."""
    from PySide6.QtCore import QTimer

    from desktop_app.gui.ratings import CorrectionDialog

    view = window.text_view
    continue_with(qtbot, window, view.continue_button.click)
    (a,) = branches(window)
    seen = {}

    def type_and_save():
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = dialog
        if not isinstance(dialog, CorrectionDialog):
            dialog.reject()
            return
        seen["title"] = dialog.windowTitle()
        dialog.editor.setPlainText(" and the sea answered.")
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Tab)
        seen["tab_left"] = dialog.editor.toPlainText() == " and the sea answered." and not dialog.editor.hasFocus()
        dialog.editor.setFocus()
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    QTimer.singleShot(200, type_and_save)
    view.write_better(a)
    assert isinstance(seen["dialog"], CorrectionDialog) and seen["title"] == "Write a better continuation"
    assert seen["tab_left"], "Tab moves to the buttons, it types no tab"
    settle(window)
    assert tb.branch_ratings(window.text.store, a)["correction"] == " and the sea answered."
