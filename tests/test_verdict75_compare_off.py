"""verdict75: with the base model in use (the new adapter waiting, or put aside) the Compare icon went from the
answer cards and nothing said why. The compare window reads the adapter in use, so the icon stays in view, off,
and its tooltip says why and which adapter to put in use; with no adapter at all it stays hidden (pytest-qt,
the real window, the tiny GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_feel45_adapter_switch import saved_adapter, switched, use_selected, window  # noqa: E402,F401


def answer_card(window):
    store = window.chat.store
    cid = store.create_conversation("Capitals")
    question = store.add_message(cid, "user", "What is the capital of Croatia?")
    answer = store.add_message(cid, "assistant", "Zagreb.", parent_id=question)
    window.chat.open_conversation(cid)
    QApplication.processEvents()
    return next(c for c in window.transcript.cards if c.message_id == answer)


def test_compare_says_why_it_is_off_while_the_base_model_answers(window, qtbot, tiny_model_dir):
    card = answer_card(window)
    button = card.rating.compare_button
    assert not button.isVisibleTo(card)  # no adapter at all: nothing to compare with
    aid = saved_adapter(window, tiny_model_dir, {})
    window.finetune_panel.refresh_adapters()
    window.finetune_side.update_compare_buttons()
    assert window.chat.loaded.adapter_id is None
    assert button.isVisibleTo(card) and not button.isEnabled()
    assert button.toolTip().startswith("Compare is off: the base model is in use")
    assert f"Put adapter {aid} in use" in button.toolTip()
    # put in use: on, with what it compares
    switched(qtbot, window, use_selected(window, aid))
    assert button.isVisibleTo(card) and button.isEnabled()
    assert button.toolTip() == "Compare: how the fine-tune changed each token's probability"
