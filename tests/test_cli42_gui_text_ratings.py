"""cli42: the Text tab keeps and marks a continuation's split character by the loaded model's bytes,
as the chat card does: the tiny model's "é" of "café" began in the token before the one that shows
it, so a rating of the "é" is kept there and underlines both tokens. Real window (pytest-qt,
offscreen), the tiny model's real tokens."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from helpers import piece_records  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402
from test_cli42_fixes import CAFE_TEXT, _split  # noqa: E402


def test_a_rating_of_a_continuations_split_character_is_kept_and_marked_by_its_bytes(qtbot, qapp, tiny_model_dir):
    from desktop_app.core.prompts import answer_ids
    from desktop_app.core.text_pieces import layout_of

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        tree, view, store = window.text.tree, window.text_view, window.text.store
        tokenizer = window.chat.loaded.tokenizer
        ids = answer_ids(tokenizer, CAFE_TEXT)  # a continuation the model wrote, as stored
        layout = layout_of(tokenizer, ids)
        kept, shown = _split(layout, "é")
        records = piece_records(ids, layout.pieces)
        branch_id = tb.add_branch(store, window.text.document_id, None, len(STORY), CAFE_TEXT, records=records)
        tree.reload()
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            tree.show(branch_id)
        window.chat.tasks.store.wait()
        heatmap = view.heatmap
        at = {i: view.offset_of(i) for i in range(len(heatmap.records))}
        e_index = next(i for i, o in at.items() if o is not None and heatmap.records[i].text.startswith("é"))
        window.text_mode.rate_token(e_index, -1)
        window.chat.tasks.store.wait()
        QApplication.processEvents()
        assert tb.branch_ratings(store, branch_id, tokenizer)["tokens"] == {kept: -1}
        began = len(STORY) + sum(len(p) for p in layout.pieces[:kept])
        before = next(i for i, o in at.items() if o is not None and o <= began < o + len(heatmap.records[i].text))
        assert window.text_mode.rated_token(before) == (branch_id, kept)  # a click there finds the same rating
        window.text_mode.underline_rated()
        assert {before, e_index} <= set(window.text_mode.underlined)  # both of the character's tokens are marked
