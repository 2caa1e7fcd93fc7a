"""Split characters in the inspector (expert review, session 55): an alternative that holds part
of a character showed "\ufffd" and nothing else (the written token already showed its bytes); and
the bytes were read from the model in use's tokenizer even for an answer another model wrote,
whose ids are another vocabulary's."""

from __future__ import annotations

import pytest

from desktop_app.core.decoding import token_texts
from desktop_app.core.piece_words import model_short_name, split_piece_words
from desktop_app.core.records import Alternative, TokenRecord

pytest.importorskip("PySide6")

TEXT = "I like it \U0001f600 a lot."  # the tiny model's byte-level vocabulary splits the emoji


def _piece_and_record(tiny_model):
    """A written token that is part of the emoji, with its id offered again as an alternative of the
    token after it (its alternatives' text: "\ufffd", as the records store them)."""
    from desktop_app.core.scoring import score_text

    _ids, records = score_text(tiny_model, TEXT)
    index = next(i for i, r in enumerate(records) if r.text == "")
    piece = records[index]
    table = token_texts(tiny_model.tokenizer)
    alt = Alternative(piece.id, table.text(piece.id), 0.2)
    assert "\ufffd" in alt.text
    record = TokenRecord(7, "x", -0.5, 1, 1.0, (Alternative(7, "x", 0.6), alt), "float32")
    return piece, record, table.token_bytes(piece.id).hex(" ")


def _inspector(qtbot, tiny_model, loaded_id: str):
    from desktop_app.gui.inspector import InspectorPanel

    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    inspector.tokenizer = lambda: tiny_model.tokenizer
    inspector.model_id = lambda: loaded_id
    return inspector


def test_an_alternative_that_is_part_of_a_character_shows_its_bytes(qtbot, tiny_model):
    _piece, record, hex_bytes = _piece_and_record(tiny_model)
    inspector = _inspector(qtbot, tiny_model, "folder:tiny")
    inspector.show_token(None, 3, record, can_branch=False, model_id="folder:tiny")
    labels = [label for label, _prob, _chosen in inspector.chart.rows()]
    assert f"bytes {hex_bytes}" in labels
    inspector.pick(labels.index(f"bytes {hex_bytes}"))
    assert f"bytes {hex_bytes}" in inspector.versus.text()


def test_another_models_record_names_its_tokenizer_instead_of_reading_ours(qtbot, tiny_model):
    piece, record, hex_bytes = _piece_and_record(tiny_model)
    inspector = _inspector(qtbot, tiny_model, "folder:tiny")
    inspector.show_token(7, 3, piece, can_branch=False, model_id="bundled:SmolLM2-135M-Instruct")
    note = inspector.bytes_note.text()
    assert hex_bytes not in note and "SmolLM2-135M-Instruct" in note and not inspector.bytes_note.isHidden()
    inspector.show_token(7, 3, record, can_branch=False, model_id="bundled:SmolLM2-135M-Instruct")
    assert not any(hex_bytes in label for label, _p, _c in inspector.chart.rows())
    inspector.show_token(7, 3, piece, can_branch=False, model_id="folder:tiny")  # the model in use's own
    assert inspector.bytes_note.text() == f"bytes {hex_bytes}"


def test_the_chat_tells_the_inspector_which_model_wrote_an_answer(qtbot, tiny_model):
    from desktop_app.gui.chat_cards import records_model
    from desktop_app.gui.message_card import MessageCard

    answer = MessageCard("assistant", {"id": 1, "text": "hi", "model_id": "gguf:old.gguf"})
    prompt = MessageCard("user", {"id": 2, "text": "hi", "model_id": None})
    for card in (answer, prompt):
        qtbot.addWidget(card)
    assert records_model(answer) == "gguf:old.gguf"
    assert records_model(prompt) is None  # a prompt's colours are the model in use's


def test_words_without_a_window():
    assert model_short_name("gguf:/models/old.gguf") == "old.gguf"
    assert model_short_name("HuggingFaceTB/SmolLM2-135M") == "SmolLM2-135M"
    assert split_piece_words(None, 5, None, None) == ""


def test_copy_figures_carries_the_bytes_and_the_samplers_cut(qtbot, tiny_model):
    import json

    from PySide6.QtWidgets import QApplication

    from desktop_app.core.sampler_cut import SamplerCut

    piece, record, hex_bytes = _piece_and_record(tiny_model)
    inspector = _inspector(qtbot, tiny_model, "folder:tiny")
    inspector.show_token(None, 3, record, can_branch=False, cut=SamplerCut({piece.id: "cut by min-p 0.1"}))
    inspector.copy_figures()
    copied = json.loads(QApplication.clipboard().text())
    alt = next(a for a in copied["top"] if a["id"] == piece.id)
    assert alt["bytes"] == hex_bytes and alt["sampler"] == "cut by min-p 0.1"
    assert "bytes" not in copied and "sampler" not in copied["top"][0]
    inspector.show_token(None, 2, piece, can_branch=False)
    inspector.copy_figures()
    assert json.loads(QApplication.clipboard().text())["bytes"] == hex_bytes
