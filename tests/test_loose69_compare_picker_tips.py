"""loose69: the hover text of a rated Text continuation in Compare's picker said "You liked this answer" where its
ratings do not disagree (left68 had mended only the words where they do); a better continuation the person wrote
said "this better answer" and "the model's answer above it". Each now says it is a continuation, as its label and
the words over it do. pytest-qt, the real window on the tiny fixture model and a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.compare_words import better_key  # noqa: E402
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)
from test_left68_compare_continuation import _compare_on  # noqa: E402
from test_words108_text_conflicts import STORY, _continuation  # noqa: E402


def _tip(view, key) -> str:
    combo = view.answer_combo
    at = combo.findData(key)
    assert at >= 0, f"{key} is not in the picker"
    return combo.itemData(at, Qt.ItemDataRole.ToolTipRole)


def test_a_continuations_hover_texts_say_continuation(window, qtbot, tiny_model_dir):
    store = window.chat.store
    document = documents.create_document(store, STORY, "Lighthouse")
    liked, disliked = _continuation(store, document), _continuation(store, document, " and slept.")
    tb.rate_branch(store, liked, 1)
    tb.rate_branch(store, disliked, -1)
    tb.set_correction(store, disliked, " and kept the light burning.")
    view = _compare_on(window, qtbot, tiny_model_dir, -liked)
    assert _tip(view, -liked).startswith("\u25b2 You liked this continuation: expect it to have become more likely")
    assert _tip(view, -disliked).startswith("\u25bc You disliked this continuation: expect it")
    better = _tip(view, better_key(-disliked))
    assert "You wrote this better continuation" in better and "the model's continuation above it" in better
    tips = [_tip(view, key) for key in (-liked, -disliked, better_key(-disliked))]
    assert not [tip for tip in tips if "answer" in tip], tips
    view.cancel()
