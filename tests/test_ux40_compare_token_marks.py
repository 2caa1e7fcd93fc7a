"""Usertest 14, finding 11: the compare view's answer picker marked liked answers (▲), disliked ones
(▼) and better answers (✎), but an answer with a token rated bad had no mark, though its view then
marks the rated token. Token-rated answers now carry ± beside their thumb, in the picker's tooltip and
the item's own. Real widgets (pytest-qt), the tiny GPT-2 with a random LoRA, the real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_compare_window_size_and_wording import stored_answer, wear_random_lora  # noqa: E402

from desktop_app.gui.compare_words import TOKENS_MARK as TOKENS  # noqa: E402


def test_the_picker_marks_an_answer_rated_token_by_token(make_window, qtbot, tmp_path):
    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    store = window.chat.store
    liked = stored_answer(window, rating=1)
    tokens_only = stored_answer(window, " The largest planet is Jupiter.")
    store.rate_token(tokens_only, 2, -1)
    both = stored_answer(window, " Romeo and Juliet.", rating=-1)
    store.rate_token(both, 1, 1)
    view = window.open_compare(liked).view
    qtbot.waitUntil(lambda: view.message_id == liked and len(view.values) > 0, timeout=WAIT_MS)
    combo = view.answer_combo

    def item(key):
        at = combo.findData(key)
        assert at >= 0, key
        return combo.itemText(at), combo.itemData(at, Qt.ItemDataRole.ToolTipRole)

    text, tip = item(tokens_only)
    assert text.startswith(f"{TOKENS} \u201c"), text
    assert "rated tokens of it" in tip
    text, tip = item(both)
    assert text.startswith(f"\u25bc {TOKENS} \u201c"), text
    assert "You disliked this answer" in tip and "rated tokens of it" in tip
    text, tip = item(liked)
    assert text.startswith("\u25b2 \u201c") and TOKENS not in text and "rated tokens" not in tip
    assert f"{TOKENS} one you rated token by token" in combo.toolTip()
