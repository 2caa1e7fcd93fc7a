"""left68: the Fine-tune tab's link to a Text continuation whose token is rated the other way elsewhere opens that
continuation and selects the rated token, so the inspector shows it (it opened the continuation alone).
pytest-qt, the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from test_words108_text_conflicts import STORY, _continuation  # noqa: E402


def test_the_link_of_a_token_conflict_selects_that_token_in_the_text(qtbot, qapp, tiny_model_dir):
    from gui_windows import WAIT_MS, opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        store = window.text.store
        document = documents.create_document(store, STORY, "Lighthouse")
        up, down = _continuation(store, document), _continuation(store, document)
        tb.rate_branch(store, up, 1, 3)
        tb.rate_branch(store, down, -1, 3)
        window.writer.recount()
        label = window.finetune_panel.disagree_label
        qtbot.waitUntil(lambda: f'href="-{down}:3"' in label.text(), timeout=WAIT_MS)
        label.linkActivated.emit(f"-{down}:3")  # as a click on the disliked side's text sends it
        heatmap, mode = window.text_view.heatmap, window.text_mode
        qtbot.waitUntil(lambda: window.text.tree.shown == down and heatmap.selected >= 0, timeout=WAIT_MS)
        assert mode.rated_token(heatmap.selected) == (down, 3)
        before, token = mode._token_in_text(heatmap.selected)  # the analysing model may split " lamp": its first piece
        assert before == STORY + " and lit the" and " lamp".startswith(token)
        assert window.inspector.index == heatmap.selected and window.inspector.message_id is None, "the inspector shows it"
        assert window.text_view.pages.currentWidget() is window.text_view.heatmap_scroll
