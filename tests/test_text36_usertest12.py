"""Usertest 12's Text-mode findings (pytest-qt, tiny random GPT-2, a real store): #2 an edit of
the person's own words before a rated continuation loses neither the continuation nor its
rating; #11 the inspector forgets a token no longer on screen; #10 the exports say who wrote
each token, an empty Text export is refused, the person's figure stays put."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.text_training import readiness, standard_examples  # noqa: E402
from desktop_app.core.train_data import build_training_data  # noqa: E402
from gui_windows import STORY, WAIT_MS  # noqa: E402
from test_gui_loom import continue_with, settle, window  # noqa: E402,F401


def continued(qtbot, window) -> str:
    """Ctrl+Enter from the coloured text; waits for the analysis of the text with the continuation."""
    view = window.text_view
    view.set_editing(False)
    added = continue_with(qtbot, window, window.text_mode.ctrl_enter)
    qtbot.waitUntil(lambda: not window.text.continuing and window.text.summary is not None
                    and window.text.summary.yours is not None and view.offset_of(0) is not None, timeout=WAIT_MS)
    return added


def test_an_edit_of_my_words_before_a_rated_continuation_keeps_it_rated_and_marked(window, qtbot):
    view, store = window.text_view, window.text.store
    added = continued(qtbot, window)
    (a,) = [b["id"] for b in tb.branches(store, window.text.document_id)]
    view.branch_panel.down_button.click()  # 👎 the continuation
    settle(window)
    assert readiness(store)["thumbs_down"] == 1
    notices = []
    view.notice.connect(notices.append)
    # Ctrl+E, and one word of the person's own first sentence changed
    qtbot.keyClick(view.heatmap, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.editing
    edited = view.editor.toPlainText().replace("lighthouse", "harbour", 1)
    view.editor.setPlainText(edited)
    view.flush_edit()
    settle(window)
    qtbot.waitUntil(lambda: window.text.tree.shown != a, timeout=WAIT_MS)
    # the rated continuation is as it was: its text, what it continued, its 👎, its examples
    kept = tb.get_branch(store, a)
    assert (kept["kind"], kept["parent_id"], kept["start"], kept["text"]) == ("continuation", None, len(STORY), added)
    assert tb.branch_ratings(store, a)["thumbs"] == -1
    assert readiness(store)["thumbs_down"] == 1, "the Fine-tune tab's count stays"
    assert standard_examples(store, "kto") == [{"prompt": STORY, "completion": added, "label": False}]
    data = build_training_data(store, window.chat.loaded.tokenizer, window.chat.loaded.context_window)
    assert [e.label for e in data.unpaired] == [False]
    # the edit is a branch of its own, shown, hung where the words differ, the model's words still marked
    new = window.text.tree.shown
    branch = tb.get_branch(store, new)
    assert branch["kind"] == "edited" and branch["mean_prob"] is None, "no probability for words now after others"
    assert branch["text"].startswith("harbour keeper") and view.editor.toPlainText() == edited
    assert documents.get_document(store, window.text.document_id)["text"] == STORY, "the main text is the document's"
    assert window.text.model_spans(edited) == [(len(edited) - len(added), len(edited))]
    qtbot.waitUntil(lambda: view.offset_of(0) is not None and window.text.summary.yours is not None, timeout=WAIT_MS)
    assert window.text.summary.model_tokens > 0 and view.heatmap.model_written, "the summary keeps them apart"
    # and it is said, in one line, what happened and where the rating is
    (said,) = notices
    assert "new branch" in said and "with your thumbs down" in said and "earlier wording" in said
    # a second edit goes into the new branch, not into another one
    view.editor.setPlainText(edited.replace("counted", "watched"))
    view.flush_edit()
    settle(window)
    assert len(tb.branches(store, window.text.document_id)) == 2 and window.text.tree.shown == new
    assert window.text.model_spans(view.editor.toPlainText()) == [(len(edited) - len(added), len(edited))]


def test_the_inspector_forgets_a_token_no_longer_on_screen(window, qtbot):
    view, inspector = window.text_view, window.inspector
    added = continued(qtbot, window)
    last = len(view.heatmap.records) - 1  # a token of the continuation
    window.text_mode.show_token(last, view.heatmap.records[last])
    assert inspector.index == last and inspector.token_label.isVisibleTo(inspector)
    # an analysis of the same text keeps it (its figures are the same token's)
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.analyse_now(save=False)
    assert inspector.index == last
    # the main text shown: that token is not on screen any more
    panel = view.branch_panel
    panel._clicked(panel.item_for(None))
    settle(window)
    assert view.editor.toPlainText() == STORY and not view.editor.toPlainText().endswith(added)
    assert inspector.index == -1 and inspector.record is None and inspector.placeholder.isVisibleTo(inspector)
    assert view.heatmap.selected == -1, "nor its ring"
    # a token of the main text, then a continuation into a new branch: the token before stays
    qtbot.waitUntil(lambda: view.offset_of(0) is not None, timeout=WAIT_MS)
    window.text_mode.show_token(1, view.heatmap.records[1])
    continued(qtbot, window)
    assert inspector.index == 1 and inspector.record.text == view.heatmap.records[1].text


def test_the_json_export_says_who_wrote_each_token(window, qtbot, tmp_path):
    import json

    view = window.text_view
    added = continued(qtbot, window)
    path = tmp_path / "tokens.json"
    with qtbot.waitSignal(view.analysis_tools.exported, timeout=WAIT_MS):
        view.analysis_tools.export("json", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    by = [t["by"] for t in data["tokens"]]
    assert set(by) == {"you", "model"} and by == sorted(by, key=lambda b: b == "model"), "the person's, then the model's"
    assert by.count("model") == data["summary"]["model_tokens"]
    assert "".join(t["text"] for t in data["tokens"] if t["by"] == "model") == added


def test_a_continuation_leaves_the_persons_own_figures_as_they_were(tiny_model):
    """The person's tokens keep their records when a continuation is added: a longer pass's
    16-bit arithmetic had moved their perplexity (usertest 12: 29.9 -> 30.0)."""
    from desktop_app.core import session
    from desktop_app.core.scoring import reusable_records, window_plan

    window = tiny_model.context_window
    # a text that grew within one window, whose windows end apart: the earlier positions are kept
    assert window_plan(10, 1, window) != window_plan(30, 1, window)
    assert reusable_records(list(range(10)), 9, list(range(30)), 1) == 9
    assert reusable_records(list(range(10)), 9, [0, 1, 2, 99] + list(range(4, 30)), 1) == 2
    alone = session.score_whole_text(tiny_model, STORY)
    grown = session.score_whole_text(tiny_model, STORY + " The sea was calm that night, and he slept.",
                                     previous=alone)
    assert grown.records[:len(alone.records)] == alone.records and len(grown.records) > len(alone.records)
